export { decideSample, ticketDraw } from './sample.js';
export type { SamplingDecision, RouteName } from './sample.js';
