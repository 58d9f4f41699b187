import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { runner } from 'node-pg-migrate';

/** What the projector needs of a database: parameterised queries and transactions. */
export interface Db {
  /** `postgres` (a server named by DATABASE_URL) or `embedded` (PGlite in this process). */
  readonly kind: 'postgres' | 'embedded';
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  transaction<T>(fn: (q: Db['query']) => Promise<T>): Promise<T>;
  /** Runs `fn` with one `pg`-shaped connection for node-pg-migrate (its transaction and lock need a single session). */
  withMigrationClient<T>(fn: (c: MigrationClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface MigrationClient {
  query(q: string | { text: string; values?: unknown[] }, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The SQL files node-pg-migrate applies, in order (`libs/sql-projection/migrations`). */
export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

/** A PostgreSQL server through a `pg` pool. */
export function postgresDb(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const query: Db['query'] = async <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => (await pool.query<R>(sql, params)).rows;
  return {
    kind: 'postgres',
    query,
    async transaction(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn(async <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => (await c.query<R>(sql, params)).rows);
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
    async withMigrationClient(fn) {
      const c = await pool.connect();
      try {
        return await fn({ query: (q, values) => (typeof q === 'string' ? c.query(q, values) : c.query(q.text, q.values ?? values)) });
      } finally {
        c.release();
      }
    },
  };
}

/** Embedded PostgreSQL (PGlite, WebAssembly) in memory or in `dataDir`: `make demo` needs nothing installed. */
export async function embeddedDb(dataDir?: string): Promise<Db> {
  const pglite = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const query: Db['query'] = async <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => (await pglite.query<R>(sql, params)).rows;
  return {
    kind: 'embedded',
    query,
    withMigrationClient: (fn) => fn(pgliteMigrationClient(pglite)),
    transaction: (fn) => pglite.transaction((tx) => fn(async <R extends Record<string, unknown>>(sql: string, params?: unknown[]) => (await tx.query<R>(sql, params)).rows)),
    close: () => pglite.close(),
  };
}

/** A `pg`-shaped client over PGlite for node-pg-migrate: a statement list without parameters goes through `exec`. */
function pgliteMigrationClient(p: PGlite): MigrationClient {
  return {
    async query(q, values) {
      const text = typeof q === 'string' ? q : q.text;
      const params = values ?? (typeof q === 'string' ? undefined : q.values);
      if (!params?.length) {
        const results = await p.exec(text);
        const last = results.at(-1);
        return { rows: last?.rows ?? [] };
      }
      const r = await p.query(text, params);
      return { rows: r.rows };
    },
  };
}

/** Applies every pending migration (node-pg-migrate, its `pgmigrations` table); returns the names applied. */
export async function migrate(db: Db, o: { direction?: 'up' | 'down'; count?: number; log?: (msg: string) => void } = {}): Promise<string[]> {
  const applied = await db.withMigrationClient((client) =>
    runner({
    // node-pg-migrate only calls `query` on a client it did not open.
    dbClient: client as unknown as pg.ClientBase,
    dir: MIGRATIONS_DIR,
    direction: o.direction ?? 'up',
    count: o.count ?? Infinity,
    migrationsTable: 'pgmigrations',
    // One projector writes the schema at a time; PGlite is single-connection and has no advisory locks to wait on.
    noLock: db.kind === 'embedded',
    singleTransaction: true,
    log: o.log ?? (() => undefined),
  }),
  );
  return applied.map((m) => m.name);
}

/**
 * The projection's database, migrated: the server `url` names (a `pg` pool), else embedded PGlite (in
 * `dataDir`, or in memory). A server that cannot be reached or migrated fails here, naming DATABASE_URL
 * (never its password), so a service refuses to start instead of failing at its first query.
 */
export async function openProjectionDb(o: { url?: string | undefined; dataDir?: string | undefined; log?: (msg: string) => void }): Promise<{ db: Db; applied: string[] }> {
  const db = o.url ? postgresDb(o.url) : await embeddedDb(o.dataDir);
  try {
    return { db, applied: await migrate(db, { log: o.log }) };
  } catch (err) {
    await db.close().catch(() => undefined);
    const where = o.url ? `DATABASE_URL (${new URL(o.url).host})` : `the embedded database${o.dataDir ? ` in ${o.dataDir}` : ''}`;
    throw new Error(`${where}: cannot reach or migrate the SQL projection: ${(err as Error).message}`, { cause: err });
  }
}
