/**
 * `pnpm -s bench:console [events] [--postgres]`: publishes a synthetic stream of at least `events` signed and sealed
 * events (default 5,000) under a fresh prefix, then starts the console as its own process (from source;
 * no DATABASE_URL: it projects in process on embedded PGlite, as `make demo` runs it; `--postgres`: the
 * projector engine first fills a database of its own on the server at 127.0.0.1:5432, dropped afterwards,
 * and the console reads it through DATABASE_URL, as in a deployment) and reports the time
 * from spawn to ready (`/readyz` 200: caught up with every stream), its RSS once ready and after the weekly
 * report and a ticket view were served, and how long those took. The last line printed is one JSON object.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { demoServiceEnv } from '@handrail/demo';
import { startDevIssuer } from '@handrail/identity/dev';
import { ensureNats, repoRoot } from '@handrail/launcher';
import { openTestBus, testCredentials } from '@handrail/testing';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createLogger } from '@handrail/observability';
import { openTrust } from '@handrail/runtime';
import { migrate, postgresDb, startProjector } from '@handrail/sql-projection';
import { publishSyntheticStream } from '../support/synthetic.js';

const TARGET = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5_000);
const POSTGRES = process.argv.includes('--postgres');
const ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const AUDIENCE = 'handrail-console';
const mb = (kb: number) => Math.round(kb / 102.4) / 10;
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

const nats = await ensureNats({ envUrl: process.env['NATS_URL'], log: (s) => console.error(`[nats] ${s}`) });
const tb = await openTestBus(nats.url, 'bench-console');
const issuer = await startDevIssuer({ audience: AUDIENCE });
const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
let dbName = '';
try {
  const published = await publishSyntheticStream(tb.bus, tb.topo, { minEvents: TARGET });
  console.error(`published ${published.events} events for ${published.tickets} tickets`);
  const dbEnv: Record<string, string> = {};
  if (POSTGRES) {
    await admin.connect();
    dbName = `handrail_bench_console_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${dbName}`);
    dbEnv['DATABASE_URL'] = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).href;
    const db = postgresDb(dbEnv['DATABASE_URL']);
    await migrate(db);
    const trust = await openTrust(tb.bus, tb.topo, { config: { HANDRAIL_CREDENTIALS_DIR: testCredentials() }, identity: 'projector' });
    const p = await startProjector(tb.bus, tb.topo, db, (m) => trust.readEvent(m), createLogger({ service: 'bench', version: '0', level: 'silent' }));
    await p.caughtUp;
    await p.stop();
    await trust.close();
    await db.close();
    console.error(`projected ${p.applied()} events into ${dbName}`);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--conditions=@handrail/source', '--import', 'tsx', path.join(repoRoot, 'services/console/src/main.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NATS_URL: nats.url, HANDRAIL_PREFIX: tb.topo.prefix, LOG_LEVEL: 'error', CONSOLE_PORT: String(port), CONSOLE_HOST: '127.0.0.1', ...demoServiceEnv, HANDRAIL_CREDENTIALS_DIR: testCredentials(), AUTH_ISSUER: issuer.url, AUTH_AUDIENCE: AUDIENCE, ...dbEnv },
  });
  let gone = false;
  const exited = new Promise((r) => child.on('exit', (code) => r((gone = true, code))));
  for (;;) {
    if (gone) throw new Error('the console exited before it was ready');
    const ok = await fetch(`${base}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() - t0 > 300_000) throw new Error('console not ready after 300 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const readyMs = Date.now() - t0;
  const pid = child.pid ?? 0;
  const rssReady = rssKb(pid);
  const token = await issuer.mint('rita');
  const get = async (p: string) => {
    const s = Date.now();
    const r = await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await r.text();
    if (r.status !== 200) throw new Error(`${p}: ${r.status} ${body.slice(0, 200)}`);
    return { ms: Date.now() - s, body };
  };
  const report = await get('/api/report/weekly');
  const reportAgain = await get('/api/report/weekly');
  const qa = await get('/api/qa');
  const queues = await get('/api/queues');
  const first = (JSON.parse(queues.body) as { escalated: Array<{ tickets: Array<{ ticketId: string }> }> }).escalated[0]?.tickets[0]?.ticketId ?? '';
  const ticket = await get(`/api/tickets/${first}`);
  const rssServed = rssKb(pid);
  child.kill('SIGTERM');
  await exited;
  const out = {
    database: POSTGRES ? 'postgres' : 'embedded',
    events: published.events,
    tickets: published.tickets,
    readyMs,
    rssReadyMb: mb(rssReady),
    rssAfterServingMb: mb(rssServed),
    weeklyReportMs: report.ms,
    weeklyReportAgainMs: reportAgain.ms,
    qaOverviewMs: qa.ms,
    ticketViewMs: ticket.ms,
  };
  console.error(`console (${out.database}): ready in ${readyMs} ms; RSS ${out.rssReadyMb} MB ready, ${out.rssAfterServingMb} MB after serving; weekly report ${report.ms} ms (again ${reportAgain.ms} ms), QA overview ${qa.ms} ms, ticket view ${ticket.ms} ms`);
  console.log(JSON.stringify(out));
} finally {
  if (dbName) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
  if (POSTGRES) await admin.end().catch(() => undefined);
  await issuer.close();
  await tb.cleanup();
  await nats.stop();
}
