/**
 * `pnpm -s bench:projector [events]`: publishes a synthetic stream of at least `events` signed and
 * sealed events (default 20,000) under a fresh prefix, then runs the projector engine
 * (`@handrail/sql-projection`'s startProjector: authenticate, open, one transaction per event with its
 * position) from zero into the real PostgreSQL at 127.0.0.1:5432 (a database of its own, dropped
 * afterwards; `TEST_POSTGRES_URL` to point elsewhere) when it answers, and into embedded PGlite in
 * memory. Reports events applied per second and this process's peak RSS during each run. The last line
 * printed is one JSON object.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureNats } from '@handrail/launcher';
import { createLogger } from '@handrail/observability';
import { openTrust } from '@handrail/runtime';
import { embeddedDb, migrate, postgresDb, startProjector, type Db } from '@handrail/sql-projection';
import { openTestBus, testCredentials } from '@handrail/testing';
import { publishSyntheticStream } from '../support/synthetic.js';

const TARGET = Number(process.argv[2] ?? 20_000);
if (!Number.isInteger(TARGET) || TARGET <= 0) {
  console.error('usage: bench:projector [events] — a positive integer');
  process.exit(2);
}
const ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const mb = (b: number) => Math.round(b / 104857.6) / 10;

const nats = await ensureNats({ envUrl: process.env['NATS_URL'], log: (s) => console.error(`[nats] ${s}`) });
const tb = await openTestBus(nats.url, 'bench-projector');
const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
const server = await admin.connect().then(() => true, () => false);
const made: string[] = [];
try {
  const t0 = Date.now();
  const published = await publishSyntheticStream(tb.bus, tb.topo, { minEvents: TARGET }, { onProgress: (n) => console.error(`published ${n}`) });
  console.error(`published ${published.events} events for ${published.tickets} tickets in ${Date.now() - t0} ms`);
  const trust = await openTrust(tb.bus, tb.topo, { config: { HANDRAIL_CREDENTIALS_DIR: testCredentials() }, identity: 'projector' });
  const log = createLogger({ service: 'bench', version: '0', level: 'silent' });

  // RSS is sampled from before the database opens: embedded PGlite's WebAssembly heap is this process's.
  const run = async (name: string, open: () => Promise<Db>) => {
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    const db = await open();
    await migrate(db);
    const start = process.hrtime.bigint();
    const p = await startProjector(tb.bus, tb.topo, db, (m) => trust.readEvent(m), log);
    await p.caughtUp;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    clearInterval(sampler);
    await p.stop();
    const applied = p.applied();
    const r = { applied, seconds: Math.round(seconds * 10) / 10, eventsPerSecond: Math.round(applied / seconds), peakRssMb: mb(peak), rssBeforeMb: mb(rssBefore) };
    console.error(`${name}: ${applied} events in ${r.seconds} s = ${r.eventsPerSecond} events/s; RSS before opening the database ${r.rssBeforeMb} MB, peak ${r.peakRssMb} MB`);
    await db.close();
    return r;
  };

  const results: Record<string, unknown> = { events: published.events, tickets: published.tickets };
  if (server) {
    const name = `handrail_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    made.push(name);
    const url = Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).href;
    results['postgres'] = await run('postgres (127.0.0.1:5432)', () => Promise.resolve(postgresDb(url)));
  } else {
    console.error('postgres: no server answered at 127.0.0.1:5432; skipped');
  }
  results['pglite'] = await run('pglite (embedded, in memory)', () => embeddedDb());
  await trust.close();
  console.log(JSON.stringify(results));
} finally {
  for (const n of made) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
  if (server) await admin.end();
  await tb.cleanup();
  await nats.stop();
}
