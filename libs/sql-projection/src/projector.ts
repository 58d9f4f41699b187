import { createHash } from 'node:crypto';
import { scanStream, type Bus } from '@handrail/bus';
import type { EventEnvelope } from '@handrail/contracts';
import type { Topology } from '@handrail/events';
import type { Logger } from '@handrail/observability';
import type { Db } from './db.js';
import { rowsOf } from './rows.js';

export type ReadEvent = (m: { subject: string; data: Uint8Array; header(name: string): string | undefined }) => Promise<{ ok: true; env: EventEnvelope } | { ok: false; reason: string }>;

const STREAM_KEY = 'events';

/** The last sequence applied (0: nothing yet). */
export async function storedPosition(db: Db): Promise<number> {
  const rows = await db.query<{ last_seq: string | number }>('SELECT last_seq FROM projector_position WHERE stream = $1', [STREAM_KEY]);
  return Number(rows[0]?.last_seq ?? 0);
}

/**
 * Applies one event and moves the position in the same transaction: a crash between the two is
 * impossible, so a restarted projector resumes exactly after the last event it applied. An event at or
 * before the stored position is a redelivery and changes nothing.
 */
export async function applyEvent(db: Db, seq: number, storedAt: string, env: EventEnvelope | undefined): Promise<boolean> {
  return db.transaction(async (q) => {
    const rows = await q<{ last_seq: string | number }>('SELECT last_seq FROM projector_position WHERE stream = $1 FOR UPDATE', [STREAM_KEY]);
    if (Number(rows[0]?.last_seq ?? 0) >= seq) return false;
    for (const s of env ? rowsOf(seq, storedAt, env) : []) await q(s.sql, s.params);
    await q('INSERT INTO projector_position (stream, last_seq) VALUES ($1, $2) ON CONFLICT (stream) DO UPDATE SET last_seq = EXCLUDED.last_seq', [STREAM_KEY, seq]);
    return true;
  });
}

export interface RunningProjector {
  /** Resolves once every event stored when it started is applied. */
  caughtUp: Promise<void>;
  applied(): number;
  /** Why the engine stopped on its own (a database error): it applies nothing more; undefined while it runs. */
  failure(): Error | undefined;
  stop(): Promise<void>;
}

/** Follows the events stream from the stored position, applying each authentic event; unauthentic ones only move the position. `onApplied` hears of each event once committed. */
export async function startProjector(bus: Bus, topo: Topology, db: Db, read: ReadEvent, log: Logger, o: { onApplied?: (seq: number, env: EventEnvelope | undefined) => void } = {}): Promise<RunningProjector> {
  const from = await storedPosition(db);
  const end = (await bus.jsm.streams.info(topo.streams.events)).state.last_seq;
  let markCaughtUp: () => void = () => undefined;
  const caughtUp = new Promise<void>((r) => (markCaughtUp = r));
  if (from >= end) markCaughtUp();
  const stop = new AbortController();
  let applied = 0;
  let failure: Error | undefined;
  log.info({ from, end }, 'projector resuming from its stored position');
  const done = (async () => {
    for await (const m of scanStream(bus, topo.streams.events, { filter: topo.subjects.allEvents(), afterSeq: from, follow: true, signal: stop.signal })) {
      // Stopping drops what the consumer had buffered: the next start resumes from the stored position.
      if (stop.signal.aborted) break;
      const r = await read({ subject: m.subject, data: m.data, header: (n) => m.headers[n] });
      if (!r.ok) log.error({ alert: 'unauthenticated_event', seq: m.seq, reason: r.reason }, 'skipped an unauthenticated event');
      if (await applyEvent(db, m.seq, m.time, r.ok ? r.env : undefined)) {
        applied++;
        o.onApplied?.(m.seq, r.ok ? r.env : undefined);
      }
      if (m.seq >= end) markCaughtUp();
    }
  })().catch((err: unknown) => {
    failure = err instanceof Error ? err : new Error(String(err));
    // Recorded, not rethrown: readiness reports it (and the process is restarted), nothing goes unhandled.
    log.error({ err }, 'projector stopped');
  });
  return {
    caughtUp,
    applied: () => applied,
    failure: () => failure,
    stop: async () => {
      stop.abort();
      await done;
    },
  };
}

/** The projection's tables and their keys, in a fixed order (the digest and the docs use it). */
export const PROJECTION_TABLES: ReadonlyArray<[string, string]> = [
  ['events', 'seq'],
  ['tickets', 'ticket_id'],
  ['decisions', 'ticket_id'],
  ['decision_reasons', 'ticket_id, position'],
  ['draft_citations', 'ticket_id, article_id'],
  ['human_actions', 'event_id'],
  ['qa_samples', 'ticket_id'],
  ['qa_verdicts', 'event_id'],
  ['qa_defects', 'event_id, defect'],
  ['outcomes', 'event_id'],
];

/** Row counts per table and one sha256 over every row in key order: two projections are the same iff these are. */
export async function projectionDigest(db: Db): Promise<{ counts: Record<string, number>; sha256: string }> {
  const h = createHash('sha256');
  const counts: Record<string, number> = {};
  for (const [table, key] of PROJECTION_TABLES) {
    const rows = await db.query(`SELECT * FROM ${table} ORDER BY ${key}`);
    counts[table] = rows.length;
    h.update(`${table}\n`);
    // Values as text, so a server (bigint as string) and PGlite (bigint as number) hash the same rows equal.
    for (const r of rows) h.update(`${JSON.stringify(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v === null ? null : String(v)]))}\n`);
  }
  return { counts, sha256: h.digest('hex') };
}

/** Empties the projection (schema down and up again): the next start replays the stream from zero. */
export async function resetProjection(db: Db, migrate: (db: Db, o: { direction: 'up' | 'down' }) => Promise<unknown>): Promise<void> {
  await migrate(db, { direction: 'down' });
  await migrate(db, { direction: 'up' });
}
