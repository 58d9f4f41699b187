import { defineService } from '@handrail/runtime';
import { projectorConfigSchema } from './config.js';
import { openProjectionDb, startProjector, type Db, type RunningProjector } from '@handrail/sql-projection';

export const VERSION = '0.1.0';

export interface ProjectorHooks {
  /** The database once migrated (tests read it). */
  onDatabase?: (db: Db) => void;
  onStarted?: (p: RunningProjector) => void;
}

/**
 * The SQL projection: every authentic event of the events stream as rows in PostgreSQL (tickets,
 * decisions with reasons, human actions, QA verdicts, outcomes), from the position it stored.
 */
export const projectorService = (env?: Record<string, string | undefined>, hooks: ProjectorHooks = {}) =>
  defineService({ name: 'projector', version: VERSION, configSchema: projectorConfigSchema }, async (ctx) => {
    const { db, applied } = await openProjectionDb({ url: ctx.config.DATABASE_URL, dataDir: ctx.config.PROJECTOR_DATA_DIR, log: (msg) => ctx.log.debug({ msg }, 'migration') });
    ctx.log.info({ database: db.kind, migrations: applied }, 'projection schema ready');
    hooks.onDatabase?.(db);
    const projector = await startProjector(ctx.bus, ctx.topo, db, (m) => ctx.trust.readEvent(m), ctx.log);
    hooks.onStarted?.(projector);
    return { closers: [projector.stop, () => db.close()], healthy: () => !projector.failure() };
  })(env);
