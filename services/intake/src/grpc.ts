import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  GetTicketStatusResponse,
  IntakeServiceService,
  Route,
  type GetTicketStatusRequest,
  type IntakeServiceServer,
  type SubmitMessageRequest,
  type SubmitMessageResponse,
} from '@handrail/contracts';
import { readTicketTimeline, type Bus } from '@handrail/bus';
import { NotFoundError, ValidationError } from '@handrail/errors';
import { assertToken, type Topology } from '@handrail/events';
import { SpanKind, withSpan, type Logger, type Tracer } from '@handrail/observability';
import { context } from '@opentelemetry/api';
import type { Accept } from './acceptor.js';
import { toGrpcStatus } from './grpc-status.js';

function reply<T>(cb: sendUnaryData<T>, log: Logger, work: () => Promise<T>): void {
  work().then(
    (v) => cb(null, v),
    (err: unknown) => {
      const s = toGrpcStatus(err);
      if (s.code === status.INTERNAL) log.error({ err }, 'request failed');
      cb({ code: s.code, details: s.details });
    },
  );
}

export async function ticketStatus(bus: Bus, topo: Topology, ticketId: string): Promise<GetTicketStatusResponse> {
  try {
    assertToken('ticket_id', ticketId);
  } catch {
    throw new ValidationError([{ field: 'ticket_id', problem: 'must be a ticket id like t-0123abcd…' }]);
  }
  const events = await readTicketTimeline(bus, topo, ticketId);
  const last = events.at(-1);
  if (!last) throw new NotFoundError(`no events for ticket ${ticketId}`);
  const concluded = events.find((e) => e.payload?.$case === 'concluded');
  const classified = events.find((e) => e.payload?.$case === 'classified');
  const res = GetTicketStatusResponse.fromPartial({ ticketId, stage: concluded ? 'concluded' : last.type, route: Route.ROUTE_UNSPECIFIED });
  if (classified?.payload?.$case === 'classified') res.area = classified.payload.value.classification?.area ?? res.area;
  if (concluded?.payload?.$case === 'concluded') {
    res.route = concluded.payload.value.route;
    res.reasons = concluded.payload.value.reasons;
  }
  return res;
}

export async function startGrpcServer(o: {
  host: string;
  port: number;
  accept: Accept;
  status: (ticketId: string) => Promise<GetTicketStatusResponse>;
  log: Logger;
  tracer: Tracer;
}): Promise<{ port: number; close(): Promise<void> }> {
  const impl: IntakeServiceServer = {
    submitMessage(call: ServerUnaryCall<SubmitMessageRequest, SubmitMessageResponse>, cb: sendUnaryData<SubmitMessageResponse>) {
      reply(cb, o.log, () =>
        withSpan(o.tracer, 'intake SubmitMessage', context.active(), { 'rpc.method': 'SubmitMessage' }, async (span, traceContext) => {
          const r = await o.accept(call.request.message, traceContext);
          span.setAttribute('handrail.ticket_id', r.ticketId);
          return { ticketId: r.ticketId, duplicate: r.duplicate };
        }, SpanKind.SERVER),
      );
    },
    getTicketStatus(call: ServerUnaryCall<GetTicketStatusRequest, GetTicketStatusResponse>, cb: sendUnaryData<GetTicketStatusResponse>) {
      reply(cb, o.log, () => o.status(call.request.ticketId));
    },
  };
  const server = new Server();
  server.addService(IntakeServiceService, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${o.host}:${o.port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 5_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
