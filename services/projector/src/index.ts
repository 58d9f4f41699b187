export { projectorService, VERSION } from './service.js';
export type { ProjectorHooks } from './service.js';
