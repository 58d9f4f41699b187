import http from 'node:http';
import os from 'node:os';
import { baseConfigSchema, loadConfig, trustConfigSchema, type BaseConfig, type z } from '@handrail/config';
import type { EventEnvelope, Revisions } from '@handrail/contracts';
import { deadLetter, EventPublisher, runConsumer, verifyStreams, type Bus, type ConsumerRunOptions, type Delivery, type Outcome, type RunningConsumer } from '@handrail/bus';
import { decodeEvent, eventTypeOf, isIdentity, newEvent, payloadOf, streamSpecs, topology, type PayloadCase, type PayloadOf, type Topology } from '@handrail/events';
import { createLogger, createMetrics, initTelemetry, type Context, type Logger, type Metrics, type Telemetry } from '@handrail/observability';
import { decisionOf } from './decisions.js';
import { connectAs, loadOwnIdentity, openTrust, type Trust } from './trust.js';
import { readableStreams } from '@handrail/trust';

export interface ServiceContext<C extends BaseConfig> {
  config: Readonly<C>;
  log: Logger;
  telemetry: Telemetry;
  bus: Bus;
  topo: Topology;
  publisher: EventPublisher;
  producer: { service: string; version: string; instance: string };
  /** Signatures, sealing and the key store of this service's identity (issue 11). */
  trust: Trust;
  /** Prometheus metrics, served on the health port at /metrics (issue 16). */
  metrics: Metrics;
  /** Starts a consumer with the service's shared settings (concurrency, max deliver, ack wait). */
  consume<T>(o: Pick<ConsumerRunOptions<T>, 'stream' | 'durable' | 'filterSubject' | 'decode' | 'handler' | 'attributes'> & Partial<Pick<ConsumerRunOptions<T>, 'concurrency' | 'maxAckPending'>>): Promise<RunningConsumer>;
  /**
   * Handles every `kind` event on the events stream with the durable consumer `durable` (shared by
   * the service's replicas): the handler gets the typed payload and its envelope, and returns an outcome.
   */
  onEvent<C extends PayloadCase>(kind: C, durable: string, handler: (payload: PayloadOf<C>, env: EventEnvelope, d: Delivery<EventEnvelope>) => Promise<Outcome>): Promise<RunningConsumer>;
  /** Publishes what this service decided about the ticket of `cause`, as an event caused by it. */
  emit<C extends PayloadCase>(e: {
    kind: C;
    value: PayloadOf<C>;
    cause: EventEnvelope;
    revisions?: Partial<Revisions>;
    subject?: string;
    /** Several events of one type for a ticket (e.g. one delivery result per kind). */
    idSuffix?: string;
    /** The cause's stored-bytes digest when it was read outside `onEvent` (the audit chain links to it). */
    causeDigest?: string;
  }): Promise<void>;
}

export interface Started {
  /** Closed after consumers stop and before the connection drains (e.g. a gRPC server). */
  closers?: Array<() => Promise<void>>;
  /** False when the service can no longer do its work (e.g. its projection stopped): `/readyz` says 503. */
  healthy?: () => boolean;
}

export interface ServiceDefinition<S extends z.ZodType<BaseConfig>> {
  name: string;
  version: string;
  configSchema: S;
  start(ctx: ServiceContext<z.infer<S>>): Promise<Started | void>;
  env?: Record<string, string | undefined>;
}

/**
 * A service's definition from its name, version, config schema and `start` — what every service file
 * would otherwise spell out; call the result with an environment (tests) or none (`process.env`).
 */
export function defineService<S extends z.ZodType<BaseConfig>>(
  meta: { name: string; version: string; configSchema: S },
  start: ServiceDefinition<S>['start'],
): (env?: Record<string, string | undefined>) => ServiceDefinition<S> {
  return (env) => ({ ...meta, start, env });
}

export interface RunningService {
  ready(): boolean;
  /** Ordered shutdown: not ready → stop pulling → finish in-flight → close → drain → flush telemetry. */
  shutdown(reason: string): Promise<void>;
  consumers: RunningConsumer[];
  healthPort(): number | undefined;
}

/** Boots a service from its definition; `main.ts` files call this and nothing else. */
export async function startService<S extends z.ZodType<BaseConfig>>(def: ServiceDefinition<S>): Promise<RunningService> {
  const config = loadConfig(def.configSchema, def.env) as Readonly<z.infer<S>>;
  const instance = config.HANDRAIL_INSTANCE ?? `${os.hostname()}-${process.pid}`;
  const log = createLogger({ service: def.name, version: def.version, level: config.LOG_LEVEL, instance });
  const telemetry = initTelemetry({
    service: config.OTEL_SERVICE_NAME ?? `handrail-${def.name}`,
    version: def.version,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  // Its own NATS user and signing key (issue 11); nothing secret is logged.
  const trustConfig = loadConfig(trustConfigSchema, def.env);
  const identity = loadOwnIdentity({ config: trustConfig, identity: def.name });
  const bus = await connectAs(config.NATS_URL, `handrail-${def.name}-${instance}`, identity);
  const topo = topology(config.HANDRAIL_PREFIX);
  const consumers: RunningConsumer[] = [];
  const producer = { service: def.name, version: def.version, instance };
  const metrics = createMetrics({ service: def.name, version: def.version });
  /** The durables this process reads, for the lag gauges (read from the server at each scrape). */
  const durables: Array<{ stream: string; durable: string }> = [];
  metrics.setLagSource(async () =>
    Promise.all(
      durables.map(async ({ stream, durable }) => {
        const i = await bus.jsm.consumers.info(stream, durable);
        return { stream, consumer: durable, pending: i.num_pending, ackPending: i.num_ack_pending, redelivered: i.num_redelivered };
      }),
    ),
  );
  // Readiness follows the connection; every disconnect and reconnect is logged.
  let connected = true;
  void (async () => {
    for await (const st of bus.nc.status()) {
      if (st.type === 'disconnect') {
        connected = false;
        log.warn({ server: 'server' in st ? st.server : undefined }, 'NATS disconnected; not ready until it reconnects');
      } else if (st.type === 'reconnect') {
        connected = true;
        log.info({ server: 'server' in st ? st.server : undefined }, 'NATS reconnected');
      } else if (st.type === 'error') {
        log.error({ err: 'error' in st ? st.error : undefined }, 'NATS connection error');
      }
    }
  })().catch(() => undefined);
  let trust: Trust;
  try {
    // Services only verify the topology; the provisioner alone creates or changes it.
    // Each checks the streams it reads, and may read no others.
    const readable = new Set<string>(isIdentity(def.name) ? readableStreams(def.name).map((k) => topo.streams[k]) : []);
    await verifyStreams(
      bus.jsm,
      streamSpecs(topo, { eventsMaxAgeDays: config.EVENTS_MAX_AGE_DAYS, duplicateWindowMinutes: config.DUPLICATE_WINDOW_MINUTES }).filter((s) => readable.has(s.name)),
    );
    trust = await openTrust(bus, topo, { config: trustConfig, identity: def.name }, identity);
  } catch (err) {
    await bus.nc.close().catch(() => undefined);
    await telemetry.shutdown().catch(() => undefined);
    throw err;
  }
  const publisher = new EventPublisher(bus.js, topo, trust.publisherSecurity);
  /** sha256 of each consumed event's stored bytes: what the events it causes link to (hash chain). */
  const digests = new WeakMap<EventEnvelope, string>();
  // The trace context of each delivery a handler is working on, so `emit` propagates it explicitly.
  const traceOf = new WeakMap<EventEnvelope, Context>();
  const ctx: ServiceContext<z.infer<S>> = {
    config,
    log,
    telemetry,
    bus,
    topo,
    publisher,
    producer,
    trust,
    metrics,
    onEvent(kind, durable, handler) {
      return ctx.consume({
        stream: topo.streams.events,
        durable,
        filterSubject: topo.subjects.eventsOfType(eventTypeOf(kind)),
        decode: decodeEvent,
        attributes: (e) => ({ 'handrail.ticket_id': e.ticketId }),
        handler: async (d) => {
          // Only an event signed by an identity allowed to produce its type is handled (issue 11).
          const r = await trust.readEvent(d, d.value);
          if (!r.ok) {
            log.error({ alert: 'unauthenticated_event', ticketId: d.value.ticketId, type: d.value.type, subject: d.subject, seq: d.streamSequence, reason: r.reason }, 'rejected an unauthenticated event');
            return deadLetter(`unauthenticated: ${r.reason}`);
          }
          digests.set(r.env, r.digest);
          traceOf.set(r.env, d.traceContext);
          return handler(payloadOf(r.env, kind), r.env, d);
        },
      });
    },
    async emit(e) {
      const env = newEvent({ kind: e.kind, value: e.value, ticketId: e.cause.ticketId, producer, cause: e.cause, revisions: e.revisions, idSuffix: e.idSuffix, causeDigest: e.causeDigest ?? digests.get(e.cause) });
      await publisher.publish(env, { ...(e.subject ? { subject: e.subject } : {}), traceContext: traceOf.get(e.cause) });
      metrics.eventEmitted(eventTypeOf(e.kind));
      const decided = decisionOf(env);
      if (decided) metrics.decision(decided.decision, decided.reason);
    },
    async consume(o) {
      const c = await runConsumer({
        ...o,
        bind: 'verify',
        bus,
        topo,
        stage: def.name,
        concurrency: o.concurrency ?? config.CONSUMER_CONCURRENCY,
        maxDeliver: config.MAX_DELIVER,
        ackWaitMs: config.ACK_WAIT_MS,
        log,
        tracer: telemetry.tracer,
        observer: metrics,
      });
      consumers.push(c);
      durables.push({ stream: o.stream, durable: o.durable });
      return c;
    },
  };
  let started: Started;
  try {
    started = (await def.start(ctx)) ?? {};
  } catch (err) {
    // A service that cannot start leaves nothing behind: consumers stopped, connection closed.
    await Promise.all(consumers.map((c) => c.stop(0))).catch(() => undefined);
    await trust.close().catch(() => undefined);
    await bus.nc.close().catch(() => undefined);
    await telemetry.shutdown().catch(() => undefined);
    throw err;
  }
  let isReady = true;
  let shuttingDown: Promise<void> | undefined;

  const ready = () => isReady && connected && (started.healthy?.() ?? true);
  const health = config.HEALTH_PORT > 0 ? startHealthServer(config.HEALTH_PORT, ready, () => consumers.map((c) => c.stats()), metrics) : undefined;

  const shutdown = (reason: string): Promise<void> => {
    shuttingDown ??= (async () => {
      isReady = false;
      log.info({ reason }, 'shutting down');
      const deadline = config.SHUTDOWN_DEADLINE_MS;
      const results = await Promise.all(consumers.map((c) => c.stop(deadline)));
      const unfinished = results.reduce((n, r) => n + r.unfinished, 0);
      if (unfinished > 0) log.warn({ unfinished }, 'deadline passed with work in flight; it will be redelivered');
      for (const close of started.closers ?? []) await close().catch((err: unknown) => log.error({ err }, 'closer failed'));
      await trust.close().catch(() => undefined);
      await bus.nc.drain().catch((err: unknown) => log.error({ err }, 'drain failed'));
      await new Promise<void>((r) => (health ? health.close(() => r()) : r()));
      await telemetry.shutdown().catch(() => undefined);
      log.info('stopped');
    })();
    return shuttingDown;
  };

  log.info({ prefix: topo.prefix, consumers: consumers.map((c) => c.name) }, 'ready');
  return {
    ready,
    shutdown,
    consumers,
    healthPort: () => {
      const a = health?.address();
      return a && typeof a === 'object' ? a.port : undefined;
    },
  };
}

function startHealthServer(port: number, ready: () => boolean, stats: () => unknown, metrics: Metrics): http.Server {
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      metrics.render().then(
        (m) => {
          res.writeHead(200, { 'content-type': m.contentType });
          res.end(m.body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
      return;
    }
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/healthz') return send(200, { ok: true });
    if (req.url === '/readyz') return send(ready() ? 200 : 503, { ready: ready() });
    if (req.url === '/stats') return send(200, stats());
    return send(404, { error: 'not found' });
  });
  server.listen(port);
  return server;
}

/**
 * The whole of a service's `main`: start it, and on SIGTERM/SIGINT shut down in order and exit.
 * A second signal forces exit.
 */
export function runMain<S extends z.ZodType<BaseConfig>>(def: ServiceDefinition<S>): void {
  startService(def).then(
    (svc) => {
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        if (++signals > 1) process.exit(130);
        svc.shutdown(sig).then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    },
    (err: unknown) => {
      // Config and connection problems are printed plainly: they are what an operator must fix.
      console.error(`${def.name}: failed to start: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}

export { baseConfigSchema };
