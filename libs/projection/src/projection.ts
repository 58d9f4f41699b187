import type { Draft, EventEnvelope, Priority, Reason, TicketContext, Verdict } from '@handrail/contracts';
import { areaLabel, PRIORITY, ROUTE, type RouteName } from '@handrail/events';

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

export interface DecisionView {
  actor: string;
  action: string;
  finalText: string;
  note: string;
  time: string;
}

export interface ReviewView {
  reviewer: string;
  defects: string[];
  passed: boolean;
  note: string;
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
  qaSampled: { reason: string; rate: number } | undefined;
  decisions: DecisionView[];
  reviews: ReviewView[];
  reply: { text: string; time: string } | undefined;
  /** What a helpdesk connector delivered (replies, notes, handoffs) or could not, in order. */
  deliveries: DeliveryView[];
  /** What became of the ticket in the helpdesk (solved, reopened, satisfaction), in order. */
  outcomes: OutcomeView[];
  times: { received: string; concluded: string; decided: string; last: string };
  revisions: { policy: string; model: string; kb: string };
  /** Event ids already applied: a replayed or locally pre-applied event is ignored. */
  seen: string[];
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
}

export function emptyProjection(): ProjectionState {
  return { tickets: new Map() };
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
    decisions: [],
    reviews: [],
    reply: undefined,
    deliveries: [],
    outcomes: [],
    times: { received: '', concluded: '', decided: '', last: '' },
    revisions: { policy: '', model: '', kb: '' },
    seen: [],
  };
}

const reasonView = (r: Reason): ReasonView => ({ code: r.code, rule: r.rule, detail: r.detail, evidence: [...r.evidence] });
const verdictView = (v: Verdict): VerdictView => ({ check: v.check, passed: v.passed, code: v.code, detail: v.detail, evidence: [...v.evidence] });
const citationView = (c: CitationView): CitationView => ({ articleId: c.articleId, passageId: c.passageId, articleVersion: c.articleVersion });

export function priorityToName(p: Priority): string {
  return PRIORITY.name(p) ?? '';
}

/**
 * Folds one event into the per-ticket views. The map is the state's own and is updated in place
 * (rebuilding from a long stream must stay linear), but a ticket's view is replaced, never mutated,
 * so a reader holding a view keeps a consistent snapshot. Applying an event twice changes nothing.
 */
export function applyEvent(state: ProjectionState, env: EventEnvelope): ProjectionState {
  const before = state.tickets.get(env.ticketId) ?? emptyTicket(env.ticketId);
  if (before.seen.includes(env.eventId)) return state;
  const next = reduceTicket(before, env);
  next.seen = [...before.seen, env.eventId];
  if (!next.correlationId) next.correlationId = env.correlationId;
  if (env.time > next.times.last) next.times = { ...next.times, last: env.time };
  state.tickets.set(env.ticketId, next);
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
    case 'qaSampled':
      v.qaSampled = { reason: p.value.sampleReason, rate: p.value.rate };
      return v;
    case 'humanDecision':
      v.decisions = [...t.decisions, { actor: p.value.actor, action: p.value.action, finalText: p.value.finalText, note: p.value.note, time: env.time }];
      v.times = { ...t.times, decided: t.times.decided || env.time };
      return v;
    case 'qaReview':
      // One review per reviewer: a later event from the same reviewer replaces the earlier one.
      v.reviews = [
        ...t.reviews.filter((r) => r.reviewer !== p.value.reviewer),
        { reviewer: p.value.reviewer, defects: [...p.value.defects], passed: p.value.passed, note: p.value.note, time: env.time },
      ];
      return v;
    case 'outboundReply':
      v.reply = { text: p.value.text, time: env.time };
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
      if (p.value.kind === 'satisfaction' && p.value.rating === 'bad' && !t.qaSampled) v.qaSampled = { reason: 'csat_bad', rate: 1 };
      return v;
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
  area: string;
  intent: string;
  queue: string;
  priority: string;
  reasons: string[];
  concludedAt: string;
  decided: boolean;
  reviewers: string[];
}

export interface Queues {
  awaitingApproval: QueueItem[];
  escalated: Array<{ queue: string; tickets: QueueItem[] }>;
  qaSample: QueueItem[];
  counts: { awaitingApproval: number; escalated: number; qaSample: number; decided: number };
}

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

function item(t: TicketView): QueueItem {
  return {
    ticketId: t.ticketId,
    area: t.area,
    intent: t.intent,
    queue: t.queue,
    priority: t.priority,
    reasons: t.reasons.map((r) => r.code),
    concludedAt: t.times.concluded,
    decided: t.decisions.length > 0,
    reviewers: t.reviews.map((r) => r.reviewer),
  };
}

/**
 * The work lists: undecided drafts awaiting approval (oldest first), undecided escalations grouped
 * by queue (most urgent, then oldest first), and sampled tickets not yet reviewed by `reviewer`.
 */
export function queuesOf(tickets: Iterable<TicketView>, reviewer?: string): Queues {
  const awaiting: QueueItem[] = [];
  const escalated = new Map<string, QueueItem[]>();
  const qa: QueueItem[] = [];
  let decided = 0;
  for (const t of tickets) {
    if (t.decisions.length > 0) decided++;
    if (t.route === 'awaiting_approval' && t.decisions.length === 0) awaiting.push(item(t));
    if (t.route === 'escalated' && t.decisions.length === 0) {
      const q = t.queue || 'unassigned';
      const list = escalated.get(q);
      if (list) list.push(item(t));
      else escalated.set(q, [item(t)]);
    }
    if (t.qaSampled && t.route && !t.reviews.some((r) => r.reviewer === reviewer)) qa.push(item(t));
  }
  const byAge = (a: QueueItem, b: QueueItem) => a.concludedAt.localeCompare(b.concludedAt) || a.ticketId.localeCompare(b.ticketId);
  const byUrgency = (a: QueueItem, b: QueueItem) => (PRIORITY_RANK[a.priority] ?? 4) - (PRIORITY_RANK[b.priority] ?? 4) || byAge(a, b);
  const groups = [...escalated.entries()]
    .map(([queue, list]) => ({ queue, tickets: list.sort(byUrgency) }))
    .sort((a, b) => a.queue.localeCompare(b.queue));
  return {
    awaitingApproval: awaiting.sort(byAge),
    escalated: groups,
    qaSample: qa.sort(byAge),
    counts: { awaitingApproval: awaiting.length, escalated: groups.reduce((n, g) => n + g.tickets.length, 0), qaSample: qa.length, decided },
  };
}
