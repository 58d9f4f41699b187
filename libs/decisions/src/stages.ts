import {
  Classification,
  HandoffPrepared,
  Route,
  TicketConcluded,
  type ActionPermitted,
  type DraftChecked,
  type DraftProposed,
  type DraftRequested,
  type OutboundReply,
  type QaSampled,
  type Ticket,
  type TicketClassified,
  type TicketContext,
} from '@handrail/contracts';
import { classifyWithLlm, type Classifier, type ClassifierModels, type EmbeddedModel, type LlmClassifyFallbackReason } from '@handrail/classifier';
import { actionName, AI_ACTION, AREA, EnvelopeError, PRIORITY, ROUTE, type AreaName, type RouteName } from '@handrail/events';
import type { KnowledgeBase } from '@handrail/kb';
import type { LlmClient } from '@handrail/llm';
import { queueFor, type PolicyPack } from '@handrail/policy';
import { composeDraft, composeHandoff, type LlmDrafting } from './compose.js';
import { concludeAfterDraft } from './conclude.js';
import { contextOf, customerOf } from './context.js';
import { checkDraftAll } from './draft-check.js';
import type { ContactLookup, ContactRecord } from './history.js';
import { permit, requestedAmount } from './permit.js';
import { decideRoute, priorityFor } from './route.js';
import { draftRelevance, type RelevanceOptions } from './relevance.js';
import { capAutomation, emptyAutomation, type AutomationState } from './automation.js';
import { decideEditSample, decideSample, type SamplingCounters, type SamplingDecision } from './sampling.js';
import { readSignals } from './signals.js';
import { ticketText } from './text.js';

/**
 * One function per stage of the pipeline: what the stage publishes, from what it consumed. The
 * services wire these to the bus; `decideTicket` chains them in process. Nothing here does I/O
 * except the optional LLM calls that a caller passes in.
 */

/** A stage's input must carry what the earlier stages decided; a payload without it is dead-lettered. */
function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new EnvelopeError(`${what} is missing`);
  return value;
}

/** Where a ticket of this classification is handled; an unknown area is triage's (and never automated: permit denies it). */
function areaOf(c: Classification): AreaName {
  return AREA.name(c.area) ?? 'triage';
}

export interface ClassifyDeps {
  classifier: Classifier;
  /**
   * The meaning-aware second model (issue 12): the ticket's text is embedded (batched with whatever
   * else is in flight) and both models' opinions are combined; their doubts route to a person.
   */
  semantic?: ClassifierModels['semantic'];
  /** The optional LLM classifier; the embedded model must then expose its intents (a trained classifier does). */
  llm?: { client: LlmClient; embedded: EmbeddedModel; timeoutMs: number } | undefined;
}

export interface Classified {
  payload: TicketClassified;
  /** The version actually used: `llm:<model>+<embedded>` or the embedded model's alone. */
  modelVersion: string;
  fallbackReason?: LlmClassifyFallbackReason | undefined;
  fallbackDetail?: string | undefined;
}

/** classifier: the ticket's area, intent and confidence, and every other signal its text carries. */
export async function classifyStage(ticket: Ticket, pack: PolicyPack, d: ClassifyDeps): Promise<Classified> {
  const text = ticketText(ticket);
  let classification: Classification;
  let fallback: Pick<Classified, 'fallbackReason' | 'fallbackDetail'> = {};
  if (d.llm) {
    const r = await classifyWithLlm(text, { client: d.llm.client, embedded: d.llm.embedded, timeoutMs: d.llm.timeoutMs });
    classification = r.result;
    fallback = { fallbackReason: r.fallbackReason, fallbackDetail: r.fallbackDetail };
  } else if (d.semantic) {
    const [vector] = await d.semantic.embed([text]);
    if (vector === undefined) throw new Error('classifier: the encoder returned no vector');
    classification = d.semantic.hybrid.classifyVector(text, vector);
  } else {
    classification = d.classifier.classify(text);
  }
  return { payload: classifiedOf(ticket, classification, pack), modelVersion: classification.modelVersion, ...fallback };
}

/** The `classified` payload for a classification made elsewhere (an evaluation's model, say). */
export function classifiedOf(ticket: Ticket, classification: Classification, pack: PolicyPack): TicketClassified {
  // Only the contract's fields: a model's diagnostics never travel.
  return { context: contextOf(ticket), classification: Classification.fromPartial(classification), signals: readSignals(ticketText(ticket), pack) };
}

/** guardrail: what AI may do for this ticket — the pack's grant, lowered by the QA loop's breakers and pilots. */
export function permitStage(p: TicketClassified, pack: PolicyPack, automation: AutomationState = emptyAutomation()): ActionPermitted {
  const c = need(p.classification, 'classification');
  const signals = need(p.signals, 'text signals');
  const context = need(p.context, 'ticket context');
  const granted = permit({
    area: AREA.name(c.area),
    intent: c.intent,
    riskFlags: c.riskFlags,
    tier: customerOf(p.context).tier,
    requestedRefund: requestedAmount(c.entities),
    injection: signals.injection,
    policy: pack,
  });
  const capped = capAutomation(granted.action, { area: AREA.name(c.area), channel: context.channel, ticketId: context.ticketId }, pack, automation);
  const result = { ...granted, action: capped.action, reasons: [...granted.reasons, ...capped.reasons] };
  return {
    context,
    classification: c,
    signals,
    permission: {
      action: AI_ACTION.value(result.action),
      reasons: result.reasons,
      confidenceThreshold: result.confidenceThreshold,
      refundLimit: result.refundLimit,
    },
  };
}

/** The contact this ticket adds to the customer's history. */
export function contactRecordOf(p: Pick<ActionPermitted, 'context' | 'classification'>): ContactRecord {
  const context = need(p.context, 'ticket context');
  const c = need(p.classification, 'classification');
  return { ticketId: context.ticketId, area: areaOf(c), intent: c.intent, channel: context.channel, at: context.receivedAt };
}

export type Routed = { kind: 'concluded'; concluded: TicketConcluded } | { kind: 'draft_requested'; request: DraftRequested };

/** escalation: a human now (terminal), or a draft first. */
export function routeStage(p: ActionPermitted, contacts: ContactLookup, pack: PolicyPack): Routed {
  const c = need(p.classification, 'classification');
  const perm = need(p.permission, 'permission');
  const decision = decideRoute(actionName(perm.action), {
    area: areaOf(c),
    confidence: c.confidence,
    confidenceThreshold: perm.confidenceThreshold,
    outOfScope: c.outOfScope,
    modelDoubts: c.modelDoubts,
    sentiment: c.sentiment,
    riskKeywords: need(p.signals, 'text signals').riskKeywords,
    customer: customerOf(p.context),
    repeatOf: contacts.repeatOf,
    openCases: contacts.openCases,
    permissionReasons: perm.reasons,
    policy: pack,
  });
  const context = withRepeats(need(p.context, 'ticket context'), contacts.repeatOf);
  if (decision.route === 'escalated') {
    return {
      kind: 'concluded',
      concluded: TicketConcluded.fromPartial({
        context,
        route: Route.ROUTE_ESCALATED,
        reasons: decision.reasons,
        area: c.area,
        intent: c.intent,
        confidence: c.confidence,
        queue: decision.queue,
        priority: PRIORITY.value(decision.priority),
      }),
    };
  }
  return { kind: 'draft_requested', request: { context, classification: c, permission: perm, plan: { intendedRoute: ROUTE.value(decision.route), reasons: decision.reasons } } };
}

function withRepeats(context: TicketContext, repeatOf: readonly string[]): TicketContext {
  if (!context.customer) return context;
  return { ...context, customer: { ...context.customer, repeatOf: [...repeatOf] } };
}

/**
 * drafting: a grounded reply, from the ticket's own words (read from its `received` event), and
 * whether it answers them (`relevance`; semantic closeness only with an encoder).
 */
export async function draftStage(p: DraftRequested, ticket: Ticket, kb: KnowledgeBase, llm?: LlmDrafting, answer: RelevanceOptions = {}): Promise<DraftProposed> {
  const c = need(p.classification, 'classification');
  const r = await composeDraft(ticket, c, areaOf(c), need(p.permission, 'permission').refundLimit, kb, llm);
  const relevance = r.draft ? await draftRelevance({ message: ticketText(ticket), intent: c.intent, draft: r.draft, kb, semantic: answer.semantic, gates: answer.gates }) : undefined;
  return { context: p.context, classification: c, permission: p.permission, plan: p.plan, draft: r.draft, kbFindings: r.kbFindings, relevance };
}

/** The customer's own e-mail and phone, as found in their message: a draft may repeat these. */
function customerContacts(entities: ReadonlyArray<{ kind: string; value: string }>): { email?: string; phone?: string } {
  return { email: entities.find((e) => e.kind === 'email')?.value, phone: entities.find((e) => e.kind === 'phone')?.value };
}

/** guardrail: every check the draft must pass before anyone sees it. */
export function checkStage(p: DraftProposed, pack: PolicyPack, kb: KnowledgeBase): DraftChecked {
  const c = need(p.classification, 'classification');
  const permission = need(p.permission, 'permission');
  const verdicts = p.draft
    ? checkDraftAll(
        {
          draft: p.draft,
          area: areaOf(c),
          action: actionName(permission.action),
          refundLimit: permission.refundLimit,
          customer: customerContacts(c.entities),
          policy: pack,
        },
        kb,
      )
    : [];
  const passed = p.draft !== undefined && verdicts.every((v) => v.passed);
  return { context: p.context, classification: c, plan: p.plan, draft: p.draft, verdicts, passed, relevance: p.relevance };
}

export interface Concluded {
  concluded: TicketConcluded;
  /** Set when AI sends the reply itself (auto-resolved). */
  reply?: OutboundReply | undefined;
}

const intendedRoute = (r: Route): RouteName => {
  const n = ROUTE.name(r);
  // Anything but the two AI routes cannot be "intended" for a draft: a person decides then.
  return n === 'auto_resolved' ? 'auto_resolved' : 'awaiting_approval';
};

/** escalation: the terminal state after drafting, and the reply when AI resolves. */
export function concludeStage(p: DraftChecked, pack: PolicyPack): Concluded {
  const c = need(p.classification, 'classification');
  const plan = need(p.plan, 'route plan');
  const area = areaOf(c);
  const conclusion = concludeAfterDraft(intendedRoute(plan.intendedRoute), plan.reasons, {
    hasDraft: p.draft !== undefined && p.draft.text !== '',
    draftFailure: p.draft ? undefined : 'no_grounding',
    verdicts: p.verdicts,
    relevance: p.relevance,
    noAnswer: pack.escalation.no_answer,
  });
  const concluded = TicketConcluded.fromPartial({
    context: p.context,
    route: ROUTE.value(conclusion.route),
    reasons: conclusion.reasons,
    area: c.area,
    intent: c.intent,
    confidence: c.confidence,
    queue: conclusion.route === 'auto_resolved' ? '' : queueFor(pack, area),
    priority: PRIORITY.value(conclusion.route === 'escalated' ? priorityFor(pack, area, conclusion.reasons) : 'low'),
  });
  const ctx = need(p.context, 'ticket context');
  const reply =
    conclusion.route === 'auto_resolved' && p.draft
      ? { ticketId: ctx.ticketId, connector: ctx.connector, externalId: ctx.externalId, customerId: ctx.customerId, text: p.draft.text, citations: p.draft.citations }
      : undefined;
  return { concluded, reply };
}

export interface SampleStageContext {
  /** The revisions on the concluded event (empty ones are not counted). */
  revisions?: { policy?: string | undefined; model?: string | undefined; kb?: string | undefined } | undefined;
  /** Certainty selections so far; the stage records what it uses. Without it: base rates only. */
  counters?: SamplingCounters | undefined;
}

/**
 * qa-sampler: whether a person reviews this decision, even when nothing looks wrong, and with what
 * probability (recorded on the sample, so estimators can weight it).
 */
export function sampleStage(c: TicketConcluded, ticketId: string, pack: PolicyPack, ctx: SampleStageContext = {}): QaSampled | undefined {
  const route = ROUTE.name(c.route);
  if (!route) return undefined;
  const s = decideSample(pack, ticketId, AREA.name(c.area), route, { confidence: c.confidence, revisions: ctx.revisions, receivedAt: c.context?.receivedAt, counters: ctx.counters });
  ctx.counters?.record(s.claims);
  return s.sampled ? qaSampledOf(ticketId, c, s, 'conclusion') : undefined;
}

function qaSampledOf(ticketId: string, c: Pick<TicketConcluded, 'route' | 'area'>, s: SamplingDecision, stage: 'conclusion' | 'human_edit'): QaSampled {
  return { ticketId, route: c.route, area: c.area, sampleReason: s.rule, rate: s.rate, inclusionProbability: s.inclusionProbability, factors: s.factors, draw: s.draw, stage, stratum: s.stratum };
}

/**
 * qa-sampler, after a person edited a draft: a sample (new, or the earlier one with its probability
 * revised) when the edit raises the ticket's inclusion probability and its draw falls below it.
 */
export function editSampleStage(c: Pick<TicketConcluded, 'route' | 'area' | 'confidence'>, ticketId: string, pack: PolicyPack, atConclusion: number | undefined): QaSampled | undefined {
  const route = ROUTE.name(c.route);
  if (!route) return undefined;
  const s = decideEditSample(pack, ticketId, AREA.name(c.area), route, atConclusion, c.confidence);
  if (!s?.sampled || (atConclusion !== undefined && s.inclusionProbability <= atConclusion)) return undefined;
  return qaSampledOf(ticketId, c, s, 'human_edit');
}

/** drafting: the packet a person starts from when a ticket is escalated; none for other routes. */
export function handoffStage(c: TicketConcluded, ticket: Ticket, kb: KnowledgeBase): HandoffPrepared | undefined {
  if (c.route !== Route.ROUTE_ESCALATED) return undefined;
  const packet = composeHandoff(ticket, AREA.name(c.area) ?? 'triage', c.intent, c.reasons, kb);
  return HandoffPrepared.fromPartial({ ticketId: ticket.ticketId, packet });
}
