import { createHash } from 'node:crypto';
import type { EventEnvelope } from '@handrail/contracts';
import { decodeEvent } from '@handrail/events';
import { digestOf, type Verifier } from '@handrail/trust';

/** A stored message as the audit reads it (the events stream, or a copy of it). */
export interface AuditMessage {
  seq: number;
  subject: string;
  data: Uint8Array;
  headers: Record<string, string>;
}

/** One event as a checkpoint records it: id, ticket, time and the digest of its stored bytes. */
export interface CheckpointEntry {
  e: string;
  t: string;
  m: string;
  d: string;
}

/**
 * A signed record over a range of the events stream, chained to the one before: what `audit verify`
 * compares the stream with. Cut by the console periodically and by `handrail audit checkpoint`.
 */
export interface Checkpoint {
  v: 1;
  fromSeq: number;
  toSeq: number;
  at: string;
  /** digest of the previous checkpoint's stored bytes ('' for the first). */
  prev: string;
  /** sha256 over the entries, in order. */
  entriesDigest: string;
  entries: CheckpointEntry[];
}

export function entriesDigest(entries: readonly CheckpointEntry[]): string {
  const h = createHash('sha256');
  for (const x of entries) h.update(`${x.e}\n${x.t}\n${x.m}\n${x.d}\n`);
  return h.digest('base64url');
}

export function entryOf(m: AuditMessage): CheckpointEntry {
  let env: EventEnvelope | undefined;
  try {
    env = decodeEvent(m.data);
  } catch {
    env = undefined;
  }
  return { e: env?.eventId ?? `undecodable@${m.seq}`, t: env?.ticketId ?? '', m: env?.time ?? '', d: digestOf(m.data) };
}

export type ProblemKind = 'modified' | 'deleted' | 'inserted' | 'unauthenticated' | 'checkpoint';

export interface AuditProblem {
  kind: ProblemKind;
  eventId: string;
  ticketId: string;
  seq?: number;
  detail: string;
}

export interface AuditReport {
  ok: boolean;
  events: number;
  checkpoints: number;
  /** Events after the last checkpoint: checked by signature and hash chain only. */
  uncheckpointed: number;
  problems: AuditProblem[];
}

export interface VerifyOptions {
  ticket?: string | undefined;
  /** ISO time: only events at or after it (and the checkpoints' entries for them). */
  since?: string | undefined;
}

/**
 * Verifies the events stream (or a copy) against the checkpoint chain, the producers' signatures and
 * each event's link to its cause. Reports modified, deleted and inserted events by id.
 */
export function verifyAudit(events: readonly AuditMessage[], checkpoints: readonly AuditMessage[], verifier: Verifier, o: VerifyOptions = {}): AuditReport {
  const problems: AuditProblem[] = [];
  const seen = new Set<string>();
  const report = (p: AuditProblem) => {
    const k = `${p.kind}:${p.eventId}:${p.seq ?? ''}`;
    if (seen.has(k)) return;
    seen.add(k);
    problems.push(p);
  };
  const wanted = (t: string, time: string) => (!o.ticket || t === o.ticket) && (!o.since || time >= o.since);

  // 1. The checkpoint chain: signed, linked, each range after the last.
  const recorded = new Map<string, CheckpointEntry>();
  let prevDigest = '';
  let prevTo = 0;
  for (const c of checkpoints) {
    const v = verifier.verifyAudit('checkpoint', c.subject, c.data, (n) => c.headers[n]);
    let cp: Checkpoint;
    try {
      cp = JSON.parse(new TextDecoder().decode(c.data)) as Checkpoint;
    } catch {
      report({ kind: 'checkpoint', eventId: `checkpoint@${c.seq}`, ticketId: '', seq: c.seq, detail: 'undecodable checkpoint' });
      continue;
    }
    if (!v.ok) report({ kind: 'checkpoint', eventId: `checkpoint@${c.seq}`, ticketId: '', seq: c.seq, detail: `checkpoint not authentic: ${v.reason}` });
    if (cp.prev !== prevDigest) report({ kind: 'checkpoint', eventId: `checkpoint@${c.seq}`, ticketId: '', seq: c.seq, detail: 'checkpoint chain broken: a checkpoint was removed or altered' });
    if (cp.fromSeq !== prevTo + 1) report({ kind: 'checkpoint', eventId: `checkpoint@${c.seq}`, ticketId: '', seq: c.seq, detail: `checkpoint starts at ${cp.fromSeq}, the previous ended at ${prevTo}` });
    if (entriesDigest(cp.entries) !== cp.entriesDigest) report({ kind: 'checkpoint', eventId: `checkpoint@${c.seq}`, ticketId: '', seq: c.seq, detail: 'checkpoint entries do not match their digest' });
    for (const x of cp.entries) if (!recorded.has(x.e)) recorded.set(x.e, x);
    prevDigest = digestOf(c.data);
    prevTo = cp.toSeq;
  }

  // 2. Walk the stream in order.
  type Seen = { entry: CheckpointEntry; env?: EventEnvelope; seq: number; authentic: boolean };
  const stored: Seen[] = events.map((m) => {
    const entry = entryOf(m);
    let env: EventEnvelope | undefined;
    try {
      env = decodeEvent(m.data);
    } catch {
      env = undefined;
    }
    const authentic = env ? verifier.verifyEvent(m.subject, m.data, (n) => m.headers[n], env).ok : false;
    return { entry, env, seq: m.seq, authentic };
  });
  let lastRecorded = -1;
  stored.forEach((s, i) => {
    if (recorded.has(s.entry.e)) lastRecorded = i;
  });
  const matched = new Set<string>();
  const byId = new Map<string, Seen>();
  let checked = 0;
  let tail = 0;
  stored.forEach((s, i) => {
    const rec = recorded.get(s.entry.e);
    const inScope = wanted(s.entry.t || rec?.t || '', s.entry.m || rec?.m || '');
    if (s.authentic && !byId.has(s.entry.e)) byId.set(s.entry.e, s);
    if (!inScope) {
      if (rec && rec.d === s.entry.d) matched.add(s.entry.e);
      return;
    }
    checked++;
    if (rec) {
      if (rec.d === s.entry.d && !matched.has(s.entry.e)) {
        matched.add(s.entry.e);
        if (!s.authentic) report({ kind: 'unauthenticated', eventId: s.entry.e, ticketId: s.entry.t, seq: s.seq, detail: 'a forged event the server accepted (consumers dead-lettered it)' });
      } else if (rec.d === s.entry.d) {
        report({ kind: 'inserted', eventId: s.entry.e, ticketId: s.entry.t, seq: s.seq, detail: 'a second copy of a recorded event' });
      } else {
        report({ kind: 'modified', eventId: s.entry.e, ticketId: s.entry.t || rec.t, seq: s.seq, detail: `stored bytes differ from the checkpoint (${s.authentic ? 'and re-signed' : 'signature fails'})` });
      }
    } else if (i < lastRecorded) {
      report({ kind: 'inserted', eventId: s.entry.e, ticketId: s.entry.t, seq: s.seq, detail: 'not in the checkpoint that covers its position' });
    } else {
      tail++;
      if (!s.authentic) report({ kind: 'inserted', eventId: s.entry.e, ticketId: s.entry.t, seq: s.seq, detail: 'not signed by a producer allowed to emit it' });
    }
  });

  // 3. Recorded but gone.
  for (const [id, x] of recorded) {
    if (!matched.has(id) && wanted(x.t, x.m) && !stored.some((s) => s.entry.e === id)) report({ kind: 'deleted', eventId: id, ticketId: x.t, detail: 'recorded in a checkpoint, missing from the stream' });
  }

  // 4. The per-ticket hash chain: each event's link to its cause.
  for (const s of stored) {
    if (!s.env || !s.authentic || !s.env.causationId || !s.env.causeDigest) continue;
    if (!wanted(s.entry.t, s.entry.m)) continue;
    const cause = byId.get(s.env.causationId);
    if (!cause) {
      const rec = recorded.get(s.env.causationId);
      report({ kind: 'deleted', eventId: s.env.causationId, ticketId: s.entry.t, detail: `cause of ${s.entry.e} is missing${rec ? '' : ' (and not checkpointed yet)'}` });
    } else if (cause.entry.d !== s.env.causeDigest) {
      report({ kind: 'modified', eventId: cause.entry.e, ticketId: cause.entry.t, seq: cause.seq, detail: `does not match the digest ${s.entry.e} recorded for its cause` });
    }
  }
  return { ok: problems.filter((p) => p.kind !== 'unauthenticated').length === 0, events: checked, checkpoints: checkpoints.length, uncheckpointed: tail, problems };
}
