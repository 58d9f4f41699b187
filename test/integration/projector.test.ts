import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HumanDecision, QaReview, TicketClaim } from '@handrail/contracts';
import { newEvent } from '@handrail/events';
import { repoRoot } from '@handrail/launcher';
import { startService } from '@handrail/runtime';
import { embeddedDb, migrate, postgresDb, projectionDigest, resetProjection, storedPosition, type Db, type RunningProjector } from '@handrail/sql-projection';
import { projectorService } from '@handrail/svc-projector';
import { openTestBus, testCredentials, trustedPublisher, type TestBus } from '@handrail/testing';
import { publishSyntheticStream } from '../support/synthetic.js';

const ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The real PostgreSQL at 127.0.0.1:5432 when it answers: a database of our own, dropped afterwards; else undefined (embedded). */
async function realPostgres(): Promise<{ url(db: string): string; create(): Promise<string>; dropAll(): Promise<void> } | undefined> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const made: string[] = [];
  const base = new URL(ADMIN_URL);
  const url = (db: string) => Object.assign(new URL(base.href), { pathname: `/${db}` }).href;
  return {
    url,
    async create() {
      const name = `handrail_proj_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${name}`);
      made.push(name);
      return url(name);
    },
    async dropAll() {
      for (const n of made) await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/**
 * Issue 15: the SQL projection — rebuilt from zero by replay it is identical to the live-built one;
 * a projector killed mid-stream resumes from its stored position without duplicates.
 */
describe('the projector — the events stream as SQL (issue 15)', () => {
  let tb: TestBus;
  let server: Awaited<ReturnType<typeof realPostgres>>;
  let events = 0;
  const env = (extra: Record<string, string>) => ({ NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, LOG_LEVEL: 'silent', HANDRAIL_CREDENTIALS_DIR: testCredentials(), ...extra });

  /** Runs the projector service in this process until it has caught up; returns its database (still open). */
  async function projectOnce(dbEnv: Record<string, string>): Promise<{ db: Db; applied: number }> {
    let db: Db | undefined;
    let running: RunningProjector | undefined;
    const svc = await startService(projectorService(env(dbEnv), { onDatabase: (d) => (db = d), onStarted: (p) => (running = p) }));
    await running?.caughtUp;
    const applied = running?.applied() ?? 0;
    await svc.shutdown('test done');
    // The service closed its connection; open our own to read.
    const reopened = dbEnv['DATABASE_URL'] ? postgresDb(dbEnv['DATABASE_URL']) : undefined;
    if (!reopened && !db) throw new Error('no database');
    return { db: reopened ?? (db as Db), applied };
  }

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'projector');
    events = (await publishSyntheticStream(tb.bus, tb.topo, { copies: 4 })).events;
    server = await realPostgres();
    console.log(`[projector test] ${server ? 'real PostgreSQL at 127.0.0.1:5432' : 'embedded PGlite (no server answered)'}`);
  }, 60_000);
  afterAll(async () => {
    await tb?.cleanup();
    await server?.dropAll();
  });

  it('projector — rebuilt from zero by replay, the projection is identical (row counts and content hash) to the live-built one', async () => {
    if (server) {
      const url = await server.create();
      const live = await projectOnce({ DATABASE_URL: url });
      const before = await projectionDigest(live.db);
      expect(live.applied).toBe(events);
      expect(before.counts['events']).toBe(events);
      expect(before.counts['tickets']).toBe(49 * 4);
      expect(before.counts['decisions']).toBe(49 * 4);
      expect(before.counts['decision_reasons']).toBeGreaterThan(0);
      expect(await storedPosition(live.db)).toBe((await tb.bus.jsm.streams.info(tb.topo.streams.events)).state.last_seq);
      // Drop it, and let the projector replay the stream from zero.
      await resetProjection(live.db, migrate);
      expect((await projectionDigest(live.db)).counts['events']).toBe(0);
      await live.db.close();
      const rebuilt = await projectOnce({ DATABASE_URL: url });
      expect(await projectionDigest(rebuilt.db)).toEqual(before);
      // Started again with nothing new: nothing applied twice.
      const again = await projectOnce({ DATABASE_URL: url });
      expect(again.applied).toBe(0);
      expect(await projectionDigest(again.db)).toEqual(before);
      await rebuilt.db.close();
      await again.db.close();
    }
    // Embedded (what `make demo` uses, and these tests without a server): the same rebuild, the same result.
    const embedded = await embeddedDb();
    await migrate(embedded);
    expect(await projectOnceInto(embedded)).toBe(events);
    const e = await projectionDigest(embedded);
    expect(e.counts['events']).toBe(events);
    expect(e.counts['decisions']).toBe(49 * 4);
    await resetProjection(embedded, migrate);
    expect((await projectionDigest(embedded)).counts['events']).toBe(0);
    expect(await projectOnceInto(embedded)).toBe(events);
    expect(await projectionDigest(embedded)).toEqual(e);
    await embedded.close();
  }, 120_000);

  it('projector — killed (SIGKILL) mid-stream, it resumes from its stored position without a duplicate or a gap', async () => {
    // A reference built in one go, to compare with.
    const reference = await embeddedDb();
    await migrate(reference);
    const refSvc = await projectOnceInto(reference);
    const want = await projectionDigest(reference);
    await reference.close();
    expect(refSvc).toBe(events);

    const dbEnv: Record<string, string> = server ? { DATABASE_URL: await server.create() } : { PROJECTOR_DATA_DIR: path.join(repoRoot, '.tmp', `projector-${Date.now()}`) };
    const start = () => spawn(process.execPath, ['--conditions=@handrail/source', '--import', 'tsx', path.join(repoRoot, 'services/projector/src/main.ts')], { cwd: repoRoot, env: { ...process.env, ...env(dbEnv) }, stdio: 'ignore' });
    const open = async (): Promise<Db> => (dbEnv['DATABASE_URL'] ? postgresDb(dbEnv['DATABASE_URL']) : embeddedDb(dbEnv['PROJECTOR_DATA_DIR']));
    const positionNow = async (): Promise<number> => {
      if (!dbEnv['DATABASE_URL']) return -1;
      const db = await open();
      try {
        return await storedPosition(db).catch(() => 0);
      } finally {
        await db.close();
      }
    };
    const first = start();
    const exited = new Promise((r) => first.on('exit', r));
    if (dbEnv['DATABASE_URL']) {
      // Kill it once it is part-way through.
      const until = Date.now() + 60_000;
      let p = 0;
      while (Date.now() < until && (p = await positionNow()) < 20) await new Promise((r) => setTimeout(r, 50));
      first.kill('SIGKILL');
      await exited;
      const at = await positionNow();
      expect(at).toBeGreaterThanOrEqual(p);
      expect(at).toBeLessThan(events);
    } else {
      // PGlite's files belong to one process at a time: kill it after a moment, wherever it is.
      await new Promise((r) => setTimeout(r, 4_000));
      first.kill('SIGKILL');
      await exited;
    }
    const second = start();
    const end = (await tb.bus.jsm.streams.info(tb.topo.streams.events)).state.last_seq;
    if (dbEnv['DATABASE_URL']) {
      const until = Date.now() + 90_000;
      while (Date.now() < until && (await positionNow()) < end) await new Promise((r) => setTimeout(r, 200));
      second.kill('SIGTERM');
      await new Promise((r) => second.on('exit', r));
    } else {
      await new Promise((r) => setTimeout(r, 15_000));
      second.kill('SIGTERM');
      await new Promise((r) => second.on('exit', r));
    }
    const db = await open();
    try {
      expect(await storedPosition(db)).toBe(end);
      expect(await projectionDigest(db)).toEqual(want);
      const dupes = await db.query<{ n: string | number }>('SELECT count(*) - count(DISTINCT event_id) AS n FROM events');
      expect(Number(dupes[0]?.n)).toBe(0);
    } finally {
      await db.close();
    }
  }, 180_000);

  /** Applies the stream to an open database through the projector itself (no service around it). */
  async function projectOnceInto(db: Db): Promise<number> {
    const { startProjector } = await import('@handrail/sql-projection');
    const { openTrust } = await import('@handrail/runtime');
    const { createLogger } = await import('@handrail/observability');
    const trust = await openTrust(tb.bus, tb.topo, { config: { HANDRAIL_CREDENTIALS_DIR: testCredentials() }, identity: 'projector' });
    const p = await startProjector(tb.bus, tb.topo, db, (m) => trust.readEvent(m), createLogger({ service: 'test', version: '0', level: 'silent' }));
    await p.caughtUp;
    await p.stop();
    await trust.close();
    return p.applied();
  }

  it('projector — the README\'s analyst queries run against the projection and answer from its rows', async () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const queries = new Map([...readme.matchAll(/```sql analyst-query (\S+)\n([\s\S]*?)```/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
    expect([...queries.keys()]).toEqual(['escalation-rate-by-trigger-per-week', 'time-to-first-human', 'defects-by-kb-article']);
    const db = await embeddedDb();
    await migrate(db);
    await projectOnceInto(db);
    // People act on three drafted tickets: a claim, a decision, and a QA review finding a defect.
    const drafted = await db.query<{ ticket_id: string; article_id: string }>('SELECT DISTINCT ON (ticket_id) ticket_id, article_id FROM draft_citations ORDER BY ticket_id LIMIT 3');
    expect(drafted).toHaveLength(3);
    const { publisher, trust } = await trustedPublisher(tb.bus, tb.topo, 'console');
    const person = { subject: 'u-ana', issuer: 'test', name: 'Ana', roles: ['agent'] };
    const later = new Date(Date.now() + 5 * 60_000);
    for (const { ticket_id: id } of drafted) {
      const producer = { service: 'console', version: '0', instance: 'test' };
      await publisher.publish(newEvent({ kind: 'claim', ticketId: id, producer, now: later, value: TicketClaim.fromPartial({ ticketId: id, person, claimed: true }) }));
      await publisher.publish(newEvent({ kind: 'humanDecision', ticketId: id, producer, now: later, value: HumanDecision.fromPartial({ ticketId: id, actor: 'u-ana', action: 'approve', person }) }));
      await publisher.publish(newEvent({ kind: 'qaReview', ticketId: id, producer, now: later, idSuffix: 'u-quinn', value: QaReview.fromPartial({ ticketId: id, reviewer: 'u-quinn', defects: ['hallucination'], passed: false, person: { ...person, subject: 'u-quinn' }, blind: true }) }));
    }
    await trust.close();
    await projectOnceInto(db);
    const run = (name: string) => db.query(queries.get(name) ?? '');
    const rates = await run('escalation-rate-by-trigger-per-week');
    const escalated = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM decisions WHERE route = 'escalated'");
    expect(rates.length).toBeGreaterThan(0);
    expect(Number(escalated[0]?.n)).toBeGreaterThan(0);
    for (const r of rates) {
      expect(Number(r['rate'])).toBeGreaterThan(0);
      expect(Number(r['rate'])).toBeLessThanOrEqual(1);
    }
    const firstHuman = await run('time-to-first-human');
    expect(firstHuman.reduce((n, r) => n + Number(r['tickets']), 0)).toBe(3);
    for (const r of firstHuman) expect(Number(r['avg_minutes'])).toBeGreaterThan(4);
    const defects = await run('defects-by-kb-article');
    const cited = await db.query<{ article_id: string }>('SELECT article_id FROM draft_citations WHERE ticket_id = ANY($1)', [drafted.map((d) => d.ticket_id)]);
    const articles = new Set(cited.map((d) => d.article_id));
    expect(defects.length).toBeGreaterThan(0);
    expect(defects.every((r) => r['defect'] === 'hallucination' && articles.has(String(r['article_id'])))).toBe(true);
    await db.close();
  }, 120_000);
});
