import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Route } from '@handrail/contracts';
import type { Queues } from '@handrail/projection';
import { startService, type RunningService } from '@handrail/runtime';
import { postgresDb, storedPosition } from '@handrail/sql-projection';
import { projectorService } from '@handrail/svc-projector';
import { eventually, openTestBus, testCredentials, type TestBus } from '@handrail/testing';
import { call, startConsole, type ConsoleUnderTest } from '../support/console.js';
import { conclusions, intakeClient, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

const ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REFUND = "I returned the blender two weeks ago and still haven't seen my refund of $30. When will it arrive?";
const ESCALATE = 'Someone hacked my account and bought things with my card.';

/** The real PostgreSQL at 127.0.0.1:5432 when it answers, a database of this run's own; else undefined. */
async function serverDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `handrail_console_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  return {
    url: Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).href,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

const queueIds = (q: Queues) => ({ awaiting: q.awaitingApproval.map((t) => t.ticketId), escalated: q.escalated.flatMap((g) => g.tickets.map((t) => t.ticketId)) });

/**
 * Issue 15: the console's work lists are SQL over the projection — the projector service's database
 * when DATABASE_URL is set, the same engine in process on embedded PGlite when it is not — and an
 * action is in the next list (read-your-writes on the publish ack's sequence).
 */
describe('console — work lists from the SQL projection (issue 15)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let server: Awaited<ReturnType<typeof serverDatabase>>;
  const ids = { refund: '', escalated: '' };

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'console-sql');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
    const client = intakeClient(pipeline.grpcAddr);
    ids.refund = (await client.submit({ connector: 'grpc', externalId: 'sql-r1', customerId: 'c-sql1', channel: 'email', subject: 'Blender refund', body: REFUND })).ticketId;
    ids.escalated = (await client.submit({ connector: 'grpc', externalId: 'sql-e1', customerId: 'c-sql2', channel: 'chat', subject: 'Hacked', body: ESCALATE })).ticketId;
    client.close();
    const done = await eventually(async () => {
      const c = await conclusions(tb.bus, tb.topo);
      return Object.values(ids).every((id) => c.has(id)) ? c : undefined;
    }, 60_000);
    expect(done.get(ids.refund)?.[0]?.route).toBe(Route.ROUTE_AWAITING_APPROVAL);
    expect(done.get(ids.escalated)?.[0]?.route).toBe(Route.ROUTE_ESCALATED);
    server = await serverDatabase();
    console.log(`[console-sql test] ${server ? 'real PostgreSQL at 127.0.0.1:5432' : 'no server answered: the DATABASE_URL case is skipped, embedded PGlite only'}`);
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
    await server?.drop();
  });

  it('console — without DATABASE_URL it projects in process on PGlite; lists carry the SQL rows; a claim and a decision are in the very next list', async () => {
    const con = await startConsole(inject('natsUrl'), tb.topo.prefix);
    try {
      const ana = await con.token('ana');
      const sam = await con.token('sam');
      const before = (await call(con.base, '/api/queues', { token: ana })).json as unknown as Queues;
      expect(queueIds(before).awaiting).toEqual([ids.refund]);
      expect(queueIds(before).escalated).toEqual([ids.escalated]);
      const item = before.awaitingApproval[0];
      // From SQL: the helpdesk's number, the customer, the channel, the reasons; the subject from the ticket's own events.
      expect(item).toMatchObject({ ticketNumber: 'sql-r1', customerId: 'c-sql1', channel: 'email', subject: 'Blender refund', decided: false, claimedBy: '' });
      expect(before.escalated[0]?.tickets[0]?.reasons.length).toBeGreaterThan(0);
      expect(before.counts).toMatchObject({ awaitingApproval: 1, escalated: 1, decided: 0 });

      // Read-your-writes: the claim's answer waits for the projection, so the next list already shows it.
      expect((await call(con.base, `/api/tickets/${ids.escalated}/claim`, { token: ana, body: {} })).status).toBe(201);
      const claimed = (await call(con.base, '/api/queues?claim=mine', { token: ana })).json as unknown as Queues;
      expect(claimed.escalated.flatMap((g) => g.tickets).map((t) => [t.ticketId, t.claimedBy, t.claimedByName])).toEqual([[ids.escalated, 'u-ana', 'Ana Alvarez']]);
      expect(queueIds(claimed).awaiting).toEqual([]);

      const decided = await call(con.base, `/api/tickets/${ids.refund}/decision`, { token: sam, body: { action: 'reject', note: 'not ours' } });
      expect(decided.status).toBe(201);
      const after = (await call(con.base, '/api/queues', { token: ana })).json as unknown as Queues;
      expect(queueIds(after).awaiting).toEqual([]);
      expect(after.counts.decided).toBe(1);
    } finally {
      await con.stop();
    }
  }, 120_000);

  it('console — with DATABASE_URL the lists are the projector service\'s rows: nothing the projector has not written, everything once it has', async (ctx) => {
    if (!server) return ctx.skip();
    const url = server.url;
    const env = { NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, LOG_LEVEL: 'silent', HANDRAIL_CREDENTIALS_DIR: testCredentials(), DATABASE_URL: url };
    // The projector service writes the schema and the rows, then stops: the database holds what it wrote.
    let projector: RunningService | undefined = await startService(projectorService(env));
    const db = postgresDb(url);
    let con: ConsoleUnderTest | undefined;
    try {
      const end = (await tb.bus.jsm.streams.info(tb.topo.streams.events)).state.last_seq;
      await eventually(async () => ((await storedPosition(db)) >= end ? true : undefined), 30_000);
      await projector.shutdown('test: projector stopped');
      projector = undefined;
      con = await startConsole(inject('natsUrl'), tb.topo.prefix, undefined, { DATABASE_URL: url });
      const ana = await con.token('ana');
      const sam = await con.token('sam');
      // The first test rejected the refund and claimed the escalation: the projector wrote both.
      const q = (await call(con.base, '/api/queues', { token: ana })).json as unknown as Queues;
      expect(queueIds(q)).toEqual({ awaiting: [], escalated: [ids.escalated] });
      expect(q.escalated[0]?.tickets[0]).toMatchObject({ claimedBy: 'u-ana', ticketNumber: 'sql-e1', subject: 'Hacked' });
      expect(q.counts.decided).toBe(1);

      // With the projector stopped, a release is on the stream but not in SQL: the list still shows the claim.
      expect((await call(con.base, `/api/tickets/${ids.escalated}/unclaim`, { token: ana, body: {} })).status).toBe(201);
      const stale = (await call(con.base, '/api/queues', { token: ana })).json as unknown as Queues;
      expect(stale.escalated[0]?.tickets[0]?.claimedBy).toBe('u-ana');
      // The projector resumes from its stored position; the list follows.
      projector = await startService(projectorService(env));
      await eventually(async () => {
        const r = (await call(con?.base ?? '', '/api/queues', { token: ana })).json as unknown as Queues;
        return r.escalated[0]?.tickets[0]?.claimedBy === '' ? true : undefined;
      }, 30_000);
      // And with the projector running, a claim's answer waits for it: the next list has it.
      expect((await call(con.base, `/api/tickets/${ids.escalated}/claim`, { token: sam, body: {} })).status).toBe(201);
      const now = (await call(con.base, '/api/queues', { token: ana })).json as unknown as Queues;
      expect(now.escalated[0]?.tickets[0]).toMatchObject({ claimedBy: 'u-sam', claimedByName: 'Sam Sato' });
    } finally {
      await con?.stop();
      await projector?.shutdown('test done');
      await db.close();
    }
  }, 180_000);
});
