export { startService, runMain, baseConfigSchema } from './service.js';
export type { ServiceContext, ServiceDefinition, RunningService, Started } from './service.js';
