export { shadowService, VERSION } from './service.js';
export { shadowSkip, shadowPayload } from './domain/shadow.js';
export type { ShadowSkip } from './domain/shadow.js';
