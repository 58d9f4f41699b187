import { DeliverPolicy, type ConsumerMessages, type JsMsg, type OrderedConsumerOptions } from '@nats-io/jetstream';
import { NotFoundError } from '@handrail/errors';
import type { Bus } from './connection.js';

/** A retained message with its stream position and the time the server stored it. */
export interface ScannedMessage {
  subject: string;
  seq: number;
  /** When the server stored it (ISO 8601). */
  time: string;
  data: Uint8Array;
  headers: Record<string, string>;
}

/**
 * Where a scan starts and stops. Bounds combine (the later start and the earlier end win): a resume
 * cursor (`afterSeq`) with a time window resumes inside the window.
 */
export interface ScanOptions {
  /** One subject filter (NATS 2.9: one per consumer). */
  filter: string;
  /** Resume cursor: the last sequence already handled; the scan starts just after it. */
  afterSeq?: number | undefined;
  /** First stored time to include. */
  from?: Date | undefined;
  /** Stored time to stop before (exclusive). */
  to?: Date | undefined;
  /**
   * Keep following new messages once the retained ones are read (`tail`). Without it the scan ends at
   * the stream's last sequence as it was when the scan began, so it always terminates.
   */
  follow?: boolean | undefined;
  /** Messages fetched per pull (bounded memory: at most this many are held at once). */
  batch?: number | undefined;
  signal?: AbortSignal | undefined;
}

function headersOf(m: JsMsg): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k] of m.headers ?? []) out[k] = m.headers?.get(k) ?? '';
  return out;
}

function scanned(m: JsMsg): ScannedMessage {
  return { subject: m.subject, seq: m.seq, time: m.time.toISOString(), data: m.data, headers: headersOf(m) };
}

/**
 * Every retained message on `filter` inside the bounds, oldest first, as an async iterator over an
 * ephemeral ordered consumer: memory stays at one batch however long the stream is, and nothing is
 * cut off — the scan ends only at the bounds (or the stream's end when it began), never at a count.
 * The caller keeps `seq` of the last message it handled as the resume cursor.
 */
export async function* scanStream(bus: Bus, stream: string, o: ScanOptions): AsyncGenerator<ScannedMessage> {
  const info = await bus.jsm.streams.info(stream).catch((err: unknown) => {
    if (/stream not found/i.test((err as Error).message)) {
      throw new NotFoundError(`stream ${stream} does not exist (is HANDRAIL_PREFIX right, and has anything run with it?)`);
    }
    throw err;
  });
  const endSeq = info.state.last_seq;
  const startSeq = Math.max(1, (o.afterSeq ?? 0) + 1, info.state.first_seq);
  const toMs = o.to?.getTime();
  if (!o.follow && (endSeq < startSeq || info.state.messages === 0)) return;
  // A sequence cursor beats a start time when both are given: it is exact; the time check below
  // still drops anything stored before `from`.
  const start: Partial<OrderedConsumerOptions> =
    o.afterSeq !== undefined && o.afterSeq > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }
      : o.from
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: o.from.toISOString() }
        : { deliver_policy: DeliverPolicy.All };
  const oc = await bus.js.consumers.get(stream, { filter_subjects: o.filter, ...start });
  const fromMs = o.from?.getTime();
  const keep = (m: JsMsg): 'yield' | 'skip' | 'stop' => {
    const t = m.time.getTime();
    if (toMs !== undefined && t >= toMs) return 'stop';
    if (!o.follow && m.seq > endSeq) return 'stop';
    if (fromMs !== undefined && t < fromMs) return 'skip';
    return 'yield';
  };
  try {
    if (o.follow) {
      const messages: ConsumerMessages = await oc.consume({ max_messages: o.batch ?? 256 });
      const abort = () => void messages.close();
      o.signal?.addEventListener('abort', abort, { once: true });
      try {
        for await (const m of messages) {
          const k = keep(m);
          if (k === 'stop') return;
          if (k === 'yield') yield scanned(m);
        }
      } finally {
        o.signal?.removeEventListener('abort', abort);
        await messages.close();
      }
      return;
    }
    for (;;) {
      if (o.signal?.aborted) return;
      // `expires` ≥ 1 s; only an empty answer waits that long, and then the scan is over.
      const batch = await oc.fetch({ max_messages: o.batch ?? 500, expires: 1_000 });
      let got = 0;
      let last = 0;
      let pending = -1;
      for await (const m of batch) {
        got++;
        last = m.seq;
        pending = m.info.pending;
        const k = keep(m);
        if (k === 'stop') return;
        if (k === 'yield') yield scanned(m);
        // Nothing more on this filter when it was delivered: done, without waiting out `expires`.
        if (m.seq >= endSeq || pending === 0) return;
      }
      if (got === 0 || (pending === 0 && last >= endSeq)) return;
    }
  } finally {
    await oc.delete().catch(() => undefined);
  }
}
