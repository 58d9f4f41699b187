import type { EventEnvelope } from '@handrail/contracts';
import { AREA, PRIORITY, ROUTE } from '@handrail/events';

/** One parameterised statement. */
export interface Statement {
  sql: string;
  params: unknown[];
}

const st = (sql: string, ...params: unknown[]): Statement => ({ sql, params });
const actorOf = (p: { subject: string } | undefined, fallback = ''): string => p?.subject || fallback;
const nameOf = (p: { subject: string; name: string } | undefined, fallback = ''): string => p?.name || p?.subject || fallback;
const tierOf = (c: { customer?: { tier: string } | undefined } | undefined): string => c?.customer?.tier ?? '';

/** A ticket whose `received` event is not in the stream (expired, or a producer that starts later) still gets its row, from the context a later stage carries. */
const ticketFromContext = (ticketId: string, c: { connector: string; channel: string; customerId: string; externalId: string }, at: string): Statement =>
  st('INSERT INTO tickets (ticket_id, connector, channel, customer_id, received_at, external_id) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING', ticketId, c.connector, c.channel, c.customerId, at, c.externalId);

const humanAction = (eventId: string, ticketId: string, kind: string, action: string, person: { subject: string; name: string } | undefined, at: string, fallback = ''): Statement =>
  st('INSERT INTO human_actions (event_id, ticket_id, kind, action, actor, at, actor_name) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING', eventId, ticketId, kind, action, actorOf(person, fallback), at, nameOf(person, fallback));

/**
 * The rows one authentic event adds to the projection, as plain statements. Every insert is
 * `ON CONFLICT DO NOTHING` and every update only fills what is still empty, so applying an event twice
 * (a redelivery, a replay over rows already there) changes nothing, and the first conclusion stays final.
 * No customer text is ever written: ids, codes, times and people's verified subjects only.
 */
export function rowsOf(seq: number, storedAt: string, e: EventEnvelope): Statement[] {
  const at = e.time || storedAt;
  const rev = e.revisions ?? { policy: '', model: '', kb: '' };
  const out: Statement[] = [
    st(
      'INSERT INTO events (seq, event_id, type, ticket_id, occurred_at, stored_at, producer, policy_rev, model_rev, kb_rev) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING',
      seq, e.eventId, e.type, e.ticketId, at, storedAt, e.producer?.service ?? '', rev.policy, rev.model, rev.kb,
    ),
  ];
  const p = e.payload;
  if (!p) return out;
  switch (p.$case) {
    case 'received': {
      const t = p.value.ticket;
      if (t) out.push(st('INSERT INTO tickets (ticket_id, connector, channel, customer_id, received_at, external_id) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING', e.ticketId, t.connector, t.channel, t.customerId, t.receivedAt || at, t.externalId));
      break;
    }
    case 'classified': {
      const c = p.value.classification;
      if (p.value.context) out.push(ticketFromContext(e.ticketId, p.value.context, at));
      if (c) out.push(st('UPDATE tickets SET area = $2, intent = $3, confidence = $4 WHERE ticket_id = $1 AND area IS NULL', e.ticketId, AREA.name(c.area) ?? 'unknown', c.intent, c.confidence));
      if (tierOf(p.value.context)) out.push(st("UPDATE tickets SET customer_tier = $2 WHERE ticket_id = $1 AND customer_tier = ''", e.ticketId, tierOf(p.value.context)));
      break;
    }
    case 'concluded': {
      const c = p.value;
      const route = ROUTE.name(c.route) ?? 'unknown';
      const area = AREA.name(c.area) ?? 'unknown';
      const priority = PRIORITY.name(c.priority) ?? 'unknown';
      if (c.context) out.push(ticketFromContext(e.ticketId, c.context, at));
      out.push(
        st('INSERT INTO decisions (ticket_id, event_id, decided_at, route, area, queue, priority, policy_rev, model_rev, kb_rev) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING', e.ticketId, e.eventId, at, route, area, c.queue, priority, rev.policy, rev.model, rev.kb),
        // Reasons only with the decision they belong to: a later, different conclusion adds none.
        ...c.reasons.map((r, i) => st('INSERT INTO decision_reasons (ticket_id, position, code, rule) SELECT $1,$2,$3,$4 WHERE EXISTS (SELECT 1 FROM decisions WHERE ticket_id = $1 AND event_id = $5) ON CONFLICT DO NOTHING', e.ticketId, i, r.code, r.rule, e.eventId)),
        // The conclusion's intent is the one people read (as the console's read model shows it).
        st('UPDATE tickets SET route = $2, queue = $3, priority = $4, concluded_at = $5, intent = $6 WHERE ticket_id = $1 AND route IS NULL', e.ticketId, route, c.queue, priority, at, c.intent),
      );
      if (tierOf(c.context)) out.push(st("UPDATE tickets SET customer_tier = $2 WHERE ticket_id = $1 AND customer_tier = ''", e.ticketId, tierOf(c.context)));
      break;
    }
    case 'drafted': {
      const ids = new Set((p.value.draft?.citations ?? []).map((c) => c.articleId).filter(Boolean));
      for (const a of ids) out.push(st('INSERT INTO draft_citations (ticket_id, article_id) VALUES ($1,$2) ON CONFLICT DO NOTHING', e.ticketId, a));
      break;
    }
    case 'qaSampled':
      out.push(st('INSERT INTO qa_samples (ticket_id, route, area, sample_reason, rate, at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING', e.ticketId, ROUTE.name(p.value.route) ?? 'unknown', AREA.name(p.value.area) ?? 'unknown', p.value.sampleReason, p.value.rate, at));
      break;
    case 'qaReview': {
      const r = p.value;
      out.push(st('INSERT INTO qa_verdicts (event_id, ticket_id, reviewer, passed, blind, at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING', e.eventId, e.ticketId, actorOf(r.person, r.reviewer), r.passed, r.blind, at));
      for (const d of new Set(r.defects)) out.push(st('INSERT INTO qa_defects (event_id, ticket_id, defect) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING', e.eventId, e.ticketId, d));
      break;
    }
    case 'humanDecision':
      out.push(humanAction(e.eventId, e.ticketId, 'decision', p.value.action, p.value.person, at, p.value.actor));
      break;
    case 'claim':
      out.push(humanAction(e.eventId, e.ticketId, 'claim', p.value.claimed ? 'claim' : 'release', p.value.person, at));
      break;
    case 'replyBlocked':
      out.push(humanAction(e.eventId, e.ticketId, 'reply_blocked', p.value.action, p.value.person, at));
      break;
    case 'accessDenied':
      out.push(humanAction(e.eventId, e.ticketId, 'access_denied', p.value.action, p.value.person, at));
      break;
    case 'replySent':
      out.push(st('INSERT INTO outcomes (event_id, ticket_id, kind, detail, at) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING', e.eventId, e.ticketId, 'reply_sent', p.value.kind, at));
      break;
    case 'replyFailed':
      out.push(st('INSERT INTO outcomes (event_id, ticket_id, kind, detail, at) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING', e.eventId, e.ticketId, 'reply_failed', p.value.reason, at));
      break;
    case 'helpdeskOutcome':
      out.push(st('INSERT INTO outcomes (event_id, ticket_id, kind, detail, at) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING', e.eventId, e.ticketId, `helpdesk_${p.value.kind}`, p.value.rating, p.value.occurredAt || at));
      break;
    case 'qaSeeded': {
      // A known defect mixed into the QA sample: a ticket row flagged `seeded` (its text stays out), always sampled.
      const q = p.value;
      const route = ROUTE.name(q.route) ?? 'unknown';
      const area = AREA.name(q.area) ?? 'unknown';
      out.push(
        st('INSERT INTO tickets (ticket_id, connector, channel, customer_id, received_at, area, intent, route, concluded_at, seeded) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$5,true) ON CONFLICT DO NOTHING', e.ticketId, 'seed', q.channel, '', at, area, q.intent, route),
        st('INSERT INTO qa_samples (ticket_id, route, area, sample_reason, rate, at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING', e.ticketId, route, area, 'seeded', 1, at),
      );
      break;
    }
    case 'permitted':
    case 'draftRequested':
    case 'draftChecked':
    case 'outboundReply':
    case 'handoff':
    case 'policyChanged':
    case 'automationChanged': // the QA loop's own events (issue 13): in the events table, no table of their own yet
    case 'qaAlert':
    case 'calibration':
    case 'shadowDecided': // on the shadow stream, which the projector does not read
      break;
    default: {
      const never: never = p;
      return never;
    }
  }
  return out;
}
