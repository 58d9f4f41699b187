// The ticket view shows the same timeline as `handrail explain`. libs/cli has no package entry
// point yet (see the README), so the one function is reached by path until it moves to a library.
export { explainTimeline } from '../../../libs/cli/src/explain/render.js';
export type { TimelineStep } from '../../../libs/cli/src/explain/render.js';
