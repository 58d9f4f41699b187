import { createHash } from 'node:crypto';
import { scanStream, type Bus } from '@handrail/bus';
import type { EventEnvelope } from '@handrail/contracts';
import type { Topology } from '@handrail/events';
import type { Logger } from '@handrail/observability';
import type { Db } from './db.js';
import { rowsOf, shadowRowsOf, type Statement } from './rows.js';

export type ReadEvent = (m: { subject: string; data: Uint8Array; header(name: string): string | undefined }) => Promise<{ ok: true; env: EventEnvelope } | { ok: false; reason: string }>;

/** The streams the projector follows, by their key in `projector_position`: events, and shadow decisions (issue 15). */
export type ProjectedStream = 'events' | 'shadow';
const ROWS: Record<ProjectedStream, (seq: number, storedAt: string, e: EventEnvelope) => Statement[]> = { events: rowsOf, shadow: shadowRowsOf };

/** The last sequence applied from a stream (0: nothing yet); the events stream unless told. */
export async function storedPosition(db: Db, stream: ProjectedStream = 'events'): Promise<number> {
  const rows = await db.query<{ last_seq: string | number }>('SELECT last_seq FROM projector_position WHERE stream = $1', [stream]);
  return Number(rows[0]?.last_seq ?? 0);
}

/**
 * Applies one event and moves the position in the same transaction: a crash between the two is
 * impossible, so a restarted projector resumes exactly after the last event it applied. An event at or
 * before the stored position is a redelivery and changes nothing.
 */
export async function applyEvent(db: Db, seq: number, storedAt: string, env: EventEnvelope | undefined, stream: ProjectedStream = 'events'): Promise<boolean> {
  return db.transaction(async (q) => {
    const rows = await q<{ last_seq: string | number }>('SELECT last_seq FROM projector_position WHERE stream = $1 FOR UPDATE', [stream]);
    if (Number(rows[0]?.last_seq ?? 0) >= seq) return false;
    for (const s of env ? ROWS[stream](seq, storedAt, env) : []) await q(s.sql, s.params);
    await q('INSERT INTO projector_position (stream, last_seq) VALUES ($1, $2) ON CONFLICT (stream) DO UPDATE SET last_seq = EXCLUDED.last_seq', [stream, seq]);
    return true;
  });
}

export interface RunningProjector {
  /** Resolves once every event stored when it started is applied (both streams). */
  caughtUp: Promise<void>;
  /** Events-stream events applied since start. */
  applied(): number;
  /** Shadow decisions applied since start. */
  appliedShadow(): number;
  /** Why the engine stopped on its own (a database error): it applies nothing more; undefined while it runs. */
  failure(): Error | undefined;
  stop(): Promise<void>;
}

/**
 * Follows the events stream and the shadow stream, each from its stored position, applying each authentic
 * event; unauthentic ones only move the position. `onApplied` hears of each events-stream event once committed
 * (`onShadow` of each shadow decision).
 */
export async function startProjector(
  bus: Bus,
  topo: Topology,
  db: Db,
  read: ReadEvent,
  log: Logger,
  o: { onApplied?: (seq: number, env: EventEnvelope | undefined) => void; onShadow?: (seq: number, env: EventEnvelope | undefined) => void } = {},
): Promise<RunningProjector> {
  const stop = new AbortController();
  let failure: Error | undefined;
  const follow = async (stream: ProjectedStream, name: string, filter: string, onApplied?: (seq: number, env: EventEnvelope | undefined) => void) => {
    const from = await storedPosition(db, stream);
    const end = (await bus.jsm.streams.info(name)).state.last_seq;
    let markCaughtUp: () => void = () => undefined;
    const caughtUp = new Promise<void>((r) => (markCaughtUp = r));
    if (from >= end) markCaughtUp();
    let applied = 0;
    log.info({ stream, from, end }, 'projector resuming from its stored position');
    const done = (async () => {
      for await (const m of scanStream(bus, name, { filter, afterSeq: from, follow: true, signal: stop.signal })) {
        // Stopping drops what the consumer had buffered: the next start resumes from the stored position.
        if (stop.signal.aborted) break;
        const r = await read({ subject: m.subject, data: m.data, header: (n) => m.headers[n] });
        if (!r.ok) log.error({ alert: 'unauthenticated_event', stream, seq: m.seq, reason: r.reason }, 'skipped an unauthenticated event');
        if (await applyEvent(db, m.seq, m.time, r.ok ? r.env : undefined, stream)) {
          applied++;
          onApplied?.(m.seq, r.ok ? r.env : undefined);
        }
        if (m.seq >= end) markCaughtUp();
      }
    })().catch((err: unknown) => {
      failure ??= err instanceof Error ? err : new Error(String(err));
      // Recorded, not rethrown: readiness reports it (and the process is restarted), nothing goes unhandled.
      log.error({ err, stream }, 'projector stopped');
      markCaughtUp();
    });
    return { caughtUp, done, applied: () => applied };
  };
  const events = await follow('events', topo.streams.events, topo.subjects.allEvents(), o.onApplied);
  const shadow = await follow('shadow', topo.streams.shadow, topo.subjects.allShadow(), o.onShadow);
  return {
    caughtUp: Promise.all([events.caughtUp, shadow.caughtUp]).then(() => undefined),
    applied: events.applied,
    appliedShadow: shadow.applied,
    failure: () => failure,
    stop: async () => {
      stop.abort();
      await Promise.all([events.done, shadow.done]);
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
  ['drafts', 'event_id'],
  ['decision_details', 'event_id'],
  ['qa_findings', 'event_id, position'],
  ['qa_draws', 'event_id'],
  ['shadow_decisions', 'seq'],
  ['qa_alerts', 'event_id'],
  ['automation_changes', 'event_id'],
  ['calibration_sessions', 'session_id'],
  ['projector_position', 'stream'],
];

/** Row counts per table and one sha256 over every row in key order: two projections are the same iff these are. */
export async function projectionDigest(db: Db): Promise<{ counts: Record<string, number>; sha256: string }> {
  const h = createHash('sha256');
  const counts: Record<string, number> = {};
  for (const [table, key] of PROJECTION_TABLES) {
    const rows = await db.query(`SELECT * FROM ${table} ORDER BY ${key}`);
    counts[table] = rows.length;
    h.update(`${table}\n`);
    // Values as text, so a server (bigint as string) and PGlite (bigint as number) hash the same rows equal; jsonb as its JSON.
    for (const r of rows) h.update(`${JSON.stringify(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v)]))}\n`);
  }
  return { counts, sha256: h.digest('hex') };
}

/** Empties the projection (schema down and up again): the next start replays the stream from zero. */
export async function resetProjection(db: Db, migrate: (db: Db, o: { direction: 'up' | 'down' }) => Promise<unknown>): Promise<void> {
  await migrate(db, { direction: 'down' });
  await migrate(db, { direction: 'up' });
}
