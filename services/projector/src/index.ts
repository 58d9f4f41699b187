export { projectorService, VERSION } from './service.js';
export type { ProjectorHooks } from './service.js';
export { embeddedDb, postgresDb, migrate, MIGRATIONS_DIR } from './db.js';
export type { Db } from './db.js';
export { startProjector, applyEvent, storedPosition, projectionDigest, resetProjection, PROJECTION_TABLES } from './projector.js';
export type { RunningProjector } from './projector.js';
export { rowsOf } from './domain/rows.js';
