export { trainingExamplesFromPolicy, ticketText, toClassification, classifyTicket, classifyTicketWithLlm } from './classify.js';
export type { TicketClassification } from './classify.js';
export { classifyWithLlm, systemPrompt, userPrompt, maskForLlm, DEFAULT_LLM_CLASSIFY_TIMEOUT_MS, OUT_OF_SCOPE_CONFIDENCE_CAP } from './llm-classify.js';
export type { EmbeddedModel, LlmClassifyOptions, LlmClassifyOutcome, LlmClassifyFallbackReason } from './llm-classify.js';
