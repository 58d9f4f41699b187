export { startService, runMain, defineService, baseConfigSchema } from './service.js';
export type { ServiceContext, ServiceDefinition, RunningService, Started } from './service.js';
export { livePolicy } from './policy.js';
export type { ActivePolicy, LivePolicy } from './policy.js';
export { liveKnowledgeBase, KB_SNAPSHOT_KEY } from './kb.js';
export type { ActiveKnowledgeBase, LiveKnowledgeBase } from './kb.js';
