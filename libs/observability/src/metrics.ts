import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What a consumer's server-side state reads: the same numbers KEDA scales on. */
export interface ConsumerLag {
  stream: string;
  consumer: string;
  pending: number;
  ackPending: number;
  redelivered: number;
}

/**
 * One service's Prometheus metrics (prom-client): the registry `/metrics` serves and typed handles.
 * Labels are closed sets (stage, consumer, outcome, route, reason code, error code), never ids or text.
 */
export interface Metrics {
  readonly registry: Registry;
  /** A message settled by the consumer runner, with its handling time. */
  settled(consumer: string, outcome: 'ack' | 'retry' | 'dead_letter', seconds: number, deliveryCount: number): void;
  deadLettered(consumer: string): void;
  error(consumer: string, code: string): void;
  /** A decision a stage published (route, action or verdict) and its first reason code. */
  decision(decision: string, reason: string): void;
  eventEmitted(type: string): void;
  llmCall(purpose: string, result: string, seconds: number): void;
  llmFallback(purpose: string, reason: string): void;
  /** Called at every scrape to read consumer lag from the server (KEDA's metric). */
  setLagSource(read: () => Promise<ConsumerLag[]>): void;
  /** The text format, after refreshing the lag. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(o: { service: string; version: string; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: o.service });
  if (o.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'handrail_' });
  const stage = o.service;
  let lagSource: (() => Promise<ConsumerLag[]>) | undefined;

  const info = new Gauge({ name: 'handrail_build_info', help: 'Version of the running service', labelNames: ['version'], registers: [registry] });
  info.set({ version: o.version }, 1);
  const messages = new Counter({ name: 'handrail_messages_total', help: 'Messages settled, by consumer and outcome', labelNames: ['stage', 'consumer', 'outcome'], registers: [registry] });
  const redeliveries = new Counter({ name: 'handrail_redeliveries_total', help: 'Messages handled on a second or later delivery', labelNames: ['stage', 'consumer'], registers: [registry] });
  const duration = new Histogram({
    name: 'handrail_stage_duration_seconds',
    help: 'Time from a message reaching the handler to its settlement',
    labelNames: ['stage', 'consumer', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const deadLetters = new Counter({ name: 'handrail_dead_letters_total', help: 'Messages sent to the dead-letter stream', labelNames: ['stage', 'consumer'], registers: [registry] });
  const errors = new Counter({ name: 'handrail_errors_total', help: 'Handler errors by error code', labelNames: ['stage', 'consumer', 'code'], registers: [registry] });
  const decisions = new Counter({ name: 'handrail_decisions_total', help: 'Decisions published, by decision (route, action, verdict) and first reason code', labelNames: ['stage', 'decision', 'reason'], registers: [registry] });
  const events = new Counter({ name: 'handrail_events_emitted_total', help: 'Events published, by type', labelNames: ['stage', 'type'], registers: [registry] });
  const llmCalls = new Counter({ name: 'handrail_llm_calls_total', help: 'LLM endpoint calls, by purpose and result', labelNames: ['stage', 'purpose', 'result'], registers: [registry] });
  const llmDuration = new Histogram({ name: 'handrail_llm_call_duration_seconds', help: 'LLM endpoint call time', labelNames: ['stage', 'purpose'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers: [registry] });
  const llmFallbacks = new Counter({ name: 'handrail_llm_fallbacks_total', help: 'Falls back from the LLM to the embedded model or templates, by reason', labelNames: ['stage', 'purpose', 'reason'], registers: [registry] });
  const lag = new Gauge({ name: 'handrail_consumer_lag', help: 'num_pending + num_ack_pending of the durable consumer (what KEDA scales on)', labelNames: ['stream', 'consumer'], registers: [registry] });
  const pending = new Gauge({ name: 'handrail_consumer_pending', help: 'Messages not yet delivered to the durable consumer', labelNames: ['stream', 'consumer'], registers: [registry] });
  const ackPending = new Gauge({ name: 'handrail_consumer_ack_pending', help: 'Messages delivered and not yet acknowledged', labelNames: ['stream', 'consumer'], registers: [registry] });
  const redelivered = new Gauge({ name: 'handrail_consumer_redelivered', help: 'Messages the server is redelivering (num_redelivered)', labelNames: ['stream', 'consumer'], registers: [registry] });
  const lagErrors = new Counter({ name: 'handrail_consumer_lag_errors_total', help: 'Scrapes that could not read consumer state from the server', registers: [registry] });

  return {
    registry,
    settled(consumer, outcome, seconds, deliveryCount) {
      messages.inc({ stage, consumer, outcome });
      duration.observe({ stage, consumer, outcome }, seconds);
      if (deliveryCount > 1) redeliveries.inc({ stage, consumer });
    },
    deadLettered: (consumer) => deadLetters.inc({ stage, consumer }),
    error: (consumer, code) => errors.inc({ stage, consumer, code }),
    decision: (decision, reason) => decisions.inc({ stage, decision, reason }),
    eventEmitted: (type) => events.inc({ stage, type }),
    llmCall(purpose, result, seconds) {
      llmCalls.inc({ stage, purpose, result });
      llmDuration.observe({ stage, purpose }, seconds);
    },
    llmFallback: (purpose, reason) => llmFallbacks.inc({ stage, purpose, reason }),
    setLagSource: (read) => (lagSource = read),
    async render() {
      if (lagSource) {
        try {
          for (const c of await lagSource()) {
            const l = { stream: c.stream, consumer: c.consumer };
            lag.set(l, c.pending + c.ackPending);
            pending.set(l, c.pending);
            ackPending.set(l, c.ackPending);
            redelivered.set(l, c.redelivered);
          }
        } catch {
          lagErrors.inc();
        }
      }
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
