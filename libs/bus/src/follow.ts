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
export async function follow(bus: Bus, stream: string, subject: string, apply: (e: EventEnvelope) => void, log: Logger): Promise<Follower> {
  const info = await bus.jsm.streams.info(stream);
  let markCaughtUp: () => void = () => undefined;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  if (info.state.messages === 0) markCaughtUp();
  const oc = await bus.js.consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
  const messages = await oc.consume();
  const done = (async () => {
    for await (const m of messages) {
      try {
        apply(decodeEvent(m.data));
      } catch (err) {
        // An undecodable event is shown by `handrail dlq`/`replay`; a read model skips it.
        log.warn({ subject: m.subject, seq: m.seq, err: (err as Error).message }, 'skipped an undecodable event');
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
