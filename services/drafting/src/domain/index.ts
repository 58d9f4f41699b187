export { composeDraft, composeHandoff } from './compose.js';
export type { ComposeResult } from './compose.js';
