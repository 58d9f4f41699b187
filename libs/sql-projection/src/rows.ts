import type { EventEnvelope } from '@handrail/contracts';
import { AI_ACTION, AREA, areaLabel, PRIORITY, ROUTE } from '@handrail/events';

/** One parameterised statement. */
export interface Statement {
  sql: string;
  params: unknown[];
}

const st = (sql: string, ...params: unknown[]): Statement => ({ sql, params });
const actorOf = (p: { subject: string } | undefined, fallback = ''): string => p?.subject || fallback;
const nameOf = (p: { subject: string; name: string } | undefined, fallback = ''): string => p?.name || p?.subject || fallback;
const citationsJson = (cs: ReadonlyArray<{ articleId: string; passageId: string; articleVersion: string }> | undefined): string =>
  JSON.stringify((cs ?? []).map((c) => ({ articleId: c.articleId, passageId: c.passageId, articleVersion: c.articleVersion })));
/** A person as the read model shows them (their verified subject, name and roles). */
const personJson = (p: { subject: string; name: string; roles: string[] }): string => JSON.stringify({ subject: p.subject, name: p.name || p.subject, roles: [...p.roles] });
const qaDraw = (eventId: string, ticketId: string, kind: string, reason: string, rate: number, pi: number, factors: readonly string[], stage: string, stratum: string): Statement =>
  st('INSERT INTO qa_draws (event_id, ticket_id, kind, reason, rate, inclusion_probability, factors, stage, stratum) VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8,$9) ON CONFLICT DO NOTHING', eventId, ticketId, kind, reason, rate, pi, JSON.stringify(factors), stage, stratum);
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
      // Its own received event gives the customer's time, even over a row a later stage created first.
      if (t) {
        out.push(st(
          'INSERT INTO tickets (ticket_id, connector, channel, customer_id, received_at, external_id, arrived) VALUES ($1,$2,$3,$4,$5,$6,true) ON CONFLICT (ticket_id) DO UPDATE SET received_at = EXCLUDED.received_at, arrived = true WHERE NOT tickets.arrived',
          e.ticketId, t.connector, t.channel, t.customerId, t.receivedAt || at, t.externalId,
        ));
      }
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
    case 'draftChecked': {
      const d = p.value.draft;
      out.push(st('INSERT INTO drafts (event_id, ticket_id, has_text, drafter, template_id, citations) VALUES ($1,$2,$3,$4,$5,$6::jsonb) ON CONFLICT DO NOTHING', e.eventId, e.ticketId, Boolean(d?.text), d?.drafter ?? '', d?.templateId ?? '', citationsJson(d?.citations)));
      break;
    }
    case 'qaSampled': {
      const q = p.value;
      out.push(
        st('INSERT INTO qa_samples (ticket_id, route, area, sample_reason, rate, at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING', e.ticketId, ROUTE.name(q.route) ?? 'unknown', AREA.name(q.area) ?? 'unknown', q.sampleReason, q.rate, at),
        qaDraw(e.eventId, e.ticketId, 'sampled', q.sampleReason, q.rate, q.inclusionProbability, q.factors, q.stage, q.stratum),
      );
      break;
    }
    case 'qaReview': {
      const r = p.value;
      out.push(st(
        'INSERT INTO qa_verdicts (event_id, ticket_id, reviewer, passed, blind, at, reviewer_name, review_ms, session) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT DO NOTHING',
        e.eventId, e.ticketId, actorOf(r.person, r.reviewer), r.passed, r.blind, at, nameOf(r.person, r.reviewer), r.reviewMs, r.calibrationSession,
      ));
      for (const d of new Set(r.defects)) out.push(st('INSERT INTO qa_defects (event_id, ticket_id, defect) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING', e.eventId, e.ticketId, d));
      // Categories and severities only: a finding's note is the reviewer's text about the customer's ticket (sealed).
      const findings = r.findings.length ? r.findings : r.defects.map((category) => ({ category, severity: 'major' }));
      findings.forEach((f, i) => out.push(st('INSERT INTO qa_findings (event_id, position, category, severity) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING', e.eventId, i, f.category, f.severity)));
      break;
    }
    case 'humanDecision': {
      const d = p.value;
      out.push(
        humanAction(e.eventId, e.ticketId, 'decision', d.action, d.person, at, d.actor),
        st(
          'INSERT INTO decision_details (event_id, ticket_id, review_ms, from_draft, change_ratio, overridden, citations) VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb) ON CONFLICT DO NOTHING',
          e.eventId, e.ticketId, d.reviewMs, Boolean(d.draftText), d.edit ? d.edit.changeRatio : null, Boolean(d.override), citationsJson(d.citations),
        ),
      );
      break;
    }
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
      // A bad rating puts the ticket in the QA sample (outside the design) unless it is in already: the reader folds the draws in order.
      if (p.value.kind === 'satisfaction' && p.value.rating === 'bad') out.push(qaDraw(e.eventId, e.ticketId, 'csat_bad', 'csat_bad', 1, 1, ['csat_bad'], 'outcome', ''));
      break;
    case 'qaSeeded': {
      // A known defect mixed into the QA sample: a ticket row flagged `seeded` (its text stays out), always sampled.
      const q = p.value;
      const route = ROUTE.name(q.route) ?? 'unknown';
      const area = AREA.name(q.area) ?? 'unknown';
      out.push(
        st(
          'INSERT INTO tickets (ticket_id, connector, channel, customer_id, received_at, area, intent, route, concluded_at, seeded, arrived, seed_expected) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$5,true,true,$9::jsonb) ON CONFLICT DO NOTHING',
          e.ticketId, 'seed', q.channel, '', at, area, q.intent, route, JSON.stringify(q.expectedDefects),
        ),
        st('INSERT INTO qa_samples (ticket_id, route, area, sample_reason, rate, at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING', e.ticketId, route, area, 'seeded', 1, at),
        // A seeded draft stands whatever its text (the known defect is in it).
        st('INSERT INTO drafts (event_id, ticket_id, has_text, drafter, template_id, citations) VALUES ($1,$2,true,$3,$4,$5::jsonb) ON CONFLICT DO NOTHING', e.eventId, e.ticketId, 'template', '', citationsJson(q.citations)),
        qaDraw(e.eventId, e.ticketId, 'seeded', 'seeded', 1, 1, ['seeded'], 'conclusion', `${area}/${ROUTE.name(q.route) ?? ''}`),
      );
      break;
    }
    case 'automationChanged': {
      const a = p.value;
      const person = a.person ? personJson(a.person) : null;
      const estimate = a.estimate ? JSON.stringify({ ...a.estimate }) : null;
      out.push(st(
        'INSERT INTO automation_changes (event_id, action, area, pilot, max_action, previous_action, reason, detail, person, estimate, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9::jsonb,$10::jsonb,$11) ON CONFLICT DO NOTHING',
        e.eventId, a.action, areaLabel(a.area), a.pilot, AI_ACTION.name(a.maxAction) ?? '', AI_ACTION.name(a.previousAction) ?? '', a.reason, a.detail, person, estimate, at,
      ));
      break;
    }
    case 'qaAlert': {
      const a = p.value;
      out.push(st('INSERT INTO qa_alerts (event_id, kind, area, subject, detail, value, threshold, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING', e.eventId, a.kind, areaLabel(a.area), a.subject, a.detail, a.value, a.threshold, at));
      break;
    }
    case 'calibration': {
      const c = p.value;
      const person = c.person ? personJson(c.person) : null;
      // Opened once; closed once, and only a session that was opened.
      if (c.action === 'open') {
        out.push(st('INSERT INTO calibration_sessions (session_id, title, ticket_ids, reviewers, opened_by, opened_at) VALUES ($1,$2,$3::jsonb,$4::jsonb,$5::jsonb,$6) ON CONFLICT DO NOTHING', c.sessionId, c.title, JSON.stringify(c.ticketIds), JSON.stringify(c.reviewers), person, at));
      } else if (c.action === 'close') {
        out.push(st('UPDATE calibration_sessions SET closed_by = $2::jsonb, closed_at = $3, outcome = $4 WHERE session_id = $1 AND closed_at IS NULL', c.sessionId, person, at, c.outcome));
      }
      break;
    }
    case 'permitted':
    case 'draftRequested':
    case 'outboundReply':
    case 'handoff':
    case 'policyChanged':
    case 'shadowDecided': // on the shadow stream: shadowRowsOf
      break;
    default: {
      const never: never = p;
      return never;
    }
  }
  return out;
}

/**
 * The row one authentic shadow decision (the shadow stream, `seq` its sequence there) adds: the candidate's
 * route, area, queue, priority, AI action and reason codes beside the revisions production decided with.
 */
export function shadowRowsOf(seq: number, storedAt: string, e: EventEnvelope): Statement[] {
  const p = e.payload;
  if (p?.$case !== 'shadowDecided') return [];
  const c = p.value.concluded;
  const prod = p.value.production;
  return [
    st(
      'INSERT INTO shadow_decisions (seq, event_id, ticket_id, candidate_policy, candidate_kb, candidate_model, production_policy, production_kb, production_model, route, area, queue, priority, ai_action, reasons, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15::jsonb,$16) ON CONFLICT DO NOTHING',
      seq, e.eventId, e.ticketId, e.revisions?.policy ?? '', e.revisions?.kb ?? '', e.revisions?.model ?? '', prod?.policy ?? '', prod?.kb ?? '', prod?.model ?? '',
      c ? (ROUTE.name(c.route) ?? null) : null, c ? areaLabel(c.area) : 'unknown', c?.queue ?? '', c ? (PRIORITY.name(c.priority) ?? '') : '', AI_ACTION.name(p.value.aiAction) ?? '',
      JSON.stringify([...new Set((c?.reasons ?? []).map((r) => r.code))].sort()), e.time || storedAt,
    ),
  ];
}
