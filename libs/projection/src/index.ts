// Read models built from events alone: the per-ticket view people act on, the queues, the
// plain-language timeline and the weekly monitoring report. The console and the CLI share them.
export { applyEvent, emptyProjection, emptyTicket, queuesOf, priorityToName, eraseCustomerText, ERASED_TEXT } from './projection.js';
export type {
  ProjectionState,
  TicketView,
  ShadowView,
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
  QueueTicket,
  Queues,
  QueueFilter,
  QueueOptions,
  PersonView,
  ClaimView,
  BlockedReplyView,
  DeniedView,
  SampleView,
  SeedView,
  AutomationChangeView,
  AlertView,
  CalibrationView,
} from './projection.js';
export { wordDiff, editStats } from './diff.js';
export type { DiffOp, EditStats } from './diff.js';
export { DEFECTS, isoWeek, cohensKappa, calibration, weekReport, weeklyReport, editReport } from './report.js';
export type { Defect, WeekReport, WeekReportOptions, Agreement, Calibration, EditRate, EditReport } from './report.js';
export { defectEstimates, escalationSection, automationSection, outcomeSection, humanSection, slaSection, reviewerSection, weekUnits, BUILTIN_CATEGORIES } from './report-qa.js';
export type { DefectEstimates, EscalationSection, AutomationSection, OutcomeSection, HumanSection, SlaSection } from './report-qa.js';
export { explainTimeline, renderTimeline } from './timeline.js';
export type { TimelineStep } from './timeline.js';
export { qaUnitOf, qaUnitsOf } from './qa.js';
export { renderWeeklyHtml, WEEKLY_SECTIONS, lineChartSvg, barChartSvg, headerSection, defectTrendSection, defectByAreaSection, escalationSection as escalationHtmlSection, outcomesSection, reviewersSection, loopSection, shadowHtmlSection } from './report-html.js';
export { shadowSection, shadowChangeOf, renderShadowText, MAX_SHADOW_CHANGES } from './report-shadow.js';
export type { ShadowSection, ShadowComparison, ShadowChange, ShadowGroup } from './report-shadow.js';
export type { ReportContext, ReportSection, LoopSummary } from './report-html.js';
