import { ROUTE, type RouteName } from '@handrail/events';
import { queuesOf, type QueueOptions, type Queues, type QueueTicket } from '@handrail/projection';
import type { Db } from './db.js';
import { storedPosition } from './projector.js';

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : '');
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : typeof v === 'string' ? (JSON.parse(v) as T[]) : []);
const routeOf = (v: unknown): RouteName | undefined => (typeof v === 'string' && ROUTE.parse(v) !== undefined ? (v as RouteName) : undefined);

interface QueueRow extends Record<string, unknown> {
  ticket_id: string;
  external_id: string;
  customer_id: string;
  customer_tier: string;
  channel: string;
  area: string | null;
  intent: string | null;
  route: string | null;
  queue: string | null;
  priority: string | null;
  received_at: unknown;
  concluded_at: unknown;
  sampled: boolean;
  reasons: unknown;
  deciders: unknown;
  reviewers: unknown;
  last_claim: unknown;
}

/**
 * The tickets the work lists can show: open (awaiting approval or escalated, undecided) or in the QA
 * sample (drawn by the sampler, seeded, or rated bad by the customer). One query; the lists, filters,
 * SLA and ordering are then `queuesOf`'s, the same code the in-memory read model used.
 */
const QUEUE_TICKETS = `
SELECT t.ticket_id, t.external_id, t.customer_id, t.customer_tier, t.channel, COALESCE(d.area, t.area) AS area, t.intent,
       t.route, t.queue, t.priority, t.received_at, t.concluded_at,
       (s.ticket_id IS NOT NULL OR bad.ticket_id IS NOT NULL) AS sampled,
       (SELECT COALESCE(json_agg(r.code ORDER BY r.position), '[]'::json) FROM decision_reasons r WHERE r.ticket_id = t.ticket_id) AS reasons,
       (SELECT COALESCE(json_agg(h.actor), '[]'::json) FROM human_actions h WHERE h.ticket_id = t.ticket_id AND h.kind = 'decision') AS deciders,
       (SELECT COALESCE(json_agg(DISTINCT v.reviewer), '[]'::json) FROM qa_verdicts v WHERE v.ticket_id = t.ticket_id) AS reviewers,
       (SELECT json_build_object('kind', h.kind, 'action', h.action, 'actor', h.actor, 'name', h.actor_name)
          FROM human_actions h JOIN events e ON e.event_id = h.event_id
         WHERE h.ticket_id = t.ticket_id AND h.kind IN ('claim', 'decision') ORDER BY e.seq DESC LIMIT 1) AS last_claim
  FROM tickets t
  LEFT JOIN decisions d ON d.ticket_id = t.ticket_id
  LEFT JOIN qa_samples s ON s.ticket_id = t.ticket_id
  LEFT JOIN (SELECT DISTINCT ticket_id FROM outcomes WHERE kind = 'helpdesk_satisfaction' AND detail = 'bad') bad ON bad.ticket_id = t.ticket_id
 WHERE t.route IS NOT NULL
   AND ((t.route IN ('awaiting_approval', 'escalated') AND NOT EXISTS (SELECT 1 FROM human_actions h WHERE h.ticket_id = t.ticket_id AND h.kind = 'decision'))
        OR s.ticket_id IS NOT NULL OR bad.ticket_id IS NOT NULL)`;

/** The open and sampled tickets as the work lists read them; `subjectOf` adds the customer's subject line (not in SQL, by design). */
export async function queueTickets(db: Db, subjectOf: (ticketId: string) => string | Promise<string> = () => ''): Promise<QueueTicket[]> {
  const rows = await db.query<QueueRow>(QUEUE_TICKETS);
  const subjects = await Promise.all(rows.map((r) => subjectOf(r.ticket_id)));
  return rows.map((r, i) => {
    const claim = r.last_claim as { kind: string; action: string; actor: string; name: string } | null;
    return {
      ticketId: r.ticket_id,
      externalId: r.external_id,
      customerId: r.customer_id,
      customer: r.customer_tier ? { tier: r.customer_tier } : undefined,
      channel: r.channel,
      subject: subjects[i] ?? '',
      area: r.area ?? 'unknown',
      intent: r.intent ?? '',
      route: routeOf(r.route),
      queue: r.queue ?? '',
      priority: r.priority ?? '',
      reasons: list<string>(r.reasons).map((code) => ({ code })),
      qaSampled: r.sampled ? true : undefined,
      decisions: list<string>(r.deciders).map((actor) => ({ actor })),
      reviews: list<string>(r.reviewers).map((reviewer) => ({ reviewer })),
      // The last claim event stands until a decision (which releases it) or a release.
      claim: claim?.kind === 'claim' && claim.action === 'claim' ? { owner: claim.actor, ownerName: claim.name || claim.actor } : undefined,
      times: { received: iso(r.received_at) || iso(r.concluded_at), concluded: iso(r.concluded_at) },
    };
  });
}

/** The work lists and their counts from the projection (`decided` counts every ticket a person decided). */
export async function sqlQueues(db: Db, o: QueueOptions & { subjectOf?: (ticketId: string) => string | Promise<string> } = {}): Promise<Queues> {
  const [tickets, decided] = await Promise.all([
    queueTickets(db, o.subjectOf),
    db.query<{ n: string | number }>("SELECT count(DISTINCT ticket_id) AS n FROM human_actions WHERE kind = 'decision'"),
  ]);
  const q = queuesOf(tickets, o);
  return { ...q, counts: { ...q.counts, decided: Number(decided[0]?.n ?? 0) } };
}

/**
 * Read-your-writes: resolves true once the projection has applied stream sequence `seq` (a publish
 * ack's), false if `timeoutMs` passes first (the caller answers anyway; the next read catches up).
 */
export async function waitForPosition(db: Db, seq: number, o: { timeoutMs?: number; pollMs?: number } = {}): Promise<boolean> {
  const until = Date.now() + (o.timeoutMs ?? 5_000);
  for (;;) {
    if ((await storedPosition(db)) >= seq) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 20));
  }
}

/** The stream sequence of the event that carries a ticket's own text (its received event, or a seeded defect's): the console opens it for the subject line. */
export async function firstTextSeq(db: Db, ticketId: string): Promise<number | undefined> {
  const rows = await db.query<{ seq: string | number }>("SELECT seq FROM events WHERE ticket_id = $1 AND type IN ('received', 'qa_seeded') ORDER BY seq LIMIT 1", [ticketId]);
  return rows[0] ? Number(rows[0].seq) : undefined;
}

/** Which of `ticketIds` have concluded (reached a terminal route). */
export async function concludedTickets(db: Db, ticketIds: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const id of new Set(ticketIds)) {
    const rows = await db.query('SELECT 1 FROM tickets WHERE ticket_id = $1 AND route IS NOT NULL', [id]);
    if (rows.length) out.add(id);
  }
  return out;
}
