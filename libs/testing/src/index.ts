export { testPolicy } from './policy.js';
export { uniquePrefix, openTestBus, eventually, testCredentials, trustedPublisher } from './bus.js';
export type { TestBus } from './bus.js';
