import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { Area, Route, TicketConcluded, type EventEnvelope, type QaSampled } from '@handrail/contracts';
import { demoPaths } from '@handrail/demo';
import { newEvent } from '@handrail/events';
import { startService, type RunningService } from '@handrail/runtime';
import { eventually, openTestBus, testCredentials, trustedPublisher, type TestBus } from '@handrail/testing';
import { qaSamplerService } from '@handrail/svc-qa-sampler';
import { call as rawCall, startConsole, type ConsoleUnderTest } from '../support/console.js';
import { intakeClient, openedEvents, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

/** The demo pack with `edit` applied, written to a temporary file the services start from. */
type EditablePack = { sampling: Record<string, unknown>; qa: Record<string, unknown>; pilots: unknown[] };
function packFile(name: string, edit: (p: EditablePack) => void): string {
  const pack = parse(fs.readFileSync(demoPaths.policy, 'utf8')) as EditablePack;
  edit(pack);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hr-qa-')), `${name}.yaml`);
  fs.writeFileSync(file, stringify(pack));
  return file;
}

describe('qa loop — sampling over the bus (issue 13)', () => {
  let tb: TestBus;
  let svc: RunningService;
  let svc2: RunningService;
  const FIRST_N = 40;
  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'qasample');
    const POLICY_FILE = packFile('sampling', (p) => {
      p['sampling'] = {
        default_rate: 0.1,
        by_route: { auto_resolved: 0.2 },
        by_area_route: { refund: { awaiting_approval: 0.5 } },
        first_after_revision: FIRST_N,
        weekly_minimum_per_area: 0,
        low_margin: { within: 0.05, weight: 3 },
      };
      p['qa']['seeding'] = { every: 0, seeds: [] };
    });
    // Two replicas on the one durable (issue 15): the certainty selections' quotas are shared through the ledger.
    const config = { NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, LOG_LEVEL: 'silent', HANDRAIL_CREDENTIALS_DIR: testCredentials(), POLICY_FILE, QA_EVALUATE_INTERVAL_MS: '600000' };
    svc = await startService(qaSamplerService(config));
    svc2 = await startService(qaSamplerService(config));
  });
  afterAll(async () => {
    await svc2?.shutdown('test done');
    await svc?.shutdown('test done');
    await tb?.cleanup();
  });

  it('sampling — two replicas: realised rates over 3,000 decisions are within 4σ of each stratum’s inclusion probability; the first N after a revision are all sampled; Σ1/π estimates the population', async () => {
    // Strata: (area, route, confidence) → the inclusion probability the design must give them.
    const strata = [
      { name: 'faq/auto', area: Area.AREA_FAQ_STATUS, route: Route.ROUTE_AUTO_RESOLVED, confidence: 0.9, n: 1000, pi: 0.2 },
      // faq_status's threshold is 0.6: 0.62 is a low-margin decision, weighted ×3.
      { name: 'faq/auto low margin', area: Area.AREA_FAQ_STATUS, route: Route.ROUTE_AUTO_RESOLVED, confidence: 0.62, n: 500, pi: 0.6 },
      { name: 'refund/approval', area: Area.AREA_REFUND, route: Route.ROUTE_AWAITING_APPROVAL, confidence: 0.95, n: 1000, pi: 0.5 },
      { name: 'complaint/escalated', area: Area.AREA_COMPLAINT, route: Route.ROUTE_ESCALATED, confidence: 0.9, n: 500, pi: 0.1 },
    ];
    const { publisher } = await trustedPublisher(tb.bus, tb.topo, 'escalation');
    const producer = { service: 'escalation', version: 'test', instance: 'test' };
    const stratumOf = new Map<string, (typeof strata)[number]>();
    const batch: Array<Promise<unknown>> = [];
    let i = 0;
    for (const s of strata) {
      for (let k = 0; k < s.n; k++, i++) {
        const ticketId = `t-qs${String(i).padStart(5, '0')}`;
        stratumOf.set(ticketId, s);
        const value = TicketConcluded.fromPartial({ context: { ticketId, receivedAt: '2026-12-01T10:00:00Z', channel: 'chat' }, route: s.route, area: s.area, intent: 'x', confidence: s.confidence });
        batch.push(publisher.publish(newEvent({ kind: 'concluded', value, ticketId, producer, revisions: { policy: 'rev-a', model: 'model-1' } })));
        if (batch.length >= 200) await Promise.all(batch.splice(0));
      }
    }
    await Promise.all(batch);

    const samples = await eventually(async () => {
      const evs = await openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('qa_sampled'));
      const info = await tb.bus.jsm.consumers.info(tb.topo.streams.events, 'qa-sampler');
      return info.num_pending === 0 && info.num_ack_pending === 0 ? evs : undefined;
    }, 120_000, 500);
    const byTicket = new Map<string, QaSampled>();
    for (const e of samples) if (e.payload?.$case === 'qaSampled') byTicket.set(e.ticketId, e.payload.value);

    // Exactly N decisions under each revision are certainty selections (π = 1), across both replicas:
    // each quota (policy rev-a, model model-1) is filled once, never twice.
    const certain = [...byTicket.values()].filter((s) => s.factors.includes('first_after_revision:policy:rev-a'));
    expect(certain).toHaveLength(FIRST_N);
    expect([...byTicket.values()].filter((s) => s.factors.includes('first_after_revision:model:model-1'))).toHaveLength(FIRST_N);
    expect([...byTicket.values()].filter((s) => s.inclusionProbability === 1).every((s) => s.factors.some((f) => f.startsWith('first_after_revision:')))).toBe(true);

    const report: string[] = [];
    for (const s of strata) {
      const ids = [...stratumOf.entries()].filter(([, x]) => x === s).map(([id]) => id);
      const certainHere = ids.filter((id) => byTicket.get(id)?.inclusionProbability === 1).length;
      const drawn = ids.filter((id) => byTicket.get(id) && byTicket.get(id)?.inclusionProbability !== 1);
      // Every other sample records exactly the stratum's probability.
      for (const id of drawn) expect(byTicket.get(id)?.inclusionProbability, `${s.name} ${id}`).toBeCloseTo(s.pi, 10);
      const n = ids.length - certainHere;
      const share = drawn.length / n;
      const sd = Math.sqrt((s.pi * (1 - s.pi)) / n);
      report.push(`${s.name}: ${drawn.length}/${n} = ${share.toFixed(3)} vs π ${s.pi} (±${(4 * sd).toFixed(3)})`);
      expect(Math.abs(share - s.pi), report.at(-1)).toBeLessThanOrEqual(4 * sd);
    }
    // Horvitz–Thompson: Σ 1/π over the sample estimates the number of decisions (3,000) without bias.
    const ht = [...byTicket.values()].reduce((a, s) => a + 1 / s.inclusionProbability, 0);
    const variance = strata.reduce((a, s) => a + s.n * ((1 - s.pi) / s.pi), 0);
    expect(Math.abs(ht - 3000)).toBeLessThanOrEqual(4 * Math.sqrt(variance));
    console.log(`[qa-loop] realised sampling over 3000 decisions: ${report.join('; ')}; HT population estimate ${ht.toFixed(0)} (sd ${Math.sqrt(variance).toFixed(0)})`);
  }, 180_000);
});

describe('qa loop — circuit breaker, re-promotion and a pilot over the bus (issue 13)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let con: ConsoleUnderTest;
  let POLICY_FILE: string;
  const tokens: Record<string, string> = {};
  const FAQ = ['How long does standard shipping take?', 'how long does standard shipping take??', 'How many days does standard shipping take?'];
  const ROUTINE = 'How do I reset my password?';
  let n = 0;

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'qaloop');
    POLICY_FILE = packFile('loop', (p) => {
      // Every decision sampled, so reviewers have something to find.
      p['sampling']['first_after_revision'] = 1000;
      p['qa']['seeding'] = { every: 0, seeds: [] };
      p['qa']['circuit_breakers'] = { default: { max_defect_rate: 0.15, confidence: 0.95, min_reviews: 10, severities: ['major', 'critical'] }, by_area: { faq_status: { max_defect_rate: 0.1, min_reviews: 5 } } };
      p['pilots'] = [
        {
          name: 'routine-chat',
          areas: ['routine'],
          channels: ['chat'],
          traffic_share: 1,
          outside_action: 'draft',
          success: { defect_rate: 0.05, escalation_rate: 0.5, min_tickets: 100, min_reviews: 50 },
          stop: { defect_rate: 0.3, min_tickets: 3, min_reviews: 3 },
        },
      ];
    });
    const env = { POLICY_FILE, QA_EVALUATE_INTERVAL_MS: '200' };
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix, env);
    con = await startConsole(inject('natsUrl'), tb.topo.prefix, undefined, { POLICY_FILE });
    for (const u of ['ana', 'sam', 'quinn', 'rita']) tokens[u] = await con.token(u);
  });
  afterAll(async () => {
    await con?.stop();
    await pipeline?.stop();
    await tb?.cleanup();
  });

  const call = (p: string, user: string, body?: unknown) => rawCall(con.base, p, { token: tokens[user], body });
  const client = () => intakeClient(pipeline.grpcAddr);
  /** Submits one message from a new customer (no repeat contact) and waits for its terminal event. */
  async function submit(body: string, channel = 'chat'): Promise<{ ticketId: string; route: Route; reasons: string[] }> {
    const c = client();
    const { ticketId } = await c.submit({ connector: 'grpc', externalId: `qa-${++n}`, customerId: `c-qa-${n}`, channel, body });
    c.close();
    const concluded = await eventually(async () => {
      const evs = await openedEvents(tb.bus, tb.topo, tb.topo.subjects.event('concluded', ticketId));
      const e = evs[0];
      return e?.payload?.$case === 'concluded' ? e.payload.value : undefined;
    });
    // The console reviews only what it has seen conclude.
    await eventually(async () => ((await call(`/api/tickets/${ticketId}`, 'sam')).status === 200 ? true : undefined));
    return { ticketId, route: concluded.route, reasons: concluded.reasons.map((r) => r.code) };
  }
  const automationEvents = async (): Promise<EventEnvelope[]> => openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('automation_changed'));

  it('breaker — a burst of defect verdicts in one area demotes it: later decisions there are no longer auto-resolved; re-promotion needs the role', async () => {
    const first = [];
    for (let k = 0; k < 6; k++) first.push(await submit(FAQ[k % FAQ.length] ?? ''));
    expect(first.map((t) => t.route)).toEqual(first.map(() => Route.ROUTE_AUTO_RESOLVED));
    // One defect does not trip it.
    expect((await call(`/api/tickets/${first[0]?.ticketId}/review`, 'quinn', { findings: [{ category: 'hallucination', severity: 'major', note: 'invented a delivery date' }] })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await automationEvents()).toHaveLength(0);
    // A burst: four more.
    for (const t of first.slice(1, 5)) expect((await call(`/api/tickets/${t.ticketId}/review`, 'quinn', { findings: [{ category: 'hallucination', severity: 'critical', note: 'not in the article' }] })).status).toBe(201);
    const demoted = await eventually(async () => (await automationEvents()).find((e) => e.payload?.$case === 'automationChanged' && e.payload.value.action === 'demote'));
    expect(demoted.payload?.$case === 'automationChanged' && demoted.payload.value).toMatchObject({ area: Area.AREA_FAQ_STATUS, reason: 'defect_rate_above_bound', estimate: { samples: 5, bound: 0.1 } });
    expect(demoted.producer?.service).toBe('qa-sampler');
    const alerts = await openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('qa_alert'));
    expect(alerts.some((a) => a.payload?.$case === 'qaAlert' && a.payload.value.kind === 'breaker_tripped')).toBe(true);

    // Later decisions in the area wait for a person, naming the breaker.
    await new Promise((r) => setTimeout(r, 500));
    const after = await submit(FAQ[0] ?? '');
    expect(after.route).toBe(Route.ROUTE_AWAITING_APPROVAL);
    expect(after.reasons).toContain('automation_demoted');
    const overview = (await call('/api/qa', 'sam')).json as { areas: Array<{ area: string; current: string; granted: string }> };
    expect(overview.areas.find((a) => a.area === 'faq_status')).toMatchObject({ granted: 'resolve', current: 'draft' });

    // Re-promotion needs automation.restore: an agent is refused (403, recorded), a supervisor restores it.
    const refused = await call('/api/automation/faq_status/restore', 'ana', { note: 'looks fine to me' });
    expect(refused.status).toBe(403);
    expect(refused.json['permission']).toBe('automation.restore');
    const ok = await call('/api/automation/faq_status/restore', 'sam', { note: 'article fixed and re-published (KB v2)' });
    expect(ok.status).toBe(201);
    const restore = await eventually(async () => (await automationEvents()).find((e) => e.payload?.$case === 'automationChanged' && e.payload.value.action === 'restore'));
    expect(restore.payload?.$case === 'automationChanged' && restore.payload.value.person).toMatchObject({ subject: 'u-sam' });
    expect((await call('/api/automation/faq_status/restore', 'sam', { note: 'again, twice' })).status).toBe(412);
    await new Promise((r) => setTimeout(r, 500));
    expect((await submit(FAQ[1] ?? '')).route).toBe(Route.ROUTE_AUTO_RESOLVED);
  }, 120_000);

  it('pilot — stops itself on its stop condition; `handrail pilot report` says fail', async () => {
    const inPilot = [];
    for (let k = 0; k < 3; k++) inPilot.push(await submit(ROUTINE));
    expect(inPilot.map((t) => t.route)).toEqual([Route.ROUTE_AUTO_RESOLVED, Route.ROUTE_AUTO_RESOLVED, Route.ROUTE_AUTO_RESOLVED]);
    // Outside the pilot's channel, AI only drafts.
    const outside = await submit(ROUTINE, 'email');
    expect(outside.route).toBe(Route.ROUTE_AWAITING_APPROVAL);
    expect(outside.reasons).toContain('outside_pilot');
    for (const t of inPilot) expect((await call(`/api/tickets/${t.ticketId}/review`, 'rita', { findings: [{ category: 'policy_misapplication', severity: 'major' }] })).status).toBe(201);
    const stop = await eventually(async () => (await automationEvents()).find((e) => e.payload?.$case === 'automationChanged' && e.payload.value.action === 'pilot_stop'));
    expect(stop.payload?.$case === 'automationChanged' && stop.payload.value).toMatchObject({ pilot: 'routine-chat', reason: 'pilot_stop_condition' });
    await new Promise((r) => setTimeout(r, 500));
    const later = await submit(ROUTINE);
    expect(later.route).toBe(Route.ROUTE_AWAITING_APPROVAL);
    expect(later.reasons).toContain('pilot_stopped');

    const saved = { url: process.env['NATS_URL'], prefix: process.env['HANDRAIL_PREFIX'], creds: process.env['HANDRAIL_CREDENTIALS_DIR'] };
    process.env['NATS_URL'] = inject('natsUrl');
    process.env['HANDRAIL_PREFIX'] = tb.topo.prefix;
    process.env['HANDRAIL_CREDENTIALS_DIR'] = testCredentials();
    const out: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void out.push(String(s)));
    try {
      const { run } = await import('../../libs/cli/src/commands/pilot.js');
      expect(await run(['report', '--json', '--policy', POLICY_FILE])).toBe(0);
      expect(await run(['report', '--policy', POLICY_FILE])).toBe(0);
    } finally {
      spy.mockRestore();
      for (const [k, v] of [['NATS_URL', saved.url], ['HANDRAIL_PREFIX', saved.prefix], ['HANDRAIL_CREDENTIALS_DIR', saved.creds]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const json = JSON.parse(out[0] ?? '{}') as { pilots: Array<{ name: string; result: { verdict: string; stop: boolean; reviews: number } }> };
    expect(json.pilots[0]).toMatchObject({ name: 'routine-chat', result: { verdict: 'fail', stop: true, reviews: 3 } });
    expect(out.join('\n')).toMatch(/pilot routine-chat: FAIL/);
  }, 120_000);
});

describe('qa loop — seeded defects and a calibration session through the console (issue 13)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let con: ConsoleUnderTest;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'qacal');
    const POLICY_FILE = packFile('calibration', (p) => {
      p['sampling']['first_after_revision'] = 1000;
      p['qa']['seeding'] = { ...(p['qa']['seeding'] as object), every: 3 };
    });
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix, { POLICY_FILE, QA_EVALUATE_INTERVAL_MS: '300' });
    con = await startConsole(inject('natsUrl'), tb.topo.prefix, undefined, { POLICY_FILE });
    for (const u of ['sam', 'quinn', 'rita', 'alex']) tokens[u] = await con.token(u);
  });
  afterAll(async () => {
    await con?.stop();
    await pipeline?.stop();
    await tb?.cleanup();
  });
  const call = (p: string, user: string, body?: unknown) => rawCall(con.base, p, { token: tokens[user], body });

  it('seeds — known defects join the queue unlabelled; each reviewer’s catch rate; a calibration session measures agreement, lists disagreements and records its outcome', async () => {
    const c = intakeClient(pipeline.grpcAddr);
    const ids: string[] = [];
    for (let k = 0; k < 9; k++) ids.push((await c.submit({ connector: 'grpc', externalId: `cal-${k}`, customerId: `c-cal-${k}`, channel: 'chat', body: 'How long does standard shipping take?' })).ticketId);
    c.close();
    const seeds = await eventually(async () => {
      const evs = await openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('qa_seeded'));
      return evs.length >= 3 ? evs : undefined;
    });
    const seedIds = seeds.map((e) => e.ticketId);
    const queue = await eventually(async () => {
      const q = (await call('/api/queues', 'quinn')).json as { qaSample: Array<{ ticketId: string }> };
      return q.qaSample.length >= 12 ? q.qaSample : undefined;
    });
    expect(seedIds.every((id) => queue.some((q) => q.ticketId === id))).toBe(true);
    // Unlabelled: the reviewer's view of a seed says nothing about it.
    const seedView = await call(`/api/tickets/${seedIds[0]}`, 'quinn');
    expect(seedView.status).toBe(200);
    const text = JSON.stringify(seedView.json);
    expect(text).not.toMatch(/seed/i);
    expect((seedView.json['ticket'] as { qaSampled: { reason: string } }).qaSampled.reason).not.toBe('seeded');

    // quinn passes everything, seeds included; rita finds what was seeded.
    for (const id of seedIds) {
      expect((await call(`/api/tickets/${id}/review`, 'quinn', { findings: [] })).status).toBe(201);
      const expected = seeds.find((e) => e.ticketId === id)?.payload;
      const cats = expected?.$case === 'qaSeeded' ? expected.value.expectedDefects : [];
      expect((await call(`/api/tickets/${id}/review`, 'rita', { findings: cats.map((category) => ({ category, severity: 'major' })) })).status).toBe(201);
    }
    const qa = await eventually(async () => {
      const o = (await call('/api/qa', 'alex')).json as { catchRates: Array<{ name: string; seeded: number; caught: number }>; alerts: Array<{ kind: string; subject: string }> };
      return o.alerts.some((a) => a.kind === 'reviewer_passes_seeded') ? o : undefined;
    });
    expect(qa.catchRates.find((r) => r.name === 'Quinn Park')).toMatchObject({ seeded: seedIds.length, caught: 0 });
    expect(qa.catchRates.find((r) => r.name === 'Rita Moreau')).toMatchObject({ seeded: seedIds.length, caught: seedIds.length });
    // The automation-bias alarm names the reviewer passing everything while seeded defects slip through.
    expect(qa.alerts.filter((a) => a.kind === 'reviewer_passes_seeded').map((a) => a.subject)).toEqual(['u-quinn']);

    // A calibration session on three real tickets, for two reviewers; only qa.calibrate opens one.
    const items = ids.slice(0, 3);
    const body = { title: 'shipping answers', ticketIds: items, reviewers: ['u-quinn', 'u-rita'] };
    expect((await call('/api/calibration', 'quinn', body)).status).toBe(403);
    expect((await call('/api/calibration', 'sam', { ...body, reviewers: ['u-quinn'] })).json['fields']).toEqual([expect.objectContaining({ field: 'reviewers' })]);
    const opened = await call('/api/calibration', 'sam', body);
    expect(opened.status).toBe(201);
    const sessionId = String(opened.json['sessionId']);
    const verdicts: Record<string, [string[], string[]]> = { [items[0] ?? '']: [[], []], [items[1] ?? '']: [['incomplete_resolution'], ['incomplete_resolution']], [items[2] ?? '']: [['tone_mismatch'], []] };
    for (const id of items) {
      const [q, r] = verdicts[id] ?? [[], []];
      expect((await call(`/api/tickets/${id}/review`, 'quinn', { session: sessionId, findings: q.map((category) => ({ category, severity: 'minor' })) })).status).toBe(201);
      expect((await call(`/api/tickets/${id}/review`, 'rita', { session: sessionId, findings: r.map((category) => ({ category, severity: 'minor' })) })).status).toBe(201);
    }
    expect((await call(`/api/tickets/${ids[5]}/review`, 'quinn', { session: sessionId, findings: [] })).status).toBe(400);
    const report = (await call(`/api/calibration/${sessionId}`, 'alex')).json as { agreement: { items: number; perCategory: Array<{ category: string; fleissKappa: number | null; krippendorffAlpha: number | null }>; disagreements: Array<{ ticketId: string; category: string; yes: string[]; no: string[] }> } };
    expect(report.agreement.items).toBe(3);
    expect(report.agreement.perCategory.find((x) => x.category === 'incomplete_resolution')?.fleissKappa).toBeCloseTo(1, 10);
    expect(report.agreement.disagreements).toEqual([
      { ticketId: items[2], category: 'pass', yes: ['Rita Moreau'], no: ['Quinn Park'] },
      { ticketId: items[2], category: 'tone_mismatch', yes: ['Quinn Park'], no: ['Rita Moreau'] },
    ]);
    const closed = await call(`/api/calibration/${sessionId}/close`, 'sam', { outcome: 'tone_mismatch means against the brand voice, not merely short' });
    expect(closed.status).toBe(200);
    expect((await call(`/api/calibration/${sessionId}/close`, 'sam', { outcome: 'again, twice' })).status).toBe(409);
    const ev = await eventually(async () => (await openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('calibration'))).find((e) => e.payload?.$case === 'calibration' && e.payload.value.action === 'close'));
    expect(ev.payload?.$case === 'calibration' && ev.payload.value).toMatchObject({ sessionId, outcome: 'tone_mismatch means against the brand voice, not merely short', person: { subject: 'u-sam' } });
  }, 120_000);
});
