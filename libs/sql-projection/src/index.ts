// The SQL projection (issue 15): the events stream as PostgreSQL rows (or embedded PGlite), its
// migrations, the engine that follows the stream from a stored position, and the console's queries.
export { embeddedDb, postgresDb, migrate, openProjectionDb, MIGRATIONS_DIR } from './db.js';
export type { Db, MigrationClient } from './db.js';
export { startProjector, applyEvent, storedPosition, projectionDigest, resetProjection, PROJECTION_TABLES } from './projector.js';
export type { RunningProjector, ReadEvent, ProjectedStream } from './projector.js';
export { rowsOf, shadowRowsOf } from './rows.js';
export type { Statement } from './rows.js';
export { queueTickets, sqlQueues, waitForPosition, firstTextSeq, concludedTickets } from './console.js';
export { reportState, automationChanges, calibrationSessions, projectionPositions, TEXT_NOT_IN_SQL } from './report.js';
export type { ReportState } from './report.js';
