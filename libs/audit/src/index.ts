export { verifyAudit, entriesDigest, entryOf } from './chain.js';
export type { AuditMessage, Checkpoint, CheckpointEntry, AuditProblem, AuditReport, ProblemKind, VerifyOptions } from './chain.js';
export { cutCheckpoint, lastCheckpoint, readAuditInput } from './checkpoint.js';
export type { PublishCheckpoint } from './checkpoint.js';
