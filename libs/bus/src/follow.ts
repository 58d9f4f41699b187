import { DeliverPolicy } from '@nats-io/jetstream';
import type { EventEnvelope } from '@handrail/contracts';
import { decodeEvent } from '@handrail/events';
import type { Logger } from '@handrail/observability';
import type { Bus } from './connection.js';

export interface Follower {
  /** Resolves once the stream as it was when following began has been applied. */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Applies every retained event on `subject` (oldest first) and then each new one, with an ordered
 * consumer: how a read model (the console's projection, a report) is rebuilt and kept current.
 */
/**
 * How a follower reads a stored message: by default it decodes it; a service passes its trust's
 * reader so only authentic events (signature, producer, subject checked; sealed text opened) are applied.
 */
export type ReadStored = (m: { subject: string; data: Uint8Array; header(name: string): string | undefined }) => Promise<{ ok: true; env: EventEnvelope } | { ok: false; reason: string }>;

export async function follow(bus: Bus, stream: string, subject: string, apply: (e: EventEnvelope) => void, log: Logger, read?: ReadStored): Promise<Follower> {
  const info = await bus.jsm.streams.info(stream);
  let markCaughtUp: () => void = () => undefined;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  if (info.state.messages === 0) markCaughtUp();
  const oc = await bus.js.consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
  const messages = await oc.consume();
  // A filter that matches nothing yet (e.g. one event type nobody published) is caught up at once.
  if (info.state.messages > 0 && subject !== `${subject.split('.')[0]}.evt.>`) {
    oc.info()
      .then((ci) => {
        if (ci.num_pending === 0 && ci.delivered.stream_seq === 0) markCaughtUp();
      })
      .catch(() => undefined);
  }
  const done = (async () => {
    for await (const m of messages) {
      try {
        if (!read) apply(decodeEvent(m.data));
        else {
          // Only authentic events reach a read model: a forged one is skipped and alerted (issue 11).
          const r = await read({ subject: m.subject, data: m.data, header: (n) => (m.headers?.has(n) ? m.headers.get(n) : undefined) });
          if (r.ok) apply(r.env);
          else log.error({ alert: 'unauthenticated_event', subject: m.subject, seq: m.seq, reason: r.reason }, 'skipped an unauthenticated event');
        }
      } catch (err) {
        // An unreadable event is shown by `handrail dlq`/`replay`; a read model skips it.
        log.warn({ subject: m.subject, seq: m.seq, err: (err as Error).message }, 'skipped an unreadable event');
      }
      if (m.info.pending === 0 || m.seq >= info.state.last_seq) markCaughtUp();
    }
  })().catch((err: unknown) => log.error({ err, stream }, 'event follower stopped'));
  return {
    caughtUp,
    stop: async () => {
      await messages.close();
      await done;
    },
  };
}
