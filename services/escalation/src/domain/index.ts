export { TRIGGERS, evaluateTriggers } from './triggers.js';
export type { Trigger, TriggerInput } from './triggers.js';
export { decideRoute, priorityFor, queueFor } from './route.js';
export type { RouteDecision, RouteName, PriorityName } from './route.js';
export { concludeAfterDraft } from './conclude.js';
export type { Conclusion, DraftCheckSummary } from './conclude.js';
export { decideOffline, requestedAmount } from './offline.js';
export type { OfflineDecision, OfflineDecisionInput } from './offline.js';
