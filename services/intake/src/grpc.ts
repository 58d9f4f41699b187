import { timingSafeEqual } from 'node:crypto';
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  GetTicketStatusResponse,
  IntakeServiceService,
  Route,
  type GetTicketStatusRequest,
  type IntakeServiceServer,
  type SubmitMessageRequest,
  type SubmitMessageResponse,
} from '@handrail/contracts';
import type { Bus } from '@handrail/bus';
import { HandrailError, NotFoundError, ValidationError } from '@handrail/errors';
import { assertToken, type EventType, type Topology } from '@handrail/events';
import type { Trust } from '@handrail/runtime';
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

/** Pipeline stages from last to first: the status is the furthest one a ticket has an authentic event for. */
const STAGES_LAST_FIRST: readonly EventType[] = ['concluded', 'draft_checked', 'drafted', 'draft_requested', 'permitted', 'classified', 'received'];

/**
 * A ticket's status from direct gets of the last event per subject — no JetStream consumer per call
 * (issue 11) — each authenticated, so a forged conclusion never shows as the ticket's state.
 */
export async function ticketStatus(bus: Bus, topo: Topology, ticketId: string, trust: Pick<Trust, 'readEvent'>): Promise<GetTicketStatusResponse> {
  try {
    assertToken('ticket_id', ticketId);
  } catch {
    throw new ValidationError([{ field: 'ticket_id', problem: 'must be a ticket id like t-0123abcd…' }]);
  }
  const last = async (type: EventType) => {
    const m = await bus.jsm.streams.getMessage(topo.streams.events, { last_by_subj: topo.subjects.event(type, ticketId) }).catch(() => null);
    if (!m) return undefined;
    const r = await trust.readEvent({ subject: m.subject, data: m.data, header: (n) => (m.header.has(n) ? m.header.get(n) : undefined) });
    return r.ok ? r.env : undefined;
  };
  const [concluded, classified] = await Promise.all([last('concluded'), last('classified')]);
  let stage: string | undefined = concluded ? 'concluded' : undefined;
  for (const type of STAGES_LAST_FIRST.slice(1)) {
    if (stage) break;
    if (type === 'classified' ? classified : await last(type)) stage = type;
  }
  if (!stage) throw new NotFoundError(`no events for ticket ${ticketId}`);
  const res = GetTicketStatusResponse.fromPartial({ ticketId, stage, route: Route.ROUTE_UNSPECIFIED });
  if (classified?.payload?.$case === 'classified') res.area = classified.payload.value.classification?.area ?? res.area;
  if (concluded?.payload?.$case === 'concluded') {
    res.route = concluded.payload.value.route;
    res.reasons = concluded.payload.value.reasons;
  }
  return res;
}

/** A request whose bytes did not parse: answered INVALID_ARGUMENT, not INTERNAL (issue 11). */
const UNPARSEABLE = Symbol('unparseable');
type Parsed<T> = T | { [UNPARSEABLE]: string };
const isUnparseable = (v: unknown): v is { [UNPARSEABLE]: string } => typeof v === 'object' && v !== null && UNPARSEABLE in v;

export interface GrpcSecurity {
  /** PEM; with both, the server speaks TLS only. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  /** Connectors send `authorization: Bearer <token>`; absent = no token check (development). */
  token?: string | undefined;
}

function authorized(call: ServerUnaryCall<unknown, unknown>, token: string | undefined): boolean {
  if (!token) return true;
  const got = String(call.metadata.get('authorization')[0] ?? '');
  const want = `Bearer ${token}`;
  return got.length === want.length && timingSafeEqual(Buffer.from(got), Buffer.from(want));
}

export const GRPC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export async function startGrpcServer(o: {
  host: string;
  port: number;
  security?: GrpcSecurity;
  accept: Accept;
  status: (ticketId: string) => Promise<GetTicketStatusResponse>;
  log: Logger;
  tracer: Tracer;
}): Promise<{ port: number; close(): Promise<void> }> {
  const guard = <T>(call: ServerUnaryCall<Parsed<T>, unknown>, what: string): T => {
    if (!authorized(call, o.security?.token)) throw new HandrailError('permission_denied', 'missing or wrong connector token (authorization: Bearer …)');
    if (isUnparseable(call.request)) throw new ValidationError([{ field: what, problem: `is not a valid protobuf message (${call.request[UNPARSEABLE]})` }]);
    return call.request;
  };
  const impl: IntakeServiceServer = {
    submitMessage(call: ServerUnaryCall<SubmitMessageRequest, SubmitMessageResponse>, cb: sendUnaryData<SubmitMessageResponse>) {
      reply(cb, o.log, () =>
        withSpan(o.tracer, 'intake SubmitMessage', context.active(), { 'rpc.method': 'SubmitMessage' }, async (span, traceContext) => {
          const request = guard<SubmitMessageRequest>(call, 'message');
          const r = await o.accept(request.message, traceContext);
          span.setAttribute('handrail.ticket_id', r.ticketId);
          return { ticketId: r.ticketId, duplicate: r.duplicate };
        }, SpanKind.SERVER),
      );
    },
    getTicketStatus(call: ServerUnaryCall<GetTicketStatusRequest, GetTicketStatusResponse>, cb: sendUnaryData<GetTicketStatusResponse>) {
      reply(cb, o.log, async () => o.status(guard<GetTicketStatusRequest>(call, 'request').ticketId));
    },
  };
  // Undecodable bytes become a marker the handler answers INVALID_ARGUMENT for; grpc-js would say INTERNAL.
  const definition = Object.fromEntries(
    Object.entries(IntakeServiceService).map(([name, m]) => [
      name,
      {
        ...m,
        requestDeserialize: (b: Buffer) => {
          try {
            return m.requestDeserialize(b);
          } catch (err) {
            return { [UNPARSEABLE]: (err as Error).message.slice(0, 100) };
          }
        },
      },
    ]),
  ) as unknown as typeof IntakeServiceService;
  const server = new Server({ 'grpc.max_receive_message_length': GRPC_MAX_MESSAGE_BYTES });
  server.addService(definition, impl as unknown as UntypedServiceImplementation);
  const creds = o.security?.tls ? ServerCredentials.createSsl(null, [{ cert_chain: o.security.tls.cert, private_key: o.security.tls.key }], false) : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${o.host}:${o.port}`, creds, (err, p) => (err ? reject(err) : resolve(p))),
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
