import fs from 'node:fs';
import type { InboundMessage } from '@handrail/contracts';
import { ack, bindBucket, deadLetter } from '@handrail/bus';
import { HandrailError } from '@handrail/errors';
import { CONSUMERS } from '@handrail/events';
import type { ServiceDefinition } from '@handrail/runtime';
import { createAcceptor } from './acceptor.js';
import { parseInboundJson } from './domain/index.js';
import { intakeConfigSchema } from './config.js';
import { startGrpcServer, ticketStatus } from './grpc.js';

export const VERSION = '0.1.0';

/** Strict: bad bytes or types throw a ValidationError naming the field, and the runner dead-letters it. */
function decodeInbound(data: Uint8Array): InboundMessage {
  return parseInboundJson(data);
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
        seen: await bindBucket(bus, topo.buckets.intake),
        customers: await bindBucket(bus, topo.buckets.customers),
        contacts: await bindBucket(bus, topo.buckets.contacts),
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
      const read = (f: string, what: string) => {
        try {
          return fs.readFileSync(f);
        } catch (err) {
          throw new HandrailError('invalid_argument', `cannot read ${what} ${f}: ${(err as Error).message}`);
        }
      };
      const { GRPC_TLS_CERT_FILE: cert, GRPC_TLS_KEY_FILE: key, INTAKE_TOKEN_FILE: tokenFile } = ctx.config;
      const security = {
        tls: cert && key ? { cert: read(cert, 'GRPC_TLS_CERT_FILE'), key: read(key, 'GRPC_TLS_KEY_FILE') } : undefined,
        token: tokenFile ? read(tokenFile, 'INTAKE_TOKEN_FILE').toString('utf8').trim() : undefined,
      };
      if (!security.tls || !security.token) ctx.log.warn({ tls: Boolean(security.tls), token: Boolean(security.token) }, 'gRPC without TLS or connector token: development only');
      const grpc = await startGrpcServer({
        host: ctx.config.GRPC_HOST,
        port: ctx.config.GRPC_PORT,
        security,
        accept,
        status: (id) => ticketStatus(bus, topo, id, ctx.trust),
        log: ctx.log,
        tracer: ctx.telemetry.tracer,
      });
      ctx.log.info({ port: grpc.port }, 'gRPC listening');
      onGrpcPort?.(grpc.port);
      return { closers: [grpc.close] };
    },
  };
}
