import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { HumanDecision, Route } from '@handrail/contracts';
import { newEvent } from '@handrail/events';
import type { Queues, TicketView, WeekReport } from '@handrail/projection';
import { eventually, openTestBus, trustedPublisher, type TestBus } from '@handrail/testing';
import { demoServiceEnv } from '@handrail/demo';
import { call as rawCall, startConsole, type ConsoleUnderTest } from '../support/console.js';
import { conclusions, intakeClient, replies, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

const REFUND = "I returned the blender two weeks ago and still haven't seen my refund of $30. When will it arrive?";
const ESCALATE = 'Someone hacked my account and bought things with my card.';
const FAQ = 'How long does standard shipping take?';

describe('console', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let con: ConsoleUnderTest;
  let base: string;
  const ids = { refund1: '', refund2: '', escalated: '', faq: '' };
  const tokens: Record<string, string> = {};
  /** Calls as a demo user (their access token); the actor is whoever the token names. */
  const call = (b: string, path: string, o: { user?: string; body?: unknown } = {}) => rawCall(b, path, { token: o.user ? tokens[o.user] : undefined, body: o.body });

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'console');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
    con = await startConsole(inject('natsUrl'), tb.topo.prefix);
    base = con.base;
    for (const u of ['ana', 'ben', 'sam', 'quinn', 'rita', 'alex']) tokens[u] = await con.token(u);
    const client = intakeClient(pipeline.grpcAddr);
    ids.refund1 = (await client.submit({ connector: 'grpc', externalId: 'r-1', customerId: 'c-r1', channel: 'email', body: REFUND })).ticketId;
    ids.refund2 = (await client.submit({ connector: 'grpc', externalId: 'r-2', customerId: 'c-r2', channel: 'email', body: REFUND })).ticketId;
    ids.escalated = (await client.submit({ connector: 'grpc', externalId: 'e-1', customerId: 'c-e1', channel: 'chat', body: ESCALATE })).ticketId;
    ids.faq = (await client.submit({ connector: 'grpc', externalId: 'f-1', customerId: 'c-f1', channel: 'chat', body: FAQ })).ticketId;
    client.close();
    const done = await eventually(async () => {
      const c = await conclusions(tb.bus, tb.topo);
      return Object.values(ids).every((id) => c.has(id)) ? c : undefined;
    }, 60_000);
    expect(done.get(ids.refund1)?.[0]?.route).toBe(Route.ROUTE_AWAITING_APPROVAL);
    expect(done.get(ids.refund2)?.[0]?.route).toBe(Route.ROUTE_AWAITING_APPROVAL);
    expect(done.get(ids.escalated)?.[0]?.route).toBe(Route.ROUTE_ESCALATED);
    expect(done.get(ids.faq)?.[0]?.route).toBe(Route.ROUTE_AUTO_RESOLVED);
    // The console follows the stream: wait until it has seen every conclusion.
    await eventually(async () => {
      const views = await Promise.all(Object.values(ids).map((id) => call(base, `/api/tickets/${id}`, { user: 'ana' })));
      return views.every((v) => v.status === 200 && (v.json['ticket'] as TicketView).route) ? true : undefined;
    }, 30_000);
  });

  afterAll(async () => {
    await con?.stop();
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it('console — without a verified token everything is 401 (naming why); health and readiness need none; the page sends people to sign in', async () => {
    expect((await call(base, '/api/queues')).status).toBe(401);
    expect((await call(base, '/api/queues')).json['problem']).toBe('missing');
    // The old trusted header is just a header now.
    expect((await rawCall(base, '/api/queues', { headers: { 'x-handrail-user': 'ana' } })).status).toBe(401);
    expect((await call(base, '/healthz')).status).toBe(200);
    expect((await call(base, '/readyz')).status).toBe(200);
    const redirect = await fetch(`${base}/`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/auth/login');
    const page = await fetch(`${base}/`, { headers: { authorization: `Bearer ${tokens['ana']}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Ana Alvarez');
  });

  it('console — queues list the awaiting and escalated tickets with reason codes', async () => {
    const { status, json } = await call(base, '/api/queues', { user: 'ana' });
    expect(status).toBe(200);
    const q = json as unknown as Queues;
    expect(q.awaitingApproval.map((t) => t.ticketId).sort()).toEqual([ids.refund1, ids.refund2].sort());
    const escalated = q.escalated.flatMap((g) => g.tickets);
    const e = escalated.find((t) => t.ticketId === ids.escalated);
    expect(e?.reasons.length).toBeGreaterThan(0);
    expect(e?.queue).not.toBe('');
  });

  it('console — ticket view has the message, draft with citations, verdicts and the explained timeline', async () => {
    const { json } = await call(base, `/api/tickets/${ids.refund1}`, { user: 'ana' });
    const t = json['ticket'] as TicketView;
    expect(t.body).toBe(REFUND);
    expect(t.draft?.citations.length).toBeGreaterThan(0);
    expect(t.verdicts.length).toBeGreaterThan(0);
    const steps = json['timeline'] as Array<{ event: string; summary: string }>;
    expect(steps.map((s) => s.event)).toEqual(expect.arrayContaining(['received', 'classified', 'concluded']));
    expect(steps.find((s) => s.event === 'concluded')?.summary).toContain('awaiting_approval');
  });

  it('console — bad input is 400 naming the field; wrong route is 412; unknown ticket is 404', async () => {
    const bad = await call(base, `/api/tickets/${ids.refund1}/decision`, { user: 'ana', body: { action: 'ship-it' } });
    expect(bad.status).toBe(400);
    expect(bad.json['fields']).toEqual([expect.objectContaining({ field: 'action' })]);
    const noText = await call(base, `/api/tickets/${ids.escalated}/decision`, { user: 'ana', body: { action: 'resolve' } });
    expect(noText.status).toBe(400);
    expect(noText.json['fields']).toEqual([expect.objectContaining({ field: 'text' })]);
    expect((await call(base, `/api/tickets/${ids.escalated}/decision`, { user: 'ana', body: { action: 'approve' } })).status).toBe(412);
    expect((await call(base, '/api/tickets/nope/decision', { user: 'ana', body: { action: 'approve' } })).status).toBe(404);
    const badReview = await call(base, `/api/tickets/${ids.faq}/review`, { user: 'ana', body: { defects: ['rude'] } });
    expect(badReview.status).toBe(400);
    expect(badReview.json['fields']).toEqual([expect.objectContaining({ field: 'defects' })]);
  });

  it('console — approving twice: the second is 409 and exactly one reply goes out', async () => {
    const first = await call(base, `/api/tickets/${ids.refund1}/decision`, { user: 'ana', body: { action: 'approve', note: 'checked the return' } });
    expect(first.status).toBe(201);
    expect((first.json['ticket'] as TicketView).decisions).toMatchObject([{ actor: 'u-ana', actorName: 'Ana Alvarez', action: 'approve' }]);
    const second = await call(base, `/api/tickets/${ids.refund1}/decision`, { user: 'ben', body: { action: 'approve' } });
    expect(second.status).toBe(409);
    // Two people at once: JetStream de-duplication lets exactly one through.
    const race = await Promise.all(['ana', 'ben'].map((user) => call(base, `/api/tickets/${ids.refund2}/decision`, { user, body: { action: 'approve', note: `approved by ${user}` } })));
    expect(race.map((r) => r.status).sort()).toEqual([201, 409]);
    const sent = await eventually(async () => {
      const r = await replies(tb.bus, tb.topo);
      return r.get(ids.refund1) && r.get(ids.refund2) ? r : undefined;
    });
    expect(sent.get(ids.refund1)).toBe(1);
    expect(sent.get(ids.refund2)).toBe(1);
    expect(sent.get(ids.faq)).toBe(1);
    expect(sent.get(ids.escalated)).toBeUndefined();
  });

  it('console — taking over an escalation sends the reply, exactly once', async () => {
    const r = await call(base, `/api/tickets/${ids.escalated}/decision`, { user: 'sam', body: { action: 'resolve', text: 'I have blocked the card and reversed both charges.' } });
    expect(r.status).toBe(201);
    expect((r.json['ticket'] as TicketView).decisions[0]).toMatchObject({ actor: 'u-sam', action: 'resolve', finalText: 'I have blocked the card and reversed both charges.' });
    // A second click is a conflict, not a second reply.
    expect((await call(base, `/api/tickets/${ids.escalated}/decision`, { user: 'sam', body: { action: 'resolve', text: 'again' } })).status).toBe(409);
    const sent = await eventually(async () => ((await replies(tb.bus, tb.topo)).get(ids.escalated) ? replies(tb.bus, tb.topo) : undefined));
    expect(sent.get(ids.escalated)).toBe(1);
  });

  it('console — two reviewers review one ticket; a second review by the same person is 409', async () => {
    expect((await call(base, `/api/tickets/${ids.faq}/review`, { user: 'quinn', body: { defects: [] } })).status).toBe(201);
    expect((await call(base, `/api/tickets/${ids.faq}/review`, { user: 'rita', body: { defects: ['tone_mismatch'], note: 'curt' } })).status).toBe(201);
    expect((await call(base, `/api/tickets/${ids.faq}/review`, { user: 'quinn', body: { defects: ['hallucination'] } })).status).toBe(409);
    // A second token of the same person is the same reviewer.
    expect((await rawCall(base, `/api/tickets/${ids.faq}/review`, { token: await con.token('quinn'), body: { defects: [] } })).status).toBe(409);
    const { json } = await call(base, `/api/tickets/${ids.faq}`, { user: 'quinn' });
    expect((json['ticket'] as TicketView).reviews.map((r) => [r.reviewer, r.passed])).toEqual([['u-quinn', true], ['u-rita', false]]);
  });

  it('weekly report — the API and `handrail report weekly --json` count the same tickets, decisions and reviews', async () => {
    const { json } = await call(base, '/api/report/weekly', { user: 'alex' });
    const weeks = json['weeks'] as WeekReport[];
    expect(weeks).toHaveLength(1);
    const w = weeks[0];
    expect(w).toMatchObject({
      tickets: 4,
      concluded: 4,
      routes: { auto_resolved: { count: 1, share: 0.25 }, awaiting_approval: { count: 2, share: 0.5 }, escalated: { count: 1, share: 0.25 } },
      escalationRate: 0.25,
      unresolved: 0,
      humanDecisions: { approve: 2, resolve: 1 },
      defects: { tone_mismatch: 1, hallucination: 0 },
      qa: { reviewed: 1, reviews: 2, passed: 1 },
    });
    expect(w?.toneIssues.toneMismatchReviews).toBe(1);
    expect(w?.calibration).toMatchObject({ ticketsWithMultipleReviews: 1, passFail: { pairs: 1, agreement: 0 } });

    // The CLI reads the same stream with its own configuration (and the same pack: categories, SLAs).
    const saved = { url: process.env['NATS_URL'], prefix: process.env['HANDRAIL_PREFIX'], policy: process.env['POLICY_FILE'] };
    process.env['NATS_URL'] = inject('natsUrl');
    process.env['HANDRAIL_PREFIX'] = tb.topo.prefix;
    process.env['POLICY_FILE'] = demoServiceEnv.POLICY_FILE;
    const out: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void out.push(String(s)));
    try {
      const { run } = await import('../../libs/cli/src/commands/report.js');
      expect(await run(['weekly', '--json'])).toBe(0);
      expect(await run(['weekly'])).toBe(0);
    } finally {
      spy.mockRestore();
      for (const [k, v] of [['NATS_URL', saved.url], ['HANDRAIL_PREFIX', saved.prefix], ['POLICY_FILE', saved.policy]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const cli = JSON.parse(out[0] ?? '{}') as { weeks: WeekReport[] };
    expect(cli.weeks).toEqual(weeks);
    expect(out[1]).toContain(w?.week);
    expect(out[1]).toContain('25.0%');
  });

  it('console — a restarted console rebuilds the same views from the retained stream', async () => {
    const again = await startConsole(inject('natsUrl'), tb.topo.prefix, con.issuer);
    try {
      const { json } = await call(again.base, `/api/tickets/${ids.refund1}`, { user: 'ana' });
      expect((json['ticket'] as TicketView).decisions).toMatchObject([{ actor: 'u-ana', action: 'approve' }]);
      expect((json['ticket'] as TicketView).reply?.text).toBeTruthy();
      const q = (await call(again.base, '/api/queues', { user: 'ana' })).json as unknown as Queues;
      expect(q.awaitingApproval).toEqual([]);
      expect(q.counts.decided).toBe(3);
    } finally {
      await again.stop();
    }
  });

  it('console — a decision recorded by a console that then died still gets its reply, once', async () => {
    const client = intakeClient(pipeline.grpcAddr);
    const id = (await client.submit({ connector: 'grpc', externalId: 'r-3', customerId: 'c-r3', channel: 'email', body: REFUND })).ticketId;
    client.close();
    await eventually(async () => ((await conclusions(tb.bus, tb.topo)).has(id) ? true : undefined), 30_000);
    // As if a console published the decision and crashed before doing anything else.
    const decision = newEvent({
      kind: 'humanDecision',
      value: HumanDecision.fromPartial({ ticketId: id, actor: 'u-ana', action: 'edit', finalText: 'Your refund left today.', note: '', previousRoute: Route.ROUTE_AWAITING_APPROVAL }),
      ticketId: id,
      producer: { service: 'console', version: 'test', instance: 'gone' },
      customerId: 'c-r3',
    });
    const { publisher, trust } = await trustedPublisher(tb.bus, tb.topo, 'console');
    await publisher.publish(decision);
    await publisher.publish(decision);
    await trust.close();
    const sent = await eventually(async () => {
      const r = await replies(tb.bus, tb.topo);
      return r.get(id) ? r : undefined;
    });
    expect(sent.get(id)).toBe(1);
    const { json } = await call(base, `/api/tickets/${id}`, { user: 'ana' });
    expect((json['ticket'] as TicketView).reply?.text).toBe('Your refund left today.');
  });
});
