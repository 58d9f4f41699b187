export { createLlmClient, llmConfigProblems, messageContent, observedLlmClient } from './client.js';
export type { ChatMessage, ChatOptions, LlmClient, LlmClientDeps, LlmConfig } from './client.js';
export { LLM_ERROR_KINDS, LlmError, isRetryableStatus } from './errors.js';
export type { LlmErrorKind } from './errors.js';
export { llmConfigFromEnv, llmEnvShape } from './env.js';
export type { LlmEnv } from './env.js';
