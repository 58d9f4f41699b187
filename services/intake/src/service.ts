import { InboundMessage } from '@handrail/contracts';
import { ack, deadLetter, openBucket } from '@handrail/bus';
import { HandrailError } from '@handrail/errors';
import { CONSUMERS } from '@handrail/events';
import type { ServiceDefinition } from '@handrail/runtime';
import { createAcceptor } from './acceptor.js';
import { intakeConfigSchema } from './config.js';
import { startGrpcServer, ticketStatus } from './grpc.js';

export const VERSION = '0.1.0';

function decodeInbound(data: Uint8Array): InboundMessage {
  const raw: unknown = JSON.parse(new TextDecoder().decode(data));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('inbound message is not a JSON object');
  return InboundMessage.fromJSON(raw);
}

export function intakeService(env?: Record<string, string | undefined>, onGrpcPort?: (port: number) => void): ServiceDefinition<typeof intakeConfigSchema> {
  return {
    name: 'intake',
    version: VERSION,
    configSchema: intakeConfigSchema,
    env,
    async start(ctx) {
      const { bus, topo } = ctx;
      const accept = createAcceptor({
        publisher: ctx.publisher,
        producer: ctx.producer,
        seen: await openBucket(bus, topo.buckets.intake),
        customers: await openBucket(bus, topo.buckets.customers),
        contacts: await openBucket(bus, topo.buckets.contacts),
      });
      await ctx.consume({
        stream: topo.streams.inbound,
        durable: CONSUMERS.intakeInbound,
        filterSubject: topo.subjects.allInbound(),
        decode: decodeInbound,
        attributes: (m) => ({ 'handrail.connector': m.connector }),
        async handler(d) {
          try {
            await accept(d.value, d.traceContext);
            return ack();
          } catch (err) {
            // Invalid input is dead-lettered at once with the field named; bus trouble is retried by the runner.
            if (err instanceof HandrailError && err.code === 'invalid_argument') return deadLetter(`invalid_argument: ${err.message}`);
            throw err;
          }
        },
      });
      const grpc = await startGrpcServer({
        host: ctx.config.GRPC_HOST,
        port: ctx.config.GRPC_PORT,
        accept,
        status: (id) => ticketStatus(bus, topo, id),
        log: ctx.log,
        tracer: ctx.telemetry.tracer,
      });
      ctx.log.info({ port: grpc.port }, 'gRPC listening');
      onGrpcPort?.(grpc.port);
      return { closers: [grpc.close] };
    },
  };
}
