export { applyEvent, emptyProjection, emptyTicket, queuesOf, priorityToName } from './projection.js';
export type {
  ProjectionState,
  TicketView,
  RouteName,
  DecisionAction,
  ReasonView,
  CitationView,
  DraftView,
  VerdictView,
  HandoffView,
  DecisionView,
  ReviewView,
  QueueItem,
  Queues,
} from './projection.js';
export { DECISION_ACTIONS, DEFECTS, parseActor, parseDecisionRequest, parseReviewRequest, planDecision, planReview, replyForDecision } from './decide.js';
export type { Defect, DecisionRequest, ReviewRequest, DecisionPlan } from './decide.js';
export { isoWeek, cohensKappa, calibration, weekReport, weeklyReport } from './report.js';
export type { WeekReport, Agreement, Calibration } from './report.js';
export { explainTimeline, renderTimeline } from './timeline.js';
export type { TimelineStep } from './timeline.js';
