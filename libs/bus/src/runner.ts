import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import { HandrailError, normalizeError } from '@handrail/errors';
import type { Topology } from '@handrail/events';
import { extractTraceContext, scrubPii, withSpan, type Context, type Logger, type Tracer } from '@handrail/observability';
import type { Bus } from './connection.js';
import { backoffMs, type Outcome } from './outcome.js';
import { EventPublisher, headerCarrier } from './publisher.js';
import { ensureConsumer, verifyConsumer } from './topology.js';

export interface Delivery<T> {
  readonly value: T;
  readonly subject: string;
  readonly deliveryCount: number;
  readonly streamSequence: number;
  /** The trace context of this delivery's span: what anything published on its behalf propagates. */
  readonly traceContext: Context;
  /** The stored bytes (signature checks and audit links hash exactly these). */
  readonly data: Uint8Array;
  header(name: string): string | undefined;
}

export interface ConsumerRunOptions<T> {
  bus: Bus;
  topo: Topology;
  /** Used for the dead-letter subject and span names. */
  stage: string;
  stream: string;
  durable: string;
  filterSubject: string;
  /** Turns raw bytes into the handler's input; a throw dead-letters the message with the reason. */
  decode: (data: Uint8Array, subject: string) => T;
  handler: (d: Delivery<T>) => Promise<Outcome>;
  concurrency: number;
  /**
   * Unacknowledged messages the server lets out at once, across every replica (default: several
   * times `concurrency`). 1 makes the consumer strictly sequential: one message in flight, in order.
   */
  maxAckPending?: number;
  maxDeliver: number;
  ackWaitMs: number;
  log: Logger;
  tracer: Tracer;
  /** Span attributes from the decoded value (ids only: never customer text). */
  attributes?: (value: T) => Record<string, string>;
  /**
   * `ensure` (default) creates or updates the durable; `verify` only binds to one the provisioner made
   * (issue 11), taking its ack wait from the server.
   */
  bind?: 'ensure' | 'verify';
  /** Told how each message ended (metrics); never sees the message. */
  observer?: ConsumerObserver;
}

export interface ConsumerObserver {
  settled(consumer: string, outcome: Outcome['kind'], seconds: number, deliveryCount: number): void;
  deadLettered(consumer: string): void;
  error(consumer: string, code: string): void;
}

export interface ConsumerStats {
  stage: string;
  durable: string;
  inFlight: number;
  acked: number;
  retried: number;
  deadLettered: number;
}

export interface RunningConsumer {
  readonly name: string;
  stats(): ConsumerStats;
  /** Stops pulling, then waits up to `deadlineMs` for in-flight work; resolves with what was left unfinished. */
  stop(deadlineMs: number): Promise<{ unfinished: number }>;
}

export const DLQ_HEADERS = {
  reason: 'Handrail-Dlq-Reason',
  stage: 'Handrail-Dlq-Stage',
  subject: 'Handrail-Original-Subject',
  sequence: 'Handrail-Original-Seq',
  deliveries: 'Handrail-Delivery-Count',
  /** The original `Nats-Msg-Id`, so `handrail dlq replay` re-injects with it (idempotent). */
  msgId: 'Handrail-Original-Msg-Id',
} as const;

/**
 * A reason fit for a header: PII scrubbed, control characters and non-ASCII escaped (a CR/LF from
 * quoted input once made the dead-letter publish throw and the message die), bounded (issue 11).
 */
export function headerSafeReason(reason: string): string {
  const scrubbed = scrubPii(reason);
  let out = '';
  for (const ch of scrubbed) {
    const c = ch.codePointAt(0) ?? 0;
    out += c >= 0x20 && c < 0x7f ? ch : c <= 0xffff ? `\\u${c.toString(16).padStart(4, '0')}` : `\\u{${c.toString(16)}}`;
    if (out.length >= 1000) break;
  }
  return out.slice(0, 1000);
}

/** Headers of the original message that travel with its dead letter (trace, signature); not NATS' own. */
function carriedHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const [k] of h) {
    if (k.startsWith('Nats-') || k.startsWith('Handrail-Dlq') || k === 'Handrail-Original-Subject') continue;
    out[k] = h.get(k);
  }
  return out;
}

/**
 * Pulls from one durable consumer and runs the handler with bounded concurrency. The handler only
 * returns an Outcome; acks, back-off, `working()` heart-beats and dead-lettering all happen here.
 */
export async function runConsumer<T>(o: ConsumerRunOptions<T>): Promise<RunningConsumer> {
  let ackWaitMs = o.ackWaitMs;
  if (o.bind === 'verify') {
    ackWaitMs = (await verifyConsumer(o.bus.jsm, { stream: o.stream, durable: o.durable, filterSubject: o.filterSubject })).ackWaitMs;
  } else {
    await ensureConsumer(o.bus.jsm, {
      stream: o.stream,
      durable: o.durable,
      filterSubject: o.filterSubject,
      maxDeliver: o.maxDeliver,
      ackWaitMs: o.ackWaitMs,
      maxAckPending: o.maxAckPending ?? Math.max(o.concurrency * 4, 256),
    });
  }
  const consumer = await o.bus.js.consumers.get(o.stream, o.durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: o.concurrency * 2 });
  const publisher = new EventPublisher(o.bus.js, o.topo);
  const stats: ConsumerStats = { stage: o.stage, durable: o.durable, inFlight: 0, acked: 0, retried: 0, deadLettered: 0 };
  const inFlight = new Set<Promise<void>>();
  let slotFreed: (() => void) | undefined;

  /** Reasons whose dead-letter publish failed, by stream sequence: the retry keeps the original reason. */
  const unsentDeadLetters = new Map<number, string>();
  const sendToDeadLetter = async (m: JsMsg, reason: string): Promise<void> => {
    const extra: Record<string, string> = {
      ...carriedHeaders(m.headers),
      [DLQ_HEADERS.msgId]: m.headers?.get('Nats-Msg-Id') ?? '',
      [DLQ_HEADERS.reason]: headerSafeReason(reason),
      [DLQ_HEADERS.stage]: o.stage,
      [DLQ_HEADERS.subject]: m.subject,
      [DLQ_HEADERS.sequence]: String(m.info.streamSequence),
      [DLQ_HEADERS.deliveries]: String(m.info.deliveryCount),
    };
    const id = `dlq:${o.stream}:${m.info.streamSequence}:${o.durable}`;
    try {
      await publisher.publishRaw(o.topo.subjects.deadLetter(o.stage), m.data, id, extra);
    } catch (err) {
      // Never drop it: leave it to be redelivered (the durable has no server-side delivery limit).
      if (unsentDeadLetters.size < 10_000) unsentDeadLetters.set(m.info.streamSequence, reason);
      m.nak(backoffMs(m.info.deliveryCount));
      o.log.error({ err, stage: o.stage, seq: m.info.streamSequence }, 'dead-letter publish failed; the message will be redelivered');
      return;
    }
    unsentDeadLetters.delete(m.info.streamSequence);
    m.term();
    stats.deadLettered++;
    o.observer?.deadLettered(o.durable);
    o.log.warn({ stage: o.stage, seq: m.info.streamSequence, reason: extra[DLQ_HEADERS.reason]?.slice(0, 200) }, 'dead-lettered');
  };

  const settle = async (m: JsMsg, outcome: Outcome): Promise<void> => {
    switch (outcome.kind) {
      case 'ack':
        m.ack();
        stats.acked++;
        return;
      case 'retry':
        if (m.info.deliveryCount >= o.maxDeliver) {
          await sendToDeadLetter(m, `kept failing after ${m.info.deliveryCount} deliveries: ${outcome.reason}`);
          return;
        }
        m.nak(outcome.delayMs);
        stats.retried++;
        return;
      case 'dead_letter':
        await sendToDeadLetter(m, outcome.reason);
        return;
    }
  };

  const handleOne = async (m: JsMsg): Promise<void> => {
    const started = performance.now();
    const heartbeat = setInterval(() => m.working(), Math.max(500, Math.floor(ackWaitMs / 3)));
    try {
      // Crashed or timed out on every delivery so far (a handler that never returns, a process killed
      // mid-message): dead-letter it rather than loop forever.
      if (m.info.deliveryCount > o.maxDeliver) {
        const unsent = unsentDeadLetters.get(m.info.streamSequence);
        await sendToDeadLetter(m, unsent ?? `delivered ${m.info.deliveryCount} times without being settled (a crash or an ack timeout each time)`);
        o.observer?.settled(o.durable, 'dead_letter', (performance.now() - started) / 1000, m.info.deliveryCount);
        return;
      }
      let value: T;
      try {
        value = o.decode(m.data, m.subject);
      } catch (err) {
        await sendToDeadLetter(m, `undecodable: ${(err as Error).message}`);
        o.observer?.error(o.durable, 'undecodable');
        o.observer?.settled(o.durable, 'dead_letter', (performance.now() - started) / 1000, m.info.deliveryCount);
        return;
      }
      const hdrs: MsgHdrs | undefined = m.headers;
      const parent = extractTraceContext(hdrs ? headerCarrier(hdrs) : { get: () => undefined, set: () => {} });
      const outcome = await withSpan(
        o.tracer,
        `${o.stage} handle`,
        parent,
        { 'messaging.system': 'nats', 'messaging.destination': m.subject, ...(o.attributes?.(value) ?? {}) },
        async (_span, traceContext) => {
          try {
            return await o.handler({
              value,
              subject: m.subject,
              deliveryCount: m.info.deliveryCount,
              streamSequence: m.info.streamSequence,
              traceContext,
              data: m.data,
              header: (name) => (hdrs?.has(name) ? hdrs.get(name) : undefined),
            });
          } catch (err) {
            o.observer?.error(o.durable, err instanceof HandrailError ? err.code : 'internal');
            // A known, non-retryable error is final now; anything else may be passing trouble and is
            // retried with back-off until max deliveries, then dead-lettered as "kept failing".
            if (err instanceof HandrailError && !err.retryable) return { kind: 'dead_letter', reason: `${err.code}: ${err.message}` } as const;
            return { kind: 'retry', delayMs: backoffMs(m.info.deliveryCount), reason: normalizeError(err).message } as const;
          }
        },
      );
      await settle(m, outcome);
      const final = outcome.kind === 'retry' && m.info.deliveryCount >= o.maxDeliver ? 'dead_letter' : outcome.kind;
      o.observer?.settled(o.durable, final, (performance.now() - started) / 1000, m.info.deliveryCount);
    } catch (err) {
      o.observer?.error(o.durable, 'settle_failed');
      // Settling itself failed (bus unavailable): leave the message un-acked; it is redelivered.
      o.log.error({ err, stage: o.stage }, 'could not settle message; it will be redelivered');
    } finally {
      clearInterval(heartbeat);
    }
  };

  const loop = (async () => {
    for await (const m of messages) {
      while (stats.inFlight >= o.concurrency) {
        await new Promise<void>((r) => (slotFreed = r));
      }
      stats.inFlight++;
      const p = handleOne(m).finally(() => {
        stats.inFlight--;
        inFlight.delete(p);
        const wake = slotFreed;
        slotFreed = undefined;
        wake?.();
      });
      inFlight.add(p);
    }
  })();
  loop.catch((err: unknown) => o.log.error({ err, stage: o.stage }, 'consumer loop failed'));

  return {
    name: `${o.stage}/${o.durable}`,
    stats: () => ({ ...stats }),
    async stop(deadlineMs: number) {
      messages.stop();
      await loop.catch(() => undefined);
      const all = Promise.allSettled([...inFlight]);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), deadlineMs))),
      ]);
      clearTimeout(timer);
      return { unfinished: timedOut ? inFlight.size : 0 };
    },
  };
}
