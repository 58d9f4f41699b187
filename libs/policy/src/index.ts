export * from './schema.js';
export { parsePolicy, loadPolicyFile, checkPolicy, checkPolicyFile, checkPolicyObject, validatePack, formatIssue, PolicyError } from './parse.js';
export type { PolicyIssue, PolicyCheck, IssueSeverity } from './parse.js';
export { allowedAction, refundLimitFor, queueFor, overrideFor, activeOverrides, isHumanOnly, exceeds, semanticIssues, MIN_ACTING_THRESHOLD } from './rules.js';
export type { SemanticIssue } from './rules.js';
export { policyRevisionId, canonicalJson, diffPolicies, formatDiff } from './revision.js';
export type { PolicyChange, PolicyChangeKind } from './revision.js';
export { PolicyStore } from './store.js';
export type { PolicyRevision, RevisionStatus, ActivePointer, ActiveRevision, AuditRecord, AuditAction, Actor, PolicyStoreOptions } from './store.js';
