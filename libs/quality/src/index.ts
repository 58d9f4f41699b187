// The QA loop over the read model (issue 13): breaker demotions, pilot stops, alarms, seeded defects,
// re-promotion, and the overview the console and the CLI show. Pure functions and a small state fold.
export { breakerRuleFor, currentAction, planDemotions, planPilotStops, planAlarms } from './plan.js';
export type { PlannedChange } from './plan.js';
export { seedAfter } from './seed.js';
export { LoopState } from './state.js';
export { qaOverview, pilotStatuses, planRestore } from './overview.js';
export type { QaOverview, AreaStatus, PilotStatus } from './overview.js';
