// Read models built from events alone: the per-ticket view people act on, the queues, the
// plain-language timeline and the weekly monitoring report. The console and the CLI share them.
export { applyEvent, emptyProjection, emptyTicket, queuesOf, priorityToName } from './projection.js';
export type {
  ProjectionState,
  TicketView,
  DecisionAction,
  ReasonView,
  CitationView,
  DraftView,
  VerdictView,
  HandoffView,
  DecisionView,
  ReviewView,
  DeliveryView,
  OutcomeView,
  QueueItem,
  Queues,
} from './projection.js';
export { DEFECTS, isoWeek, cohensKappa, calibration, weekReport, weeklyReport } from './report.js';
export type { Defect, WeekReport, Agreement, Calibration } from './report.js';
export { explainTimeline, renderTimeline } from './timeline.js';
export type { TimelineStep } from './timeline.js';
