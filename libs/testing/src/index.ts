export { testPolicy } from './policy.js';
export { uniquePrefix, openTestBus, eventually } from './bus.js';
export type { TestBus } from './bus.js';
