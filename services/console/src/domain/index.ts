export {
  DECISION_ACTIONS,
  parseDecisionRequest,
  parseReviewRequest,
  planDecision,
  planReview,
  planClaim,
  replyForDecision,
  seesReviews,
  requestedRefund,
  exceptionsOf,
  defectTaxonomy,
} from './decide.js';
export type { DecisionRequest, ReviewRequest, DecisionPlan, DecisionContext } from './decide.js';
export { actorFrom, actorKey, personOf, requirePermission, ForbiddenError, ChecksFailedError } from './access.js';
export type { Actor } from './access.js';
