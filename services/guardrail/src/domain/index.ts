export { permit, requestedAmount } from './permit.js';
export type { PermitInput, PermitResult } from './permit.js';
export type { RuleHit } from './rule-hit.js';
export { checkDraftAll, injectionEvidence } from './draft-check.js';
export type { DraftCheckDeps, DraftCheckInput, VerdictResult } from './draft-check.js';
