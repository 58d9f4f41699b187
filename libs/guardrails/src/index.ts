export { CHECKS, REASON_CODES, pass, fail } from './verdict.js';
export type { CheckName, ReasonCode, Verdict } from './verdict.js';
export { detectPromptInjection, findInjections } from './injection.js';
export type { InjectionMatch } from './injection.js';
export { checkDraft, splitSentences } from './draft.js';
export type { DraftCheckInput, DraftCheckResult, DraftCustomer } from './draft.js';
