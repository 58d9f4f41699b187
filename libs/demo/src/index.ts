export { demoPaths, demoServiceEnv } from './paths.js';
export { readSampleTickets } from './tickets.js';
export type { SampleTicket } from './tickets.js';
