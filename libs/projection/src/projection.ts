import type { Citation, Draft, DraftSentence, EventEnvelope, Person, Priority, Reason, TicketContext, Verdict } from '@handrail/contracts';
import { AI_ACTION, areaLabel, PRIORITY, ROUTE, type RouteName } from '@handrail/events';

export type DecisionAction = 'approve' | 'edit' | 'reject' | 'resolve';

export interface ReasonView {
  code: string;
  rule: string;
  detail: string;
  evidence: string[];
}

export interface CitationView {
  articleId: string;
  passageId: string;
  articleVersion: string;
}

export interface DraftView {
  text: string;
  citations: CitationView[];
  sentences: Array<{ text: string; citations: CitationView[] }>;
  drafter: string;
  templateId: string;
}

export interface VerdictView {
  check: string;
  passed: boolean;
  code: string;
  detail: string;
  evidence: string[];
}

export interface HandoffView {
  summary: string;
  kbFindings: string[];
  triggers: string[];
  suggestedNextStep: string;
}

/** A person as their token named them when they acted. */
export interface PersonView {
  subject: string;
  name: string;
  roles: string[];
}

export interface DecisionView {
  /** The token subject of the person who decided. */
  actor: string;
  actorName: string;
  actorRoles: string[];
  action: string;
  finalText: string;
  note: string;
  time: string;
  /** The checks the sent text passed (or failed, when overridden). */
  verdicts: VerdictView[];
  /** The citations of the text sent. */
  citations: CitationView[];
  sentences: Array<{ text: string; citations: CitationView[] }>;
  override: { reason: string; failed: string[] } | undefined;
  /** The AI draft the person started from; with `finalText`, the diff QA reads. */
  draftText: string;
  edit: { draftWords: number; wordsAdded: number; wordsRemoved: number; changeRatio: number } | undefined;
  exceptions: string[];
  /** Time between the person first opening the ticket and deciding (0: unknown). */
  reviewMs: number;
}

export interface ReviewView {
  /** The reviewer's token subject. */
  reviewer: string;
  reviewerName: string;
  defects: string[];
  /** Each defect with its severity and note (older reviews: the categories with severity `major`). */
  findings: Array<{ category: string; severity: string; note: string }>;
  passed: boolean;
  note: string;
  time: string;
  blind: boolean;
  /** Time between first opening the ticket and submitting, as the console measured it (0: unknown). */
  reviewMs: number;
  /** The calibration session the review belongs to. */
  session: string;
}

/** How a decision was drawn into the QA sample (issue 13). */
export interface SampleView {
  reason: string;
  /** The stratum's base rate. */
  rate: number;
  /** The probability the decision had of being sampled: its estimator weight is the inverse. */
  inclusionProbability: number;
  factors: string[];
  stage: string;
  stratum: string;
}

/** A known defect mixed into the QA queue: never shown to reviewers as such. */
export interface SeedView {
  seedId: string;
  expected: string[];
}

export interface AutomationChangeView {
  action: string;
  area: string;
  pilot: string;
  maxAction: string;
  previousAction: string;
  reason: string;
  detail: string;
  person: PersonView | undefined;
  estimate: { rate: number; lower: number; upper: number; bound: number; confidence: number; samples: number; effectiveN: number } | undefined;
  time: string;
}

export interface AlertView {
  kind: string;
  area: string;
  subject: string;
  detail: string;
  value: number;
  threshold: number;
  time: string;
}

export interface CalibrationView {
  sessionId: string;
  title: string;
  ticketIds: string[];
  reviewers: string[];
  openedBy: PersonView | undefined;
  openedAt: string;
  closedBy: PersonView | undefined;
  closedAt: string;
  outcome: string;
}

export interface ClaimView {
  owner: string;
  ownerName: string;
  since: string;
}

/** A reply that was not sent because checks failed. */
export interface BlockedReplyView {
  actor: string;
  actorName: string;
  action: string;
  text: string;
  failures: VerdictView[];
  time: string;
}

export interface DeniedView {
  actor: string;
  actorName: string;
  action: string;
  permission: string;
  detail: string;
  time: string;
}

/** Everything a person needs to act on one ticket, built from its events alone. */
export interface TicketView {
  ticketId: string;
  /** The ticket's correlation id: a person's decision joins the same trail. */
  correlationId: string;
  customerId: string;
  connector: string;
  externalId: string;
  channel: string;
  /** The customer's own words: shown to the people who act on the ticket, never logged. */
  subject: string;
  body: string;
  customer: { tier: string; accountValue: number; priorContacts: number; repeatOf: string[] } | undefined;
  area: string;
  intent: string;
  confidence: number | undefined;
  sentiment: number | undefined;
  riskFlags: string[];
  /** Undefined until the ticket reaches its terminal state. */
  route: RouteName | undefined;
  queue: string;
  priority: string;
  reasons: ReasonView[];
  draft: DraftView | undefined;
  verdicts: VerdictView[];
  handoff: HandoffView | undefined;
  qaSampled: SampleView | undefined;
  /** Set when this "ticket" is a seeded known defect (the console never shows it to reviewers). */
  seed: SeedView | undefined;
  decisions: DecisionView[];
  reviews: ReviewView[];
  reply: { text: string; time: string; citations: CitationView[] } | undefined;
  /** Who is working on it, if anyone; `claims` counts claim events (the next claim's sequence). */
  claim: ClaimView | undefined;
  claims: number;
  blocked: BlockedReplyView[];
  denied: DeniedView[];
  /** What a helpdesk connector delivered (replies, notes, handoffs) or could not, in order. */
  deliveries: DeliveryView[];
  /** What became of the ticket in the helpdesk (solved, reopened, satisfaction), in order. */
  outcomes: OutcomeView[];
  times: { received: string; concluded: string; decided: string; last: string };
  revisions: { policy: string; model: string; kb: string };
  /** Shadow mode (issue 15): what candidate revisions decided for this ticket, one per candidate; never acted on. */
  shadow: ShadowView[];
  /** Event ids already applied: a replayed or locally pre-applied event is ignored. */
  seen: string[];
}

/** A candidate revision's decision for a ticket (shadow mode), beside production's. */
export interface ShadowView {
  /** The candidate's policy and KB revisions (the shadow event's own). */
  candidate: { policy: string; kb: string; model: string };
  /** What production was deciding with at the time. */
  production: { policy: string; kb: string; model: string };
  route: RouteName | undefined;
  area: string;
  queue: string;
  priority: string;
  aiAction: string;
  reasons: string[];
  time: string;
}

export interface DeliveryView {
  kind: string;
  delivered: boolean;
  visibility: string;
  reason: string;
  time: string;
}

export interface OutcomeView {
  kind: string;
  rating: string;
  time: string;
}

export interface ProjectionState {
  readonly tickets: Map<string, TicketView>;
  /** Breaker demotions, restorations and pilot stops, oldest first (issue 13). */
  readonly automation: AutomationChangeView[];
  readonly alerts: AlertView[];
  readonly calibrations: Map<string, CalibrationView>;
  /** Ids of the non-ticket events above already applied. */
  readonly seenGlobal: Set<string>;
}

export function emptyProjection(): ProjectionState {
  return { tickets: new Map(), automation: [], alerts: [], calibrations: new Map(), seenGlobal: new Set() };
}

export function emptyTicket(ticketId: string): TicketView {
  return {
    ticketId,
    correlationId: '',
    customerId: '',
    connector: '',
    externalId: '',
    channel: '',
    subject: '',
    body: '',
    customer: undefined,
    area: 'unknown',
    intent: '',
    confidence: undefined,
    sentiment: undefined,
    riskFlags: [],
    route: undefined,
    queue: '',
    priority: '',
    reasons: [],
    draft: undefined,
    verdicts: [],
    handoff: undefined,
    qaSampled: undefined,
    seed: undefined,
    decisions: [],
    reviews: [],
    reply: undefined,
    claim: undefined,
    claims: 0,
    blocked: [],
    denied: [],
    deliveries: [],
    outcomes: [],
    times: { received: '', concluded: '', decided: '', last: '' },
    revisions: { policy: '', model: '', kb: '' },
    shadow: [],
    seen: [],
  };
}

const reasonView = (r: Reason): ReasonView => ({ code: r.code, rule: r.rule, detail: r.detail, evidence: [...r.evidence] });
const verdictView = (v: Verdict): VerdictView => ({ check: v.check, passed: v.passed, code: v.code, detail: v.detail, evidence: [...v.evidence] });
const citationView = (c: CitationView): CitationView => ({ articleId: c.articleId, passageId: c.passageId, articleVersion: c.articleVersion });

const personOf = (p: Person | undefined, fallback: string): PersonView => ({ subject: p?.subject || fallback, name: p?.name || p?.subject || fallback, roles: [...(p?.roles ?? [])] });
const sentenceView = (s: DraftSentence) => ({ text: s.text, citations: s.citations.map((c: Citation) => citationView(c)) });

export function priorityToName(p: Priority): string {
  return PRIORITY.name(p) ?? '';
}

/**
 * Folds one event into the per-ticket views. The map is the state's own and is updated in place
 * (rebuilding from a long stream must stay linear), but a ticket's view is replaced, never mutated,
 * so a reader holding a view keeps a consistent snapshot. Applying an event twice changes nothing.
 */
export function applyEvent(state: ProjectionState, env: EventEnvelope): ProjectionState {
  const known = state.tickets.get(env.ticketId);
  // Refusals and policy changes are not tickets: they join a ticket's view only when there is one.
  const c = env.payload?.$case;
  if (c === 'automationChanged' || c === 'qaAlert' || c === 'calibration') return applyGlobal(state, env);
  if (!known && (c === 'accessDenied' || c === 'policyChanged')) return state;
  const before = known ?? emptyTicket(env.ticketId);
  if (before.seen.includes(env.eventId)) return state;
  const next = reduceTicket(before, env);
  next.seen = [...before.seen, env.eventId];
  if (!next.correlationId) next.correlationId = env.correlationId;
  // A shadow decision is no activity on the ticket.
  if (c !== 'shadowDecided' && env.time > next.times.last) next.times = { ...next.times, last: env.time };
  state.tickets.set(env.ticketId, next);
  return state;
}

/** The QA loop's events that belong to no ticket: automation changes, alerts, calibration sessions. */
function applyGlobal(state: ProjectionState, env: EventEnvelope): ProjectionState {
  if (state.seenGlobal.has(env.eventId)) return state;
  state.seenGlobal.add(env.eventId);
  const p = env.payload;
  if (p?.$case === 'automationChanged') {
    const a = p.value;
    state.automation.push({
      action: a.action,
      area: areaLabel(a.area),
      pilot: a.pilot,
      maxAction: AI_ACTION.name(a.maxAction) ?? '',
      previousAction: AI_ACTION.name(a.previousAction) ?? '',
      reason: a.reason,
      detail: a.detail,
      person: a.person ? personOf(a.person, '') : undefined,
      estimate: a.estimate ? { ...a.estimate } : undefined,
      time: env.time,
    });
  } else if (p?.$case === 'qaAlert') {
    state.alerts.push({ kind: p.value.kind, area: areaLabel(p.value.area), subject: p.value.subject, detail: p.value.detail, value: p.value.value, threshold: p.value.threshold, time: env.time });
  } else if (p?.$case === 'calibration') {
    const c = p.value;
    const before = state.calibrations.get(c.sessionId);
    if (c.action === 'open' && !before) {
      state.calibrations.set(c.sessionId, { sessionId: c.sessionId, title: c.title, ticketIds: [...c.ticketIds], reviewers: [...c.reviewers], openedBy: c.person ? personOf(c.person, '') : undefined, openedAt: env.time, closedBy: undefined, closedAt: '', outcome: '' });
    } else if (c.action === 'close' && before && !before.closedAt) {
      state.calibrations.set(c.sessionId, { ...before, closedBy: c.person ? personOf(c.person, '') : undefined, closedAt: env.time, outcome: c.outcome });
    }
  }
  return state;
}

function reduceTicket(t: TicketView, env: EventEnvelope): TicketView {
  const p = env.payload;
  const v: TicketView = { ...t };
  switch (p?.$case) {
    case 'received': {
      const tk = p.value.ticket;
      if (tk) {
        Object.assign(v, withContext(v, tk), { subject: tk.subject, body: tk.body });
        v.times = { ...t.times, received: tk.receivedAt || t.times.received || env.time };
      }
      v.revisions = { policy: env.revisions?.policy || t.revisions.policy, model: env.revisions?.model || t.revisions.model, kb: env.revisions?.kb || t.revisions.kb };
      return v;
    }
    case 'classified': {
      const c = p.value.classification;
      if (p.value.context) Object.assign(v, withContext(v, p.value.context));
      if (c) Object.assign(v, { area: areaLabel(c.area), intent: c.intent, confidence: c.confidence, sentiment: c.sentiment, riskFlags: [...c.riskFlags] });
      v.revisions = { policy: env.revisions?.policy || t.revisions.policy, model: env.revisions?.model || t.revisions.model, kb: env.revisions?.kb || t.revisions.kb };
      return v;
    }
    case 'permitted':
    case 'draftRequested':
    case 'drafted':
      // Intermediate stages: the draft a person acts on is the one the guardrail checked.
      return v;
    case 'draftChecked':
      return { ...v, draft: draftView(p.value.draft), verdicts: p.value.verdicts.map(verdictView) };
    case 'concluded': {
      const c = p.value;
      // The first terminal state is final (issue 11): a later, different conclusion changes nothing.
      if (t.times.concluded && t.route && ROUTE.name(c.route) !== t.route) return t;
      if (c.context) Object.assign(v, withContext(v, c.context));
      Object.assign(v, {
        route: ROUTE.name(c.route),
        reasons: c.reasons.map(reasonView),
        area: areaLabel(c.area),
        intent: c.intent,
        confidence: c.confidence,
        queue: c.queue,
        priority: priorityToName(c.priority),
      });
      v.times = { ...t.times, concluded: env.time };
      v.revisions = { policy: env.revisions?.policy || t.revisions.policy, model: env.revisions?.model || t.revisions.model, kb: env.revisions?.kb || t.revisions.kb };
      return v;
    }
    case 'handoff':
      if (p.value.packet) v.handoff = handoffView(p.value.packet);
      return v;
    case 'qaSampled': {
      const q = p.value;
      // A later sample (after a human edit) revises the probability; it never lowers it.
      const pi = Math.max(q.inclusionProbability || q.rate, t.qaSampled?.inclusionProbability ?? 0);
      v.qaSampled = { reason: t.qaSampled?.reason || q.sampleReason, rate: q.rate, inclusionProbability: pi, factors: [...new Set([...(t.qaSampled?.factors ?? []), ...q.factors])], stage: q.stage || 'conclusion', stratum: q.stratum || t.qaSampled?.stratum || '' };
      return v;
    }
    case 'qaSeeded': {
      const q = p.value;
      Object.assign(v, {
        connector: 'seed',
        channel: q.channel,
        subject: q.subject,
        body: q.body,
        area: areaLabel(q.area),
        intent: q.intent,
        route: ROUTE.name(q.route),
        draft: { text: q.draftText, citations: q.citations.map(citationView), sentences: [], drafter: 'template', templateId: '' },
        seed: { seedId: q.seedId, expected: [...q.expectedDefects] },
        qaSampled: { reason: 'seeded', rate: 1, inclusionProbability: 1, factors: ['seeded'], stage: 'conclusion', stratum: `${areaLabel(q.area)}/${ROUTE.name(q.route) ?? ''}` },
      });
      v.times = { ...t.times, received: t.times.received || env.time, concluded: t.times.concluded || env.time };
      return v;
    }
    case 'automationChanged':
    case 'qaAlert':
    case 'calibration':
      return v;
    case 'humanDecision': {
      const d = p.value;
      const who = personOf(d.person, d.actor);
      v.decisions = [
        ...t.decisions,
        {
          actor: d.actor,
          actorName: who.name,
          actorRoles: who.roles,
          action: d.action,
          finalText: d.finalText,
          note: d.note,
          time: env.time,
          verdicts: d.verdicts.map(verdictView),
          citations: d.citations.map(citationView),
          sentences: d.sentences.map(sentenceView),
          override: d.override ? { reason: d.override.reason, failed: [...d.override.failed] } : undefined,
          draftText: d.draftText,
          edit: d.edit ? { draftWords: d.edit.draftWords, wordsAdded: d.edit.wordsAdded, wordsRemoved: d.edit.wordsRemoved, changeRatio: d.edit.changeRatio } : undefined,
          exceptions: [...d.exceptions],
          reviewMs: d.reviewMs,
        },
      ];
      v.times = { ...t.times, decided: t.times.decided || env.time };
      v.claim = undefined;
      return v;
    }
    case 'qaReview': {
      const r = p.value;
      // One review per reviewer: a later event from the same reviewer replaces the earlier one.
      v.reviews = [
        ...t.reviews.filter((x) => x.reviewer !== r.reviewer),
        {
          reviewer: r.reviewer,
          reviewerName: personOf(r.person, r.reviewer).name,
          defects: [...r.defects],
          findings: r.findings.length ? r.findings.map((f) => ({ category: f.category, severity: f.severity, note: f.note })) : r.defects.map((d) => ({ category: d, severity: 'major', note: '' })),
          passed: r.passed,
          note: r.note,
          time: env.time,
          blind: r.blind,
          reviewMs: r.reviewMs,
          session: r.calibrationSession,
        },
      ];
      return v;
    }
    case 'outboundReply':
      v.reply = { text: p.value.text, time: env.time, citations: p.value.citations.map(citationView) };
      return v;
    case 'claim': {
      const who = personOf(p.value.person, '');
      v.claims = t.claims + 1;
      v.claim = p.value.claimed ? { owner: who.subject, ownerName: who.name, since: env.time } : undefined;
      return v;
    }
    case 'replyBlocked': {
      const who = personOf(p.value.person, '');
      v.blocked = [...t.blocked, { actor: who.subject, actorName: who.name, action: p.value.action, text: p.value.text, failures: p.value.failures.map(verdictView), time: env.time }];
      return v;
    }
    case 'accessDenied': {
      const who = personOf(p.value.person, '');
      v.denied = [...t.denied, { actor: who.subject, actorName: who.name, action: p.value.action, permission: p.value.permission, detail: p.value.detail, time: env.time }];
      return v;
    }
    case 'policyChanged':
      return v;
    case 'replySent':
      v.deliveries = [...t.deliveries, { kind: p.value.kind, delivered: true, visibility: p.value.visibility, reason: '', time: env.time }];
      return v;
    case 'replyFailed':
      v.deliveries = [...t.deliveries, { kind: p.value.kind, delivered: false, visibility: '', reason: p.value.reason, time: env.time }];
      return v;
    case 'helpdeskOutcome':
      v.outcomes = [...t.outcomes, { kind: p.value.kind, rating: p.value.rating, time: p.value.occurredAt || env.time }];
      // A bad satisfaction rating puts the ticket in the QA sample, whatever the sampler drew.
      // Outside the sample design: its probability is 1 given the rating, and estimators leave it out (factor csat_bad).
      if (p.value.kind === 'satisfaction' && p.value.rating === 'bad' && !t.qaSampled) v.qaSampled = { reason: 'csat_bad', rate: 1, inclusionProbability: 1, factors: ['csat_bad'], stage: 'outcome', stratum: '' };
      return v;
    case 'shadowDecided': {
      const c = p.value.concluded;
      const candidate = { policy: env.revisions?.policy ?? '', kb: env.revisions?.kb ?? '', model: env.revisions?.model ?? '' };
      const prod = p.value.production;
      // One per candidate: the first decision of a candidate stands (a redelivery publishes the same one).
      if (t.shadow.some((s) => s.candidate.policy === candidate.policy && s.candidate.kb === candidate.kb)) return v;
      v.shadow = [
        ...t.shadow,
        {
          candidate,
          production: { policy: prod?.policy ?? '', kb: prod?.kb ?? '', model: prod?.model ?? '' },
          route: c ? ROUTE.name(c.route) : undefined,
          area: c ? areaLabel(c.area) : 'unknown',
          queue: c?.queue ?? '',
          priority: c ? priorityToName(c.priority) : '',
          aiAction: AI_ACTION.name(p.value.aiAction) ?? '',
          reasons: [...new Set((c?.reasons ?? []).map((r) => r.code))].sort(),
          time: env.time,
        },
      ];
      return v;
    }
    case undefined:
      return v;
  }
}

function draftView(d: Draft | undefined): DraftView | undefined {
  if (!d?.text) return undefined;
  return {
    text: d.text,
    citations: d.citations.map(citationView),
    sentences: d.sentences.map((s) => ({ text: s.text, citations: s.citations.map(citationView) })),
    drafter: d.drafter,
    templateId: d.templateId,
  };
}

/** Ids, channel and customer from a ticket or its compact context; what is known already is kept. */
function withContext(t: TicketView, c: TicketContext): Partial<TicketView> {
  return {
    customerId: c.customerId || t.customerId,
    connector: c.connector || t.connector,
    externalId: c.externalId || t.externalId,
    channel: c.channel || t.channel,
    customer: c.customer
      ? { tier: c.customer.tier, accountValue: c.customer.accountValue, priorContacts: c.customer.priorContacts, repeatOf: [...c.customer.repeatOf] }
      : t.customer,
  };
}

function handoffView(h: { summary: string; kbFindings: string[]; triggers: string[]; suggestedNextStep: string }): HandoffView {
  return { summary: h.summary, kbFindings: [...h.kbFindings], triggers: [...h.triggers], suggestedNextStep: h.suggestedNextStep };
}

export interface QueueItem {
  ticketId: string;
  /** The helpdesk's own number for the ticket (the connector's external id). */
  ticketNumber: string;
  customerId: string;
  customerTier: string;
  channel: string;
  subject: string;
  area: string;
  intent: string;
  queue: string;
  priority: string;
  reasons: string[];
  receivedAt: string;
  concludedAt: string;
  /** Minutes since the customer wrote, at the time the queues were read. */
  ageMinutes: number;
  /** The queue's service level, from the pack (0 when unknown). */
  slaMinutes: number;
  slaDueAt: string;
  breached: boolean;
  decided: boolean;
  claimedBy: string;
  claimedByName: string;
  /** How many reviews there are; who gave them and what they said stays hidden (blind review). */
  reviewCount: number;
}

export interface Queues {
  awaitingApproval: QueueItem[];
  escalated: Array<{ queue: string; tickets: QueueItem[] }>;
  qaSample: QueueItem[];
  counts: { awaitingApproval: number; escalated: number; qaSample: number; decided: number; breached: number };
  /** Every queue with open work, for the filter list. */
  queues: string[];
}

export interface QueueFilter {
  queue?: string | undefined;
  priority?: string | undefined;
  /** `mine`: claimed by the viewer; `unclaimed`; `others`: claimed by someone else. */
  claim?: 'any' | 'mine' | 'unclaimed' | 'others' | undefined;
  breached?: boolean | undefined;
  /** Matches the ticket number, customer, area, intent or subject (case-insensitive). */
  q?: string | undefined;
}

export interface QueueOptions {
  /** The person reading: their QA sample leaves out what they reviewed or decided themselves. */
  viewer?: string | undefined;
  now?: Date | undefined;
  /** The pack's SLA for a queue, in minutes. */
  slaMinutes?: ((queue: string) => number) | undefined;
  filter?: QueueFilter | undefined;
}

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/**
 * What the work lists read of a ticket: a TicketView has it all; the SQL projection
 * (libs/sql-projection) builds exactly this from its rows, with the subject from the ticket's own events.
 */
export interface QueueTicket {
  ticketId: string;
  externalId: string;
  customerId: string;
  customer: { tier: string } | undefined;
  channel: string;
  subject: string;
  area: string;
  intent: string;
  route: RouteName | undefined;
  queue: string;
  priority: string;
  reasons: ReadonlyArray<{ code: string }>;
  qaSampled: unknown;
  decisions: ReadonlyArray<{ actor: string }>;
  reviews: ReadonlyArray<{ reviewer: string }>;
  claim: { owner: string; ownerName: string } | undefined;
  times: { received: string; concluded: string };
}

function item(t: QueueTicket, now: Date, sla: (queue: string) => number): QueueItem {
  const receivedAt = t.times.received || t.times.concluded;
  const start = Date.parse(receivedAt);
  const slaMinutes = t.queue || t.route !== 'auto_resolved' ? sla(t.queue || 'unassigned') : 0;
  const due = Number.isFinite(start) && slaMinutes > 0 ? new Date(start + slaMinutes * 60_000) : undefined;
  const open = t.decisions.length === 0 && (t.route === 'awaiting_approval' || t.route === 'escalated');
  return {
    ticketId: t.ticketId,
    ticketNumber: t.externalId,
    customerId: t.customerId,
    customerTier: t.customer?.tier ?? '',
    channel: t.channel,
    subject: t.subject,
    area: t.area,
    intent: t.intent,
    queue: t.queue,
    priority: t.priority,
    reasons: t.reasons.map((r) => r.code),
    receivedAt,
    concludedAt: t.times.concluded,
    ageMinutes: Number.isFinite(start) ? Math.max(0, Math.floor((now.getTime() - start) / 60_000)) : 0,
    slaMinutes,
    slaDueAt: due?.toISOString() ?? '',
    breached: open && due !== undefined && now.getTime() > due.getTime(),
    decided: t.decisions.length > 0,
    claimedBy: t.claim?.owner ?? '',
    claimedByName: t.claim?.ownerName ?? '',
    reviewCount: t.reviews.length,
  };
}

function matches(i: QueueItem, f: QueueFilter, viewer: string | undefined): boolean {
  if (f.queue && (i.queue || 'unassigned') !== f.queue) return false;
  if (f.priority && i.priority !== f.priority) return false;
  if (f.breached && !i.breached) return false;
  switch (f.claim ?? 'any') {
    case 'mine':
      if (!viewer || i.claimedBy !== viewer) return false;
      break;
    case 'unclaimed':
      if (i.claimedBy) return false;
      break;
    case 'others':
      if (!i.claimedBy || i.claimedBy === viewer) return false;
      break;
    case 'any':
      break;
  }
  const q = f.q?.trim().toLowerCase();
  if (q && ![i.ticketNumber, i.customerId, i.area, i.intent, i.subject, i.ticketId].some((x) => x.toLowerCase().includes(q))) return false;
  return true;
}

/**
 * The work lists: undecided drafts awaiting approval (oldest first), undecided escalations grouped
 * by queue (most urgent, then oldest first), and sampled tickets the viewer has neither reviewed nor
 * decided (no one reviews their own decision).
 */
export function queuesOf(tickets: Iterable<QueueTicket>, o: QueueOptions = {}): Queues {
  const now = o.now ?? new Date();
  const sla = o.slaMinutes ?? (() => 0);
  const f = o.filter ?? {};
  const viewer = o.viewer;
  const awaiting: QueueItem[] = [];
  const escalated = new Map<string, QueueItem[]>();
  const qa: QueueItem[] = [];
  const queues = new Set<string>();
  let decided = 0;
  let breached = 0;
  for (const t of tickets) {
    if (t.decisions.length > 0) decided++;
    const open = t.decisions.length === 0 && (t.route === 'awaiting_approval' || t.route === 'escalated');
    const sampled = t.qaSampled && t.route && !t.reviews.some((r) => r.reviewer === viewer) && !t.decisions.some((d) => d.actor === viewer);
    if (!open && !sampled) continue;
    const it = item(t, now, sla);
    if (open) queues.add(it.queue || 'unassigned');
    if (!matches(it, f, viewer)) continue;
    if (it.breached) breached++;
    if (t.route === 'awaiting_approval' && open) awaiting.push(it);
    if (t.route === 'escalated' && open) {
      const q = t.queue || 'unassigned';
      const list = escalated.get(q);
      if (list) list.push(it);
      else escalated.set(q, [it]);
    }
    if (sampled) qa.push(it);
  }
  const byAge = (a: QueueItem, b: QueueItem) => a.concludedAt.localeCompare(b.concludedAt) || a.ticketId.localeCompare(b.ticketId);
  const byUrgency = (a: QueueItem, b: QueueItem) => Number(b.breached) - Number(a.breached) || (PRIORITY_RANK[a.priority] ?? 4) - (PRIORITY_RANK[b.priority] ?? 4) || byAge(a, b);
  const groups = [...escalated.entries()]
    .map(([queue, list]) => ({ queue, tickets: list.sort(byUrgency) }))
    .sort((a, b) => a.queue.localeCompare(b.queue));
  return {
    awaitingApproval: awaiting.sort((a, b) => Number(b.breached) - Number(a.breached) || byAge(a, b)),
    escalated: groups,
    qaSample: qa.sort(byAge),
    counts: { awaitingApproval: awaiting.length, escalated: groups.reduce((n, g) => n + g.tickets.length, 0), qaSample: qa.length, decided, breached },
    queues: [...queues].sort(),
  };
}

/** What the console and replays show where an erased customer's text was (issue 11). */
export const ERASED_TEXT = '[erased]';

/**
 * Blanks a customer's text in the read model after `privacy erase`: the keys are gone, so the events
 * would read `[erased]` too; this makes a running console agree at once. Returns the tickets touched.
 */
export function eraseCustomerText(state: ProjectionState, customerId: string): number {
  let n = 0;
  for (const v of state.tickets.values()) {
    if (v.customerId !== customerId) continue;
    n++;
    v.subject = v.subject ? ERASED_TEXT : '';
    v.body = ERASED_TEXT;
    if (v.draft) v.draft = { ...v.draft, text: ERASED_TEXT, sentences: v.draft.sentences.map((s) => ({ ...s, text: ERASED_TEXT })) };
    if (v.reply) v.reply = { ...v.reply, text: ERASED_TEXT };
    if (v.handoff) v.handoff = { ...v.handoff, summary: ERASED_TEXT };
    v.decisions = v.decisions.map((d) => ({ ...d, finalText: d.finalText ? ERASED_TEXT : d.finalText, note: d.note ? ERASED_TEXT : d.note }));
    v.reviews = v.reviews.map((r) => ({ ...r, note: r.note ? ERASED_TEXT : r.note }));
    v.verdicts = v.verdicts.map((x) => ({ ...x, evidence: x.evidence.map(() => ERASED_TEXT) }));
    v.reasons = v.reasons.map((x) => ({ ...x, evidence: x.evidence.map(() => ERASED_TEXT) }));
  }
  return n;
}
