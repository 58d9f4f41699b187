// The decisions: every rule that says what AI may do with a ticket and who handles it, as plain
// functions over the contract's types. Services wire the stages to the bus; `decideTicket` runs
// them in process for the CLI, evaluation and the demo.
export { decideTicket, decideInOrder, planTicket, decisionPayloads } from './pipeline.js';
export type { DecideDeps, TicketDecision, TicketInput, TicketPlan } from './pipeline.js';
export {
  classifyStage,
  classifiedOf,
  permitStage,
  routeStage,
  contactRecordOf,
  draftStage,
  checkStage,
  concludeStage,
  sampleStage,
  editSampleStage,
  handoffStage,
} from './stages.js';
export type { ClassifyDeps, Classified, Routed, Concluded, SampleStageContext } from './stages.js';
export { ticketText } from './text.js';
export { contextOf, customerOf } from './context.js';
export { readSignals, riskKeywordHits, injectionEvidence } from './signals.js';
export { permit, requestedAmount } from './permit.js';
export type { PermitInput, PermitResult } from './permit.js';
export { TRIGGERS, evaluateTriggers } from './triggers.js';
export type { Trigger, TriggerInput } from './triggers.js';
export { decideRoute, priorityFor } from './route.js';
export type { RouteDecision } from './route.js';
export { concludeAfterDraft } from './conclude.js';
export type { Conclusion, DraftCheckSummary } from './conclude.js';
export { checkDraftAll } from './draft-check.js';
export type { DraftCheckInput } from './draft-check.js';
export { decideSample, decideEditSample, baseRate, ticketDraw, isoWeekOf, SamplingCounters, isCertaintyFactor, certaintyQuota } from './sampling.js';
export type { SamplingDecision, SamplingContext } from './sampling.js';
export { composeDraft, composeHandoff } from './compose.js';
export type { ComposeResult, LlmDrafting } from './compose.js';
export { repeatContacts, openHumanCases, appendContact, contactLookup, historyWindowHours } from './history.js';
export type { ContactRecord, ContactLookup } from './history.js';
export { checkHumanReply } from './human-reply.js';
export type { HumanReplyInput, HumanReplyCheck } from './human-reply.js';
export { NO_ANSWER, draftRelevance, noAnswerReason, passageText, passageTexts, relevanceMessage, semanticScorer } from './relevance.js';
export type { DraftRelevanceInput, RelevanceOptions, SemanticScorer, SentenceEncoder } from './relevance.js';
export { emptyAutomation, applyAutomationChange, capAutomation, demotedAction, inPilotSlice, pilotFor } from './automation.js';
export type { AutomationState, AutomationCap } from './automation.js';
