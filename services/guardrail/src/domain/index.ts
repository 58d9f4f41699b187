export { permit, refundLimitFor } from './permit.js';
export type { PermitInput, PermitResult } from './permit.js';
export type { RuleHit } from './rule-hit.js';
