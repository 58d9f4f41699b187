import type {
  ActionPermitted,
  Classification,
  DraftChecked,
  DraftProposed,
  DraftRequested,
  HandoffPrepared,
  OutboundReply,
  QaSampled,
  Ticket,
  TicketClassified,
  TicketConcluded,
} from '@handrail/contracts';
import type { KnowledgeBase } from '@handrail/kb';
import type { PolicyPack } from '@handrail/policy';
import type { LlmDrafting } from './compose.js';
import type { RelevanceOptions } from './relevance.js';
import type { AutomationState } from './automation.js';
import { SamplingCounters } from './sampling.js';
import { appendContact, contactLookup, historyWindowHours, type ContactLookup, type ContactRecord } from './history.js';
import {
  checkStage,
  classifiedOf,
  classifyStage,
  concludeStage,
  contactRecordOf,
  draftStage,
  handoffStage,
  permitStage,
  routeStage,
  sampleStage,
  type ClassifyDeps,
  type Routed,
} from './stages.js';

export interface TicketInput {
  ticket: Ticket;
  /** The customer's earlier contacts (as the contacts bucket holds them); empty for a first contact. */
  history?: readonly ContactRecord[];
}

/** Everything up to the route, for a ticket already classified: what evaluation sweeps over. */
export interface TicketPlan {
  classified: TicketClassified;
  permitted: ActionPermitted;
  contacts: ContactLookup;
  routed: Routed;
}

/** Permission and route for a classified ticket, exactly as the guardrail and escalation services decide them. */
export function planTicket(input: TicketInput, classification: Classification, pack: PolicyPack, automation?: AutomationState): TicketPlan {
  const classified = classifiedOf(input.ticket, classification, pack);
  const permitted = permitStage(classified, pack, automation);
  const contacts = contactLookup(input.history ?? [], contactRecordOf(permitted), pack);
  return { classified, permitted, contacts, routed: routeStage(permitted, contacts, pack) };
}

export interface DecideDeps {
  policy: { pack: PolicyPack; revision: string };
  kb: { kb: KnowledgeBase; revision: string };
  classify: ClassifyDeps;
  llmDrafting?: LlmDrafting | undefined;
  /** The answer-relevance check: semantic closeness needs an encoder (lexical checks only without); gates default to the calibrated ones. */
  relevance?: RelevanceOptions | undefined;
  /** The QA sampler's certainty selections so far (first decisions after a revision, weekly minimums); decideInOrder keeps one. */
  sampling?: SamplingCounters | undefined;
  /** Breakers and pilots in force (from `automation_changed` events); none when absent. */
  automation?: AutomationState | undefined;
}

/** One ticket's whole decision: every payload the services would publish for it, in order. */
export interface TicketDecision {
  classified: TicketClassified;
  permitted: ActionPermitted;
  contacts: ContactLookup;
  requested?: DraftRequested | undefined;
  drafted?: DraftProposed | undefined;
  checked?: DraftChecked | undefined;
  concluded: TicketConcluded;
  reply?: OutboundReply | undefined;
  sample?: QaSampled | undefined;
  handoff?: HandoffPrepared | undefined;
  revisions: { policy: string; model: string; kb: string };
}

/** The payload a decision publishes for each event kind, in pipeline order (undefined: that stage did not run). */
export function decisionPayloads(d: TicketDecision): {
  classified: TicketClassified;
  permitted: ActionPermitted;
  draftRequested: DraftRequested | undefined;
  drafted: DraftProposed | undefined;
  draftChecked: DraftChecked | undefined;
  concluded: TicketConcluded;
  outboundReply: OutboundReply | undefined;
  qaSampled: QaSampled | undefined;
  handoff: HandoffPrepared | undefined;
} {
  return { classified: d.classified, permitted: d.permitted, draftRequested: d.requested, drafted: d.drafted, draftChecked: d.checked, concluded: d.concluded, outboundReply: d.reply, qaSampled: d.sample, handoff: d.handoff };
}

/**
 * "What would happen to this ticket?" — the stages the services run, chained in process with the
 * same functions and the same inputs (the customer's history included), without the bus. The CLI,
 * evaluation and the demo's cross-check call this; the services call the stages one by one.
 */
export async function decideTicket(input: TicketInput, deps: DecideDeps): Promise<TicketDecision> {
  const { pack } = deps.policy;
  const kb = deps.kb.kb;
  const cls = await classifyStage(input.ticket, pack, deps.classify);
  const permitted = permitStage(cls.payload, pack, deps.automation);
  const contacts = contactLookup(input.history ?? [], contactRecordOf(permitted), pack);
  const routed = routeStage(permitted, contacts, pack);
  const revisions = { policy: deps.policy.revision, model: cls.modelVersion, kb: deps.kb.revision };
  const base = { classified: cls.payload, permitted, contacts, revisions };
  if (routed.kind === 'concluded') {
    const concluded = routed.concluded;
    return {
      ...base,
      concluded,
      // As the qa-sampler sees it: the concluded event of an escalation carries no KB revision.
      sample: sampleStage(concluded, input.ticket.ticketId, pack, { revisions: { policy: revisions.policy, model: revisions.model }, counters: deps.sampling }),
      handoff: handoffStage(concluded, input.ticket, kb),
    };
  }
  const drafted = await draftStage(routed.request, input.ticket, kb, deps.llmDrafting, deps.relevance);
  const checked = checkStage(drafted, pack, kb);
  const { concluded, reply } = concludeStage(checked, pack);
  return {
    ...base,
    requested: routed.request,
    drafted,
    checked,
    concluded,
    reply,
    sample: sampleStage(concluded, input.ticket.ticketId, pack, { revisions, counters: deps.sampling }),
    handoff: handoffStage(concluded, input.ticket, kb),
  };
}

/**
 * Several tickets in the order they were received, each decided with the contact history the ones
 * before it left — what the escalation service's contacts bucket holds when tickets arrive one by one.
 */
export async function decideInOrder(tickets: readonly Ticket[], deps: DecideDeps): Promise<TicketDecision[]> {
  const histories = new Map<string, ContactRecord[]>();
  const out: TicketDecision[] = [];
  const withCounters = { ...deps, sampling: deps.sampling ?? new SamplingCounters() };
  for (const ticket of [...tickets].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))) {
    const history = histories.get(ticket.customerId) ?? [];
    const decision = await decideTicket({ ticket, history }, withCounters);
    histories.set(ticket.customerId, appendContact(history, contactRecordOf(decision.permitted), historyWindowHours(deps.policy.pack)));
    out.push(decision);
  }
  return out;
}
