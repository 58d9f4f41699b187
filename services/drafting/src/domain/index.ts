export { composeDraft, composeHandoff } from './compose.js';
export type { ComposeResult, LlmDrafting } from './compose.js';
