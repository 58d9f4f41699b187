export { ensureNats, hasJetStream, freePort, startSecureNats } from './nats.js';
export type { NatsHandle } from './nats.js';
export { startServiceProcess, startCluster, SERVICE_NAMES, ALL_SERVICE_NAMES, OPTIONAL_SERVICE_NAMES, repoRoot } from './processes.js';
export type { ServiceProcess, Cluster, ServiceName, ServiceRuntime, StartOptions } from './processes.js';
