export { DECISION_ACTIONS, parseActor, parseDecisionRequest, parseReviewRequest, planDecision, planReview, replyForDecision } from './decide.js';
export type { DecisionRequest, ReviewRequest, DecisionPlan } from './decide.js';
