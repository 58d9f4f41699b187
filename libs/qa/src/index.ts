// The QA loop's statistics and judgements (issue 13): pure functions, no I/O.
export { zFor, wilson, horvitzThompsonTotal, effectiveSampleSize, weightedRate, stratifiedRate, seededRandom, bootstrapInterval, fleissKappa, krippendorffAlphaNominal } from './stats.js';
export type { Interval, RateEstimate, WeightedSample, Stratum } from './stats.js';
export {
  defectValue,
  estimable,
  defectRate,
  breakerVerdict,
  pilotVerdict,
  catchRates,
  fastApprovalAlarms,
  reviewerAlarms,
  automationCreepAlarms,
  calibrationReport,
  improvementBacklog,
} from './loop.js';
export type { QaUnit, UnitReview, DefectFilter, BreakerRule, BreakerVerdict, PilotCriteria, PilotMetric, PilotVerdict, CatchRate, Alarm, CategoryAgreement, CalibrationReport, BacklogEntry } from './loop.js';
