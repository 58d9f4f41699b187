import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { readStream } from '@handrail/bus';
import { demoPaths } from '@handrail/demo';
import { decodeEvent } from '@handrail/events';
import { PolicyStore } from '@handrail/policy';
import type { TicketView, TimelineStep } from '@handrail/projection';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { call, startConsole, type ConsoleUnderTest } from '../support/console.js';
import { conclusions, intakeClient, openedEvents, replies, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

const REFUND = "I returned the blender two weeks ago and still haven't seen my refund of $30. When will it arrive?";
const OVER_LIMIT = 'The sofa arrived with a broken frame. I want a refund of $900 for it.';
const ESCALATE = 'Someone hacked my account and bought things with my card.';
const FAQ = 'How long does standard shipping take?';
const BAD = 'calm down. Your refund of $9,000 is guaranteed… Reply with your full card number and CVV';

type Who = 'ana' | 'ben' | 'sam' | 'quinn' | 'rita' | 'pat' | 'pia' | 'alex' | 'nobody';
const PEOPLE: Who[] = ['ana', 'ben', 'sam', 'quinn', 'rita', 'pat', 'pia', 'alex', 'nobody'];
/** Who holds each permission under the demo pack (ben is an agent through the IdP group helpdesk-tier1). */
const HOLDERS: Record<string, Who[]> = {
  'ticket.read': ['ana', 'ben', 'sam', 'quinn', 'rita', 'alex'],
  'report.read': ['sam', 'quinn', 'rita', 'pat', 'pia', 'alex'],
  'policy.read': ['pat', 'pia', 'alex'],
  'reply.send': ['ana', 'ben', 'sam'],
  'reply.reject': ['ana', 'ben', 'sam'],
  'ticket.take_over': ['ana', 'ben', 'sam'],
  'ticket.claim': ['ana', 'ben', 'sam'],
  'qa.review': ['quinn', 'rita'],
  'policy.propose': ['pat', 'pia'],
};

describe('console access: verified identity, roles and guardrails on people (issue 10)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let con: ConsoleUnderTest;
  const tok: Record<string, string> = {};
  const ids = { refund: '', refund2: '', overLimit: '', escalated: '', faq: '', decided: '', claimMe: '' };
  const as = (who: Who, path: string, body?: unknown) => call(con.base, path, { token: tok[who], body });

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'access');
    // Access control, not classification, is under test: the lexical model alone gives these tickets
    // the routes the test needs (the semantic model puts this refund phrasing just under the refund
    // threshold — test/integration/semantic-classifier.test.ts covers it).
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix, { CLASSIFIER_SEMANTIC: 'off' });
    con = await startConsole(inject('natsUrl'), tb.topo.prefix);
    for (const u of PEOPLE) {
      // "nobody" has a valid token from the IdP but no role Handrail knows.
      tok[u] = u === 'nobody' ? await con.token('alex', { subject: 'u-nobody', claims: { name: 'No Body', preferred_username: 'intern-day1', roles: ['intern-day1'], groups: [] } }) : await con.token(u);
    }
    const client = intakeClient(pipeline.grpcAddr);
    const submit = async (externalId: string, body: string) => (await client.submit({ connector: 'grpc', externalId, customerId: `c-${externalId}`, channel: 'email', body })).ticketId;
    ids.refund = await submit('r-1', REFUND);
    ids.refund2 = await submit('r-2', REFUND);
    ids.decided = await submit('r-3', REFUND);
    ids.overLimit = await submit('o-1', OVER_LIMIT);
    ids.escalated = await submit('e-1', ESCALATE);
    ids.claimMe = await submit('e-2', ESCALATE);
    ids.faq = await submit('f-1', FAQ);
    client.close();
    const done = await eventually(async () => {
      const c = await conclusions(tb.bus, tb.topo);
      return Object.values(ids).every((id) => c.has(id)) ? c : undefined;
    }, 60_000);
    expect(done.get(ids.refund)?.[0]?.route).toBe('ROUTE_AWAITING_APPROVAL');
    expect(done.get(ids.overLimit)?.[0]?.route).toBe('ROUTE_ESCALATED');
    expect(done.get(ids.overLimit)?.[0]?.reasons.map((r) => r.code)).toContain('policy_exception');
    await eventually(async () => {
      const views = await Promise.all(Object.values(ids).map((id) => as('sam', `/api/tickets/${id}`)));
      return views.every((v) => v.status === 200 && (v.json['ticket'] as TicketView).route) ? true : undefined;
    }, 30_000);
    // One decided ticket: every role may then try every action on it without using it up.
    expect((await as('ana', `/api/tickets/${ids.decided}/decision`, { action: 'approve' })).status).toBe(201);
  });

  afterAll(async () => {
    await con?.stop();
    await pipeline?.stop();
    await tb?.cleanup();
  });

  const deniedEvents = async () => {
    const out: Array<{ subject: string; action: string; permission: string; ticketId: string }> = [];
    for (const e of await openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('access_denied'))) {
      if (e.payload?.$case === 'accessDenied') out.push({ subject: e.payload.value.person?.subject ?? '', action: e.payload.value.action, permission: e.payload.value.permission, ticketId: e.ticketId });
    }
    return out;
  };

  it('every role × action through HTTP: holders pass the permission check, everyone else gets 403 naming it, and an access_denied event', async () => {
    const actions: Array<{ name: string; permission: string; run: (who: Who) => ReturnType<typeof as> }> = [
      { name: 'read queues', permission: 'ticket.read', run: (w) => as(w, '/api/queues') },
      { name: 'read a ticket', permission: 'ticket.read', run: (w) => as(w, `/api/tickets/${ids.decided}`) },
      { name: 'weekly report', permission: 'report.read', run: (w) => as(w, '/api/report/weekly') },
      { name: 'read policy', permission: 'policy.read', run: (w) => as(w, '/api/policy') },
      // On the decided ticket: a holder passes the permission check and meets the one-decision rule (409).
      { name: 'approve', permission: 'reply.send', run: (w) => as(w, `/api/tickets/${ids.decided}/decision`, { action: 'approve' }) },
      { name: 'edit', permission: 'reply.send', run: (w) => as(w, `/api/tickets/${ids.decided}/decision`, { action: 'edit', text: 'Edited.' }) },
      { name: 'reject', permission: 'reply.reject', run: (w) => as(w, `/api/tickets/${ids.decided}/decision`, { action: 'reject' }) },
      { name: 'take over', permission: 'ticket.take_over', run: (w) => as(w, `/api/tickets/${ids.decided}/decision`, { action: 'resolve', text: 'Done.' }) },
      // On the decided ticket a claim is refused as not open (412) once the permission check passes.
      { name: 'claim', permission: 'ticket.claim', run: (w) => as(w, `/api/tickets/${ids.decided}/claim`, {}) },
      // Reviewers may review the decided ticket; a second review by the same person is 409.
      { name: 'review', permission: 'qa.review', run: (w) => as(w, `/api/tickets/${ids.decided}/review`, { defects: [] }) },
      // A pack that fails validation: holders pass the permission check and get 400 for the pack.
      { name: 'propose policy', permission: 'policy.propose', run: (w) => as(w, '/api/policy/revisions', { yaml: 'version: 1\nname: broken\n' }) },
    ];
    const table: string[] = [];
    for (const a of actions) {
      for (const who of PEOPLE) {
        const r = await a.run(who);
        const holds = (HOLDERS[a.permission] ?? []).includes(who);
        table.push(`${a.name} as ${who}: ${r.status}`);
        if (holds) {
          expect([200, 201, 400, 409, 412], `${a.name} as ${who}: ${JSON.stringify(r.json)}`).toContain(r.status);
        } else {
          expect(r.status, `${a.name} as ${who}`).toBe(403);
          expect(r.json['permission'], `${a.name} as ${who}`).toBe(a.permission);
          expect(String(r.json['message'])).toContain(a.permission);
        }
      }
    }
    expect(table.length).toBe(actions.length * PEOPLE.length);
    // Every refusal is on the stream, naming who, what and which permission.
    const denied = await eventually(async () => {
      const d = await deniedEvents();
      return d.some((x) => x.subject === 'u-nobody' && x.permission === 'qa.review') ? d : undefined;
    });
    expect(denied).toEqual(expect.arrayContaining([
      expect.objectContaining({ subject: 'u-alex', action: 'decision.approve', permission: 'reply.send', ticketId: ids.decided }),
      expect.objectContaining({ subject: 'u-quinn', action: 'decision.resolve', permission: 'ticket.take_over' }),
      expect.objectContaining({ subject: 'u-ana', action: 'policy.propose', permission: 'policy.propose', ticketId: 'policy' }),
    ]));
  });

  it('every endpoint refuses expired, wrongly signed, wrong-audience, wrong-issuer, subject-less and missing tokens with 401 naming why', async () => {
    const endpoints: Array<[string, unknown]> = [
      ['/api/me', undefined],
      ['/api/queues', undefined],
      [`/api/tickets/${ids.refund}`, undefined],
      ['/api/report/weekly', undefined],
      ['/api/policy', undefined],
      ['/api/stream', undefined],
      [`/api/tickets/${ids.refund}/decision`, { action: 'approve' }],
      [`/api/tickets/${ids.refund}/review`, { defects: [] }],
      [`/api/tickets/${ids.refund}/claim`, {}],
      ['/api/policy/revisions', { yaml: 'x' }],
      ['/api/policy/revisions/0123456789ab/approve', {}],
    ];
    const bad: Array<[string, () => Promise<string | undefined>]> = [
      ['expired', () => con.token('sam', { expiresInSec: -3600 })],
      ['bad_signature', () => con.token('sam', { foreignKey: true })],
      ['wrong_audience', () => con.token('sam', { audience: 'another-api' })],
      ['wrong_issuer', () => con.token('sam', { issuer: 'https://evil.example' })],
      ['no_subject', () => con.token('sam', { noSubject: true })],
      ['malformed', async () => 'not.a.token!'],
      ['missing', async () => undefined],
    ];
    for (const [path, body] of endpoints) {
      for (const [problem, make] of bad) {
        const r = await call(con.base, path, { token: await make(), body });
        expect(r.status, `${path} with a ${problem} token`).toBe(401);
        expect(r.json['problem'], `${path} with a ${problem} token`).toBe(problem);
      }
    }
    // A forged token that grants itself the supervisor role is still only a forgery.
    const forged = await con.token('ana', { foreignKey: true, claims: { roles: ['supervisor'] } });
    expect((await call(con.base, `/api/tickets/${ids.overLimit}/decision`, { token: forged, body: { action: 'resolve', text: 'ok' } })).status).toBe(401);
    // Nothing was decided by any of those.
    expect((await as('sam', `/api/tickets/${ids.refund}`)).json['ticket']).toMatchObject({ decisions: [] });
  });

  it("the actor is the token's subject: a header, a body field or a display name changes nothing", async () => {
    const r = await call(con.base, `/api/tickets/${ids.refund2}/decision`, {
      token: tok['ben'],
      body: { action: 'reject', actor: 'u-sam', note: 'wrong article' },
      headers: { 'x-handrail-user': 'sam' },
    });
    expect(r.status).toBe(201);
    expect((r.json['ticket'] as TicketView).decisions[0]).toMatchObject({ actor: 'u-ben', actorName: 'Ben Okafor', actorRoles: ['agent'], action: 'reject' });
    const me = await call(con.base, '/api/me', { token: tok['ben'], headers: { 'x-handrail-user': 'sam' } });
    expect(me.json).toMatchObject({ subject: 'u-ben', roles: ['agent'] });
  });

  it("over-limit refund: an agent's approval is refused (403 refund.approve_over_limit); a supervisor's sends exactly one reply", async () => {
    const reply = 'I have approved your refund of $900 for the sofa; it will reach your original payment method within 5 business days.';
    const agent = await as('ana', `/api/tickets/${ids.overLimit}/decision`, { action: 'resolve', text: reply });
    expect(agent.status).toBe(403);
    expect(agent.json['permission']).toBe('refund.approve_over_limit');
    expect(String(agent.json['message'])).toMatch(/refund 900 USD above the \w+ limit of 50 USD/);
    const sup = await as('sam', `/api/tickets/${ids.overLimit}/decision`, { action: 'resolve', text: reply, note: 'frame damage confirmed from photos' });
    expect(sup.status).toBe(201);
    const d = (sup.json['ticket'] as TicketView).decisions[0];
    expect(d).toMatchObject({ actor: 'u-sam', action: 'resolve', exceptions: expect.arrayContaining([expect.stringMatching(/^refund 900 USD above the \w+ limit of 50 USD$/)]) });
    const sent = await eventually(async () => {
      const r = await replies(tb.bus, tb.topo);
      return r.get(ids.overLimit) ? r : undefined;
    });
    expect(sent.get(ids.overLimit)).toBe(1);
    expect((await as('sam', `/api/tickets/${ids.overLimit}/decision`, { action: 'resolve', text: reply })).status).toBe(409);
  });

  it('the bad edit is refused naming each failing check, goes out only after a supervisor override, and the timeline shows the reason', async () => {
    const agent = await as('ana', `/api/tickets/${ids.refund}/decision`, { action: 'edit', text: BAD });
    expect(agent.status).toBe(422);
    const checks = agent.json['checks'] as Array<{ check: string; code: string; detail: string }>;
    expect([...new Set(checks.map((c) => c.check))].sort()).toEqual(['grounding', 'pii', 'policy', 'tone']);
    expect(checks.map((c) => c.detail).join(' | ')).toMatch(/"calm down".*"guaranteed".*promises 9000 USD, above the refund limit of 50 USD.*asks the customer for their full card number.*"\$9,000" does not appear in the cited passage/s);
    expect(agent.json['canOverride']).toBe(false);
    // The agent cannot override; neither a reason nor a second try sends it.
    const agentOverride = await as('ana', `/api/tickets/${ids.refund}/decision`, { action: 'edit', text: BAD, override: { reason: 'the customer insisted on it' } });
    expect(agentOverride.status).toBe(403);
    expect(agentOverride.json['permission']).toBe('reply.override_checks');
    expect((await replies(tb.bus, tb.topo)).get(ids.refund)).toBeUndefined();
    // A supervisor without a reason is refused by the checks too.
    const supNoReason = await as('sam', `/api/tickets/${ids.refund}/decision`, { action: 'edit', text: BAD });
    expect(supNoReason.status).toBe(422);
    expect(supNoReason.json['canOverride']).toBe(true);
    const sup = await as('sam', `/api/tickets/${ids.refund}/decision`, { action: 'edit', text: BAD, override: { reason: 'legal asked for this exact wording in the test plan' } });
    expect(sup.status).toBe(201);
    const sent = await eventually(async () => {
      const r = await replies(tb.bus, tb.topo);
      return r.get(ids.refund) ? r : undefined;
    });
    expect(sent.get(ids.refund)).toBe(1);
    const view = await as('alex', `/api/tickets/${ids.refund}`);
    const t = view.json['ticket'] as TicketView & { decisions: Array<TicketView['decisions'][number] & { diff: Array<{ op: string }> }> };
    const d = t.decisions[0];
    expect(d?.override).toEqual({ reason: 'legal asked for this exact wording in the test plan', failed: ['tone_violation', 'policy_violation', 'pii_leak', 'ungrounded_claim'] });
    // The citations shown are those of the text sent: nothing in it is supported, so none.
    expect(d?.citations).toEqual([]);
    expect(t.reply?.citations).toEqual([]);
    expect(t.reply?.text).toBe(BAD);
    // The draft → sent diff is kept for QA.
    expect(d?.draftText).toBe(t.draft?.text);
    expect(d?.edit?.changeRatio).toBeGreaterThan(0.5);
    expect(d?.diff.some((o) => o.op === 'added')).toBe(true);
    const steps = view.json['timeline'] as TimelineStep[];
    const blocked = steps.filter((s) => s.event === 'reply_blocked');
    expect(blocked.length).toBe(2);
    expect(blocked[0]?.summary).toMatch(/Ana Alvarez.*NOT sent.*tone_violation, policy_violation, pii_leak, ungrounded_claim/);
    expect(steps.find((s) => s.event === 'access_denied')?.summary).toMatch(/reply\.override_checks/);
    expect(steps.find((s) => s.event === 'human_decided')?.summary).toMatch(/Sam Sato \(supervisor\) chose edit.*OVERRIDE of failed checks.*reason: "legal asked for this exact wording in the test plan"/);
    // QA sees the edit rate by area and agent.
    const w = ((await as('alex', '/api/report/weekly')).json['weeks'] as Array<{ edits: { byAgent: Array<{ name: string; edited: number }>; byArea: Record<string, { edited: number }>; overrides: number } }>)[0];
    expect(w?.edits.overrides).toBeGreaterThanOrEqual(1);
    expect(w?.edits.byAgent.find((a) => a.name === 'Sam Sato')?.edited).toBe(1);
    expect(w?.edits.byArea['refund']?.edited).toBeGreaterThanOrEqual(1);
  });

  it('review integrity: blind until you submit, never your own decision, once per reviewer', async () => {
    expect((await as('rita', `/api/tickets/${ids.faq}/review`, { defects: ['tone_mismatch'], note: 'curt' })).status).toBe(201);
    const blind = await as('quinn', `/api/tickets/${ids.faq}`);
    const bt = blind.json['ticket'] as TicketView & { reviewCount: number; blindReview: boolean };
    expect(bt.reviews).toEqual([]);
    expect(bt.reviewCount).toBe(1);
    expect(bt.blindReview).toBe(true);
    expect((blind.json['timeline'] as TimelineStep[]).some((s) => s.event === 'qa_reviewed')).toBe(false);
    // Nor do the queues say who reviewed what.
    const q = await as('quinn', '/api/queues');
    expect(JSON.stringify(q.json)).not.toContain('u-rita');
    expect((await as('quinn', `/api/tickets/${ids.faq}/review`, { defects: [] })).status).toBe(201);
    const after = (await as('quinn', `/api/tickets/${ids.faq}`)).json['ticket'] as TicketView;
    expect(after.reviews.map((r) => [r.reviewer, r.blind])).toEqual([['u-rita', true], ['u-quinn', true]]);
    // Someone who is both agent and reviewer cannot review what they decided.
    const both = await con.token('ben', { claims: { roles: ['agent', 'qa_reviewer'], groups: [] } });
    expect((await call(con.base, `/api/tickets/${ids.escalated}/decision`, { token: both, body: { action: 'resolve', text: 'I have locked the account and reversed the charges.' } })).status).toBe(201);
    const self = await call(con.base, `/api/tickets/${ids.escalated}/review`, { token: both, body: { defects: [] } });
    expect(self.status).toBe(403);
    expect(self.json['permission']).toBe('rule:no_self_review');
  });

  it("claims: claim and release; someone else's claim blocks deciding unless you may reassign", async () => {
    expect((await as('ana', `/api/tickets/${ids.claimMe}/claim`, {})).status).toBe(201);
    const view = (await as('ben', `/api/tickets/${ids.claimMe}`)).json['ticket'] as TicketView;
    expect(view.claim).toMatchObject({ owner: 'u-ana', ownerName: 'Ana Alvarez' });
    const queues = (await as('ana', '/api/queues?claim=mine')).json as { escalated: Array<{ tickets: Array<{ ticketId: string }> }> };
    expect(queues.escalated.flatMap((g) => g.tickets.map((t) => t.ticketId))).toEqual([ids.claimMe]);
    const benTries = await as('ben', `/api/tickets/${ids.claimMe}/decision`, { action: 'resolve', text: 'Sorted.' });
    expect(benTries.status).toBe(403);
    expect(benTries.json['permission']).toBe('ticket.reassign');
    expect((await as('ben', `/api/tickets/${ids.claimMe}/claim`, {})).json['permission']).toBe('ticket.reassign');
    expect((await as('ana', `/api/tickets/${ids.claimMe}/unclaim`, {})).status).toBe(201);
    expect((await as('ben', `/api/tickets/${ids.claimMe}/claim`, {})).status).toBe(201);
    // A supervisor may take it over.
    expect((await as('sam', `/api/tickets/${ids.claimMe}/claim`, {})).status).toBe(201);
    const steps = (await as('sam', `/api/tickets/${ids.claimMe}`)).json['timeline'] as TimelineStep[];
    expect(steps.filter((s) => s.event === 'claimed').map((s) => s.summary)).toEqual([
      'Ana Alvarez (agent) claimed the ticket',
      'Ana Alvarez (agent) released the ticket',
      'Ben Okafor (agent) claimed the ticket',
      'Sam Sato (supervisor) claimed the ticket from Ben Okafor',
    ]);
  });

  it('queues show the helpdesk number, customer, age and the SLA of the queue from the pack, with filters', async () => {
    const q = (await as('sam', '/api/queues?queue=trust-and-safety')).json as { escalated: Array<{ queue: string; tickets: Array<Record<string, unknown>> }>; queues: string[] };
    expect(q.escalated.map((g) => g.queue)).toEqual(['trust-and-safety']);
    expect(q.queues).toEqual(expect.arrayContaining(['trust-and-safety']));
    for (const t of q.escalated.flatMap((g) => g.tickets)) {
      expect(t).toMatchObject({ ticketNumber: expect.stringMatching(/^e-/), customerId: expect.stringMatching(/^c-e-/), slaMinutes: 60, breached: false });
      expect(t['ageMinutes']).toBeGreaterThanOrEqual(0);
    }
    const search = (await as('sam', '/api/queues?q=o-1')).json as { escalated: Array<{ tickets: unknown[] }> };
    expect(search.escalated.flatMap((g) => g.tickets)).toHaveLength(0); // decided above: no longer open
    expect((await as('sam', '/api/queues?claim=bogus')).status).toBe(400);
  });

  it('live updates: the event stream names the tickets that changed', async () => {
    const res = await fetch(`${con.base}/api/stream`, { headers: { authorization: `Bearer ${tok['sam']}` } });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body?.getReader();
    const seen = (async () => {
      let text = '';
      const until = Date.now() + 10_000;
      while (Date.now() < until && reader) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        if (text.includes(ids.refund2) || text.includes(ids.faq)) return text;
      }
      return text;
    })();
    await new Promise((r) => setTimeout(r, 200));
    expect((await as('alex', `/api/tickets/${ids.faq}/review`, { defects: [] })).status).toBe(403); // a refusal is an event on the ticket too
    const text = await seen;
    await reader?.cancel();
    expect(text).toMatch(/event: tickets/);
    expect(text).toContain(ids.faq);
  });

  it('policy: only policy admins propose and approve, and the approver is a different verified identity — under no other name or token', async () => {
    const yaml = readFileSync(demoPaths.policy, 'utf8').replace('    vip: 300', '    vip: 250');
    const proposed = await as('pat', '/api/policy/revisions', { yaml, file: 'demo-pack.yaml', note: 'lower the vip limit' });
    expect(proposed.status).toBe(201);
    const rev = String(proposed.json['rev']);
    expect(proposed.json).toMatchObject({ status: 'proposed', by: 'Pat Lindqvist' });
    const approve = (token: string, headers: Record<string, string> = {}, body: Record<string, unknown> = {}) =>
      call(con.base, `/api/policy/revisions/${rev}/approve`, { token, body: { note: 'ok', ...body }, headers });
    // The same person: the same token, a fresh token, a token with another display name, a header, a body field.
    const attempts = [
      await approve(tok['pat'] ?? ''),
      await approve(await con.token('pat')),
      await approve(await con.token('pat', { claims: { name: 'Pia Novak', preferred_username: 'pia', email: 'pia@example.com' } })),
      await approve(tok['pat'] ?? '', { 'x-handrail-user': 'pia' }),
      await approve(tok['pat'] ?? '', {}, { by: 'u-pia', actor: 'u-pia', as: 'pia' }),
    ];
    for (const a of attempts) {
      expect(a.status).toBe(403);
      expect(a.json['permission']).toBe('rule:two_person_rule');
      expect(String(a.json['message'])).toMatch(/self-approval refused/);
    }
    // Other roles cannot approve at all.
    for (const who of ['ana', 'sam', 'quinn', 'alex'] as const) expect((await as(who, `/api/policy/revisions/${rev}/approve`, {})).json['permission']).toBe('policy.approve');
    const store = new PolicyStore(tb.bus.nc, tb.topo.buckets.policy);
    expect((await store.get(rev))?.status).toBe('proposed');

    // Through the CLI: the token decides who acts; HANDRAIL_USER and --as are not a way around it.
    const dir = mkdtempSync(join(tmpdir(), 'handrail-cli-'));
    writeFileSync(join(dir, 'pat.jwt'), tok['pat'] ?? '');
    writeFileSync(join(dir, 'pia.jwt'), tok['pia'] ?? '');
    const cli = await runCli(['policy', 'approve', rev, '--token-file', join(dir, 'pat.jwt')], { CONSOLE_URL: con.base, HANDRAIL_USER: 'pia', NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix });
    expect(cli.code).toBe(5);
    expect(cli.err).toMatch(/self-approval refused/);
    expect((await runCli(['policy', 'approve', rev, '--as', 'pia'], { CONSOLE_URL: con.base, HANDRAIL_TOKEN: tok['pat'] ?? '' })).code).toBe(2);
    expect((await runCli(['policy', 'approve', rev], { CONSOLE_URL: con.base })).code).toBe(8);
    const ok = await runCli(['policy', 'approve', rev, '--token-file', join(dir, 'pia.jwt'), '--note', 'checked the vip numbers'], { CONSOLE_URL: con.base, NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix });
    expect(ok.err).toBe('');
    expect(ok.out).toContain(`approved revision ${rev} by Pia Novak`);
    expect(await store.get(rev)).toMatchObject({ status: 'approved', proposedBy: 'u-pat', decidedBy: 'u-pia', decidedByName: 'Pia Novak' });
    const history = await store.history();
    expect(history.find((h) => h.action === 'approve')).toMatchObject({ by: 'u-pia', name: 'Pia Novak' });
    // The changes are on the stream as well, as the people who made them.
    const changes: string[] = [];
    for (const m of await readStream(tb.bus, tb.topo.streams.events, tb.topo.subjects.eventsOfType('policy_changed'), { idleMs: 300 })) {
      const e = decodeEvent(m.data);
      if (e.payload?.$case === 'policyChanged') changes.push(`${e.payload.value.action} ${e.payload.value.person?.subject}`);
    }
    expect(changes).toEqual(['propose u-pat', 'approve u-pia']);
    const denied = await deniedEvents();
    expect(denied.filter((d) => d.permission === 'rule:two_person_rule' && d.subject === 'u-pat').length).toBeGreaterThanOrEqual(6);
  });
});

/** Runs the CLI entry in this process with its own environment; returns exit code, stdout and stderr. */
async function runCli(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const keys = ['CONSOLE_URL', 'HANDRAIL_TOKEN', 'HANDRAIL_TOKEN_FILE', 'HANDRAIL_USER', 'NATS_URL', 'HANDRAIL_PREFIX'];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  for (const k of keys) delete process.env[k];
  Object.assign(process.env, env);
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void out.push(String(s)));
  const error = vi.spyOn(console, 'error').mockImplementation((s: unknown) => void err.push(String(s)));
  try {
    const { main } = await import('../../libs/cli/src/cli.js');
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
