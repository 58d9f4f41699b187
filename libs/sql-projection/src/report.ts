import { AiAction, Area, EventEnvelope } from '@handrail/contracts';
import { AI_ACTION, AREA, ROUTE, type RouteName } from '@handrail/events';
import { emptyProjection, emptyTicket, type AlertView, type AutomationChangeView, type CalibrationView, type CitationView, type PersonView, type ProjectionState, type SampleView, type TicketView } from '@handrail/projection';
import type { Db } from './db.js';
import { storedPosition } from './projector.js';

/**
 * The weekly report, the QA overview and calibration sessions read from the SQL projection (issue 15).
 * The rows become the TicketView-shaped objects the pure report functions of `@handrail/projection` and
 * `@handrail/quality` already consume, so the report code stays one copy: every field those functions
 * read is filled from SQL; the customer's text (subject, body, draft and reply text, notes) is not in SQL
 * and stays empty — a draft the person started from is marked by a placeholder, never its words.
 */

/** Stands where a text was, so code that asks "was there a draft?" reads the same answer. */
export const TEXT_NOT_IN_SQL = '[not in SQL]';

const GLOBAL_TYPES = ['automation_changed', 'qa_alert', 'calibration'];

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : typeof v === 'string' && v ? new Date(v).toISOString() : '');
const json = <T>(v: unknown, empty: T): T => (v === null || v === undefined ? empty : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const num = (v: unknown): number => Number(v ?? 0);
const routeOf = (v: unknown): RouteName | undefined => (typeof v === 'string' && ROUTE.parse(v) !== undefined ? (v as RouteName) : undefined);
const citations = (v: unknown): CitationView[] => json<CitationView[]>(v, []).map((c) => ({ articleId: c.articleId, passageId: c.passageId, articleVersion: c.articleVersion }));
const person = (v: unknown): PersonView | undefined => {
  const p = json<PersonView | null>(v, null);
  return p ? { subject: p.subject, name: p.name, roles: [...p.roles] } : undefined;
};

type Row = Record<string, unknown>;

/** What the report and the QA overview read, as the in-memory read model held it; and the automation changes the QA loop's state is folded from. */
export interface ReportState {
  state: ProjectionState;
  /** The automation changes in stream order, as envelopes `LoopState.apply` takes (`@handrail/quality`). */
  automationEvents: EventEnvelope[];
}

/**
 * Every ticket as the report reads it, in the order the in-memory read model met them (first event first;
 * tickets known only from shadow decisions after), plus the QA loop's alerts, changes and calibration sessions.
 */
export async function reportState(db: Db): Promise<ReportState> {
  const [known, tickets, reasons, drafts, decisions, refusals, reviews, findings, defects, draws, outcomes, shadow, alerts, loop, calibrations] = await Promise.all([
    // The tickets the read model knows: any event of theirs but the QA loop's own; refusals and policy changes alone make none.
    db.query(
      `SELECT ticket_id, min(seq) AS first_seq, max(occurred_at) AS last_at,
              (array_agg(policy_rev ORDER BY seq DESC) FILTER (WHERE type IN ('received', 'classified', 'concluded') AND policy_rev <> ''))[1] AS policy_rev,
              (array_agg(model_rev ORDER BY seq DESC) FILTER (WHERE type IN ('received', 'classified', 'concluded') AND model_rev <> ''))[1] AS model_rev,
              (array_agg(kb_rev ORDER BY seq DESC) FILTER (WHERE type IN ('received', 'classified', 'concluded') AND kb_rev <> ''))[1] AS kb_rev
         FROM events WHERE type NOT IN (${GLOBAL_TYPES.map((t) => `'${t}'`).join(', ')})
        GROUP BY ticket_id HAVING bool_or(type NOT IN ('access_denied', 'policy_changed'))
        ORDER BY first_seq`,
    ),
    db.query('SELECT t.*, d.area AS decided_area FROM tickets t LEFT JOIN decisions d ON d.ticket_id = t.ticket_id'),
    db.query('SELECT ticket_id, code, rule FROM decision_reasons ORDER BY ticket_id, position'),
    db.query('SELECT d.ticket_id, d.has_text, d.drafter, d.template_id, d.citations FROM drafts d JOIN events e ON e.event_id = d.event_id ORDER BY e.seq'),
    db.query(
      `SELECT h.ticket_id, h.actor, h.actor_name, h.action, h.at, x.review_ms, x.from_draft, x.change_ratio, x.overridden, x.citations
         FROM human_actions h JOIN events e ON e.event_id = h.event_id LEFT JOIN decision_details x ON x.event_id = h.event_id
        WHERE h.kind = 'decision' ORDER BY e.seq`,
    ),
    db.query("SELECT h.ticket_id, h.kind, h.actor, h.actor_name, h.action, h.at FROM human_actions h JOIN events e ON e.event_id = h.event_id WHERE h.kind IN ('reply_blocked', 'access_denied') ORDER BY e.seq"),
    db.query('SELECT v.event_id, v.ticket_id, v.reviewer, v.reviewer_name, v.passed, v.blind, v.at, v.review_ms, v.session FROM qa_verdicts v JOIN events e ON e.event_id = v.event_id ORDER BY e.seq'),
    db.query('SELECT event_id, category, severity FROM qa_findings ORDER BY event_id, position'),
    db.query('SELECT event_id, defect FROM qa_defects ORDER BY event_id, defect'),
    db.query('SELECT q.* FROM qa_draws q JOIN events e ON e.event_id = q.event_id ORDER BY e.seq'),
    db.query("SELECT o.ticket_id, o.kind, o.detail, o.at FROM outcomes o JOIN events e ON e.event_id = o.event_id WHERE o.kind LIKE 'helpdesk\\_%' ORDER BY e.seq"),
    db.query('SELECT * FROM shadow_decisions ORDER BY seq'),
    db.query('SELECT a.* FROM qa_alerts a JOIN events e ON e.event_id = a.event_id ORDER BY e.seq'),
    automationChanges(db),
    calibrationSessions(db),
  ]);

  const state = emptyProjection();
  const views = state.tickets;
  const rowOf = new Map(tickets.map((r) => [String(r['ticket_id']), r]));
  for (const k of known) {
    const id = String(k['ticket_id']);
    const t = emptyTicket(id);
    t.times = { received: '', concluded: '', decided: '', last: iso(k['last_at']) };
    t.revisions = { policy: String(k['policy_rev'] ?? ''), model: String(k['model_rev'] ?? ''), kb: String(k['kb_rev'] ?? '') };
    const r = rowOf.get(id);
    if (r) fillTicket(t, r);
    views.set(id, t);
  }
  // Only shadow decisions: a ticket the candidate decided before production's events arrived (or expired).
  for (const s of shadow) {
    const id = String(s['ticket_id']);
    if (!views.has(id)) views.set(id, emptyTicket(id));
  }
  const each = (rows: Row[], fn: (t: TicketView, r: Row) => void) => {
    for (const r of rows) {
      const t = views.get(String(r['ticket_id']));
      if (t) fn(t, r);
    }
  };

  each(reasons, (t, r) => t.reasons.push({ code: String(r['code']), rule: String(r['rule']), detail: '', evidence: [] }));
  // The latest checked draft stands; one without text leaves none.
  each(drafts, (t, r) => {
    t.draft = r['has_text'] ? { text: TEXT_NOT_IN_SQL, citations: citations(r['citations']), sentences: [], drafter: String(r['drafter']), templateId: String(r['template_id']) } : undefined;
  });
  each(decisions, (t, r) => {
    const ratio = r['change_ratio'];
    t.decisions.push({
      actor: String(r['actor']),
      actorName: String(r['actor_name']),
      actorRoles: [],
      action: String(r['action']),
      finalText: '',
      note: '',
      time: iso(r['at']),
      verdicts: [],
      citations: citations(r['citations']),
      sentences: [],
      override: r['overridden'] ? { reason: '', failed: [] } : undefined,
      draftText: r['from_draft'] ? TEXT_NOT_IN_SQL : '',
      edit: ratio === null || ratio === undefined ? undefined : { draftWords: 0, wordsAdded: 0, wordsRemoved: 0, changeRatio: num(ratio) },
      exceptions: [],
      reviewMs: num(r['review_ms']),
    });
    t.times.decided ||= iso(r['at']);
  });
  each(refusals, (t, r) => {
    const base = { actor: String(r['actor']), actorName: String(r['actor_name']), action: String(r['action']), time: iso(r['at']) };
    if (r['kind'] === 'reply_blocked') t.blocked.push({ ...base, text: '', failures: [] });
    else t.denied.push({ ...base, permission: '', detail: '' });
  });

  const findingsOf = group(findings, (r) => ({ category: String(r['category']), severity: String(r['severity']), note: '' }));
  const defectsOf = group(defects, (r) => String(r['defect']));
  // One review per reviewer: a later one replaces the earlier, and goes last.
  each(reviews, (t, r) => {
    const reviewer = String(r['reviewer']);
    const id = String(r['event_id']);
    t.reviews = [
      ...t.reviews.filter((x) => x.reviewer !== reviewer),
      { reviewer, reviewerName: String(r['reviewer_name']), defects: defectsOf.get(id) ?? [], findings: findingsOf.get(id) ?? [], passed: Boolean(r['passed']), note: '', time: iso(r['at']), blind: Boolean(r['blind']), reviewMs: num(r['review_ms']), session: String(r['session']) },
    ];
  });
  each(draws, (t, r) => (t.qaSampled = drawn(t.qaSampled, r)));
  each(outcomes, (t, r) => t.outcomes.push({ kind: String(r['kind']).slice('helpdesk_'.length), rating: String(r['detail']), time: iso(r['at']) }));
  // One per candidate: the first decision of a candidate stands.
  each(shadow, (t, r) => {
    const candidate = { policy: String(r['candidate_policy']), kb: String(r['candidate_kb']), model: String(r['candidate_model']) };
    if (t.shadow.some((s) => s.candidate.policy === candidate.policy && s.candidate.kb === candidate.kb)) return;
    t.shadow.push({
      candidate,
      production: { policy: String(r['production_policy']), kb: String(r['production_kb']), model: String(r['production_model']) },
      route: routeOf(r['route']),
      area: String(r['area']),
      queue: String(r['queue']),
      priority: String(r['priority']),
      aiAction: String(r['ai_action']),
      reasons: json<string[]>(r['reasons'], []),
      time: iso(r['at']),
    });
  });

  for (const a of alerts) state.alerts.push({ kind: String(a['kind']), area: String(a['area']), subject: String(a['subject']), detail: String(a['detail']), value: num(a['value']), threshold: num(a['threshold']), time: iso(a['at']) } satisfies AlertView);
  state.automation.push(...loop.changes);
  for (const [id, c] of calibrations) state.calibrations.set(id, c);
  return { state, automationEvents: loop.events };
}

/** The automation changes in stream order: as the read model shows them, and as the envelopes `LoopState.apply` folds. */
export async function automationChanges(db: Db): Promise<{ changes: AutomationChangeView[]; events: EventEnvelope[] }> {
  const rows = await db.query('SELECT a.* FROM automation_changes a JOIN events e ON e.event_id = a.event_id ORDER BY e.seq');
  const changes = rows.map((c): AutomationChangeView => ({
    action: String(c['action']),
    area: String(c['area']),
    pilot: String(c['pilot']),
    maxAction: String(c['max_action']),
    previousAction: String(c['previous_action']),
    reason: String(c['reason']),
    detail: String(c['detail']),
    person: person(c['person']),
    estimate: json<AutomationChangeView['estimate'] | null>(c['estimate'], null) ?? undefined,
    time: iso(c['at']),
  }));
  return { changes, events: changes.map(automationEnvelope) };
}

/** Every calibration session, oldest first (or the one `sessionId` names). */
export async function calibrationSessions(db: Db, sessionId?: string): Promise<Map<string, CalibrationView>> {
  const rows = sessionId === undefined
    ? await db.query('SELECT * FROM calibration_sessions ORDER BY opened_at, session_id')
    : await db.query('SELECT * FROM calibration_sessions WHERE session_id = $1', [sessionId]);
  const out = new Map<string, CalibrationView>();
  for (const s of rows) {
    out.set(String(s['session_id']), {
      sessionId: String(s['session_id']),
      title: String(s['title']),
      ticketIds: json<string[]>(s['ticket_ids'], []),
      reviewers: json<string[]>(s['reviewers'], []),
      openedBy: person(s['opened_by']),
      openedAt: iso(s['opened_at']),
      closedBy: person(s['closed_by']),
      closedAt: iso(s['closed_at']),
      outcome: String(s['outcome'] ?? ''),
    });
  }
  return out;
}

function fillTicket(t: TicketView, r: Row): void {
  t.connector = String(r['connector']);
  t.channel = String(r['channel']);
  t.customerId = String(r['customer_id']);
  t.externalId = String(r['external_id']);
  t.area = String(r['decided_area'] ?? r['area'] ?? 'unknown');
  t.intent = String(r['intent'] ?? '');
  t.confidence = r['confidence'] === null || r['confidence'] === undefined ? undefined : num(r['confidence']);
  t.route = routeOf(r['route']);
  t.queue = String(r['queue'] ?? '');
  t.priority = String(r['priority'] ?? '');
  if (r['customer_tier']) t.customer = { tier: String(r['customer_tier']), accountValue: 0, priorContacts: 0, repeatOf: [] };
  t.times.received = r['arrived'] ? iso(r['received_at']) : '';
  t.times.concluded = iso(r['concluded_at']);
  if (r['seeded']) t.seed = { seedId: '', expected: json<string[]>(r['seed_expected'], []) };
}

/** How each way into the sample changes the ticket's sample, in stream order (as the in-memory read model folds it). */
function drawn(before: SampleView | undefined, r: Row): SampleView | undefined {
  const factors = json<string[]>(r['factors'], []);
  const rate = num(r['rate']);
  switch (r['kind']) {
    case 'seeded':
      return { reason: 'seeded', rate: 1, inclusionProbability: 1, factors: ['seeded'], stage: 'conclusion', stratum: String(r['stratum']) };
    case 'csat_bad':
      return before ?? { reason: 'csat_bad', rate: 1, inclusionProbability: 1, factors: ['csat_bad'], stage: 'outcome', stratum: '' };
    default: {
      // A later draw (after a human edit) revises the probability; it never lowers it.
      const pi = Math.max(num(r['inclusion_probability']) || rate, before?.inclusionProbability ?? 0);
      return { reason: before?.reason || String(r['reason']), rate, inclusionProbability: pi, factors: [...new Set([...(before?.factors ?? []), ...factors])], stage: String(r['stage']) || 'conclusion', stratum: String(r['stratum']) || before?.stratum || '' };
    }
  }
}

function group<T>(rows: Row[], map: (r: Row) => T): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = String(r['event_id']);
    const list = m.get(k);
    if (list) list.push(map(r));
    else m.set(k, [map(r)]);
  }
  return m;
}

/** An automation change as the envelope the QA loop's state folds (`LoopState.apply`). */
function automationEnvelope(c: AutomationChangeView): EventEnvelope {
  const area = AREA.parse(c.area);
  const max = AI_ACTION.parse(c.maxAction);
  const previous = AI_ACTION.parse(c.previousAction);
  return EventEnvelope.fromPartial({
    time: c.time,
    type: 'automation_changed',
    payload: {
      $case: 'automationChanged',
      value: {
        action: c.action,
        area: area ? AREA.value(area) : Area.AREA_UNSPECIFIED,
        pilot: c.pilot,
        maxAction: max ? AI_ACTION.value(max) : AiAction.AI_ACTION_UNSPECIFIED,
        previousAction: previous ? AI_ACTION.value(previous) : AiAction.AI_ACTION_UNSPECIFIED,
        reason: c.reason,
        detail: c.detail,
        person: c.person ? { subject: c.person.subject, name: c.person.name, roles: c.person.roles } : undefined,
        estimate: c.estimate,
      },
    },
  });
}

/** Where the projection is in each stream it follows: the report read at one position is the same until it moves. */
export async function projectionPositions(db: Db): Promise<string> {
  const [events, shadow] = await Promise.all([storedPosition(db, 'events'), storedPosition(db, 'shadow')]);
  return `${events}/${shadow}`;
}
