import { DeliverPolicy } from '@nats-io/jetstream';
import type { EventEnvelope } from '@handrail/contracts';
import { decodeEvent, type Topology } from '@handrail/events';
import { NotFoundError } from '@handrail/errors';
import type { Bus } from './connection.js';

export interface StoredMessage {
  subject: string;
  seq: number;
  data: Uint8Array;
  headers: Record<string, string>;
}

/**
 * Reads every message on `filter` from a stream, oldest first, with an ephemeral ordered consumer
 * (a single filter subject, so it works on NATS 2.9). Everything, unless the caller pages with
 * `max` (+ `fromSeq`): there is no silent default cap (issue 15: it stopped at 100k). What does not
 * fit in memory is read with `scanStream`, which streams.
 */
export async function readStream(bus: Bus, stream: string, filter: string, o: { max?: number; idleMs?: number; fromSeq?: number } = {}): Promise<StoredMessage[]> {
  const max = o.max ?? Number.POSITIVE_INFINITY;
  const out: StoredMessage[] = [];
  const start = o.fromSeq && o.fromSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: o.fromSeq } : { deliver_policy: DeliverPolicy.All };
  const oc = await bus.js.consumers.get(stream, { filter_subjects: filter, ...start }).catch((err: unknown) => {
    if (/stream not found/i.test((err as Error).message)) {
      throw new NotFoundError(`stream ${stream} does not exist (is HANDRAIL_PREFIX right, and has anything run with it?)`);
    }
    throw err;
  });
  try {
    for (;;) {
      // `expires` must be ≥ 1 s; the loop leaves as soon as the server says nothing is pending,
      // so only an empty result waits the full second.
      const batch = await oc.fetch({ max_messages: 500, expires: Math.max(1_000, o.idleMs ?? 1_000) });
      let got = 0;
      let pending = -1;
      for await (const m of batch) {
        got++;
        pending = m.info.pending;
        const headers: Record<string, string> = {};
        for (const [k] of m.headers ?? []) headers[k] = m.headers?.get(k) ?? '';
        out.push({ subject: m.subject, seq: m.seq, data: m.data, headers });
        if (out.length >= max) return out;
        if (pending === 0) break;
      }
      if (got === 0 || pending === 0) return out;
    }
  } finally {
    await oc.delete().catch(() => undefined);
  }
}

/** One ticket's events in order, decoded; undecodable entries are skipped with their subject noted. */
export async function readTicketTimeline(bus: Bus, topo: Topology, ticketId: string): Promise<EventEnvelope[]> {
  const stored = await readStream(bus, topo.streams.events, topo.subjects.ticketTimeline(ticketId), { idleMs: 500 });
  const out: EventEnvelope[] = [];
  for (const s of stored) {
    try {
      out.push(decodeEvent(s.data));
    } catch {
      // An undecodable event cannot be explained; the rest of the timeline still can.
    }
  }
  return out;
}
