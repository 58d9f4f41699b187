export { DRAFTER_ID, RELEVANCE_MARGIN, draftReply, refundEligibility, returnWindowDays } from './drafter.js';
export { handoffPacket, redactPii } from './handoff.js';
export { TEMPLATES, templateFor } from './templates.js';
export type { ResponseTemplate } from './templates.js';
export type {
  Draft,
  DraftEntity,
  DraftOptions,
  DraftRequest,
  DraftResult,
  HandoffInput,
  HandoffPacket,
  OrderFacts,
  RefundEligibility,
} from './types.js';
export {
  DEFAULT_PROMPT_TEMPLATE,
  LLM_DRAFTER_ID,
  draftWithLlm,
  formatPassages,
  parseModelSentences,
  promptTemplateProblems,
} from './llm-drafter.js';
export type { LlmDraft, LlmDraftOptions, LlmDraftResult, LlmFallbackReason, PromptTemplate } from './llm-drafter.js';
