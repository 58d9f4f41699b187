import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AiAction, ShadowDecided, TicketConcluded, type EventEnvelope, type InboundMessage } from '@handrail/contracts';
import { encodeJson, openBucket, readStream } from '@handrail/bus';
import { demoPaths, readSampleTickets } from '@handrail/demo';
import { AREA, newEvent, PRIORITY, ROUTE } from '@handrail/events';
import { PolicyStore } from '@handrail/policy';
import { startService, type RunningService } from '@handrail/runtime';
import { shadowService } from '@handrail/svc-shadow';
import { eventually, openTestBus, testCredentials, trustedPublisher, type TestBus } from '@handrail/testing';
import { handrail } from '../support/cli.js';
import { call, startConsole, type ConsoleUnderTest } from '../support/console.js';
import { intakeClient, openedEvents, operatorTrust, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

interface ImpactJson {
  tickets: number;
  changes: Array<{ ticketId: string; route: { from: string; to: string } }>;
}

interface ShadowJson {
  candidate: { policy: string; kb: string };
  compared: number;
  same: number;
  changed: number;
  routeChanged: number;
  byRoute: Array<{ key: string; count: number; examples: string[] }>;
  changes: Array<{ ticketId: string; route: { from: string; to: string } }>;
}

const messages: Array<Partial<InboundMessage>> = [
  ...readSampleTickets(demoPaths.tickets).map((t) => t.message),
  // A refund over the standard tier's limit with nothing else against it: only the limit escalates it.
  { connector: 'demo', externalId: 'sh-limit-1', customerId: 'c-sh-limit', channel: 'email', subject: '', body: "I returned the blender two weeks ago and still haven't seen my refund of $120. When will it arrive?", orders: [], metadata: {} },
];

/** The demo pack with every tier's refund limit at 500. */
function refundLimitRaised(dir: string): string {
  const file = path.join(dir, 'refund-500.yaml');
  const pack = fs.readFileSync(demoPaths.policy, 'utf8');
  const raised = pack.replace(/by_tier:\n(\s+)default: 50\n\s+standard: 50\n\s+plus: 150\n\s+vip: 300/, 'by_tier:\n$1default: 500\n$1standard: 500\n$1plus: 500\n$1vip: 500');
  if (raised === pack) throw new Error('the demo pack no longer has the refund limits this test raises');
  fs.writeFileSync(file, raised);
  return file;
}

/** Submits each ticket once the one before it concluded (contact history is then the same as what-if reads). */
async function submitAll(tb: TestBus, pipeline: InProcessPipeline, list: Array<Partial<InboundMessage>>): Promise<string[]> {
  const concluded = new Set<string>();
  const sub = tb.bus.nc.subscribe(tb.topo.subjects.eventsOfType('concluded'), { callback: (_e, m) => void concluded.add(m.subject.split('.').at(-1) ?? '') });
  const client = intakeClient(pipeline.grpcAddr);
  const out: string[] = [];
  for (const m of list) {
    const id = (await client.submit(m)).ticketId;
    out.push(id);
    const until = Date.now() + 20_000;
    while (!concluded.has(id) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }
  client.close();
  sub.unsubscribe();
  return out;
}

/** The shadow stream, each message with its signer. */
async function shadowMessages(tb: TestBus): Promise<Array<{ subject: string; signer: string; env: EventEnvelope }>> {
  const trust = await operatorTrust(tb.bus, tb.topo);
  const out: Array<{ subject: string; signer: string; env: EventEnvelope }> = [];
  for (const m of await readStream(tb.bus, tb.topo.streams.shadow, tb.topo.subjects.allShadow(), { idleMs: 300 })) {
    const r = await trust.readEvent({ subject: m.subject, data: m.data, header: (n) => m.headers[n] });
    if (r.ok) out.push({ subject: m.subject, signer: m.headers['Handrail-Signer'] ?? '', env: r.env });
  }
  return out;
}

const routeOf = (e: EventEnvelope): string | undefined => (e.payload?.$case === 'shadowDecided' && e.payload.value.concluded ? ROUTE.name(e.payload.value.concluded.route) : undefined);

/** Waits until the shadow service's durable has nothing pending or unacknowledged. */
async function shadowCaughtUp(tb: TestBus): Promise<void> {
  await eventually(async () => {
    const i = await tb.bus.jsm.consumers.info(tb.topo.streams.events, 'shadow');
    return i.num_pending === 0 && i.num_ack_pending === 0 ? true : undefined;
  }, 60_000, 200);
}

/**
 * Issue 15, shadow mode live: a proposal decides every received ticket beside production, on the
 * shadow stream only; the weekly report compares the two.
 */
describe('shadow mode — a candidate decides beside production, recorded, never acted on (issue 15)', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let shadow: RunningService;
  let console_: ConsoleUnderTest;
  let env: Record<string, string>;
  let dir: string;
  let rev = '';
  let patFile = '';
  const ids: string[] = [];
  /** Every message any identity published on this prefix while the test ran, with its signer. */
  const published: Array<{ subject: string; signer: string }> = [];

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'shadow');
    const customers = await openBucket(tb.bus, tb.topo.buckets.customers);
    const profiles = JSON.parse(fs.readFileSync(demoPaths.customers, 'utf8')) as Record<string, object>;
    for (const [id, p] of Object.entries(profiles)) await customers.put(id, encodeJson(p));
    tb.bus.nc.subscribe(`${tb.topo.prefix}.>`, { callback: (_e, m) => void published.push({ subject: m.subject, signer: m.headers?.get('Handrail-Signer') ?? '' }) });
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
    env = { NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, HANDRAIL_CREDENTIALS_DIR: testCredentials(), LOG_LEVEL: 'silent', POLICY_FILE: demoPaths.policy, KB_DIR: demoPaths.kb };
    shadow = await startService(shadowService(env));
    console_ = await startConsole(inject('natsUrl'), tb.topo.prefix);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-shadow-'));
    patFile = path.join(dir, 'pat.jwt');
    fs.writeFileSync(patFile, await console_.token('pat'));
  }, 180_000);
  afterAll(async () => {
    await console_?.stop();
    await shadow?.shutdown('test done');
    await pipeline?.stop();
    await tb?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('policy shadow — a policy admin turns it on for a proposal (audited, naming who); others and bad input are refused', async () => {
    const cenv = { ...env, CONSOLE_URL: console_.base };
    const proposed = await handrail(cenv, ['policy', 'propose', refundLimitRaised(dir), '--no-impact', '--note', 'refunds up to 500', '--token-file', patFile]);
    expect(proposed.code, proposed.stderr).toBe(0);
    rev = /proposed revision ([0-9a-f]{12})/.exec(proposed.stdout)?.[1] ?? '';
    expect(rev).not.toBe('');

    // An agent may not; a malformed request names its field; the live revision and unknown KBs are refused.
    expect((await call(console_.base, '/api/policy/shadow', { token: await console_.token('ana'), body: { rev } })).status).toBe(403);
    const bad = await call(console_.base, '/api/policy/shadow', { token: await console_.token('pat'), body: { rev: 'nope' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('"rev"');
    const noKb = await call(console_.base, '/api/policy/shadow', { token: await console_.token('pat'), body: { rev, kb: 'nosuchkb' } });
    expect(noKb.status).toBe(400);
    expect(JSON.stringify(noKb.json)).toContain('kb');
    const unknown = await handrail(cenv, ['policy', 'shadow', 'abcdefabcdef', '--token-file', patFile]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no policy revision abcdefabcdef/);

    const on = await handrail(cenv, ['policy', 'shadow', rev, '--note', 'a week beside production', '--token-file', patFile]);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toMatch(new RegExp(`shadow mode on by .+: revision ${rev} with the published KB`));
    expect((await handrail(env, ['policy', 'shadow'])).stdout).toMatch(new RegExp(`^shadow mode on: revision ${rev}`));
    const store = new PolicyStore(tb.bus.nc, tb.topo.buckets.policy, { bindOnly: true });
    expect((await store.history()).find((h) => h.action === 'shadow_on')).toMatchObject({ rev, by: 'u-pat', name: 'Pat Lindqvist', note: 'a week beside production' });
    const changed = await eventually(async () => (await openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('policy_changed'))).find((e) => e.payload?.$case === 'policyChanged' && e.payload.value.action === 'shadow_on'));
    expect(changed.payload?.$case === 'policyChanged' && changed.payload.value.person?.subject).toBe('u-pat');
  }, 120_000);

  it('shadow — every ticket is decided under the candidate on the shadow stream; the route changes are exactly what-if\'s, and nothing else is published', async () => {
    expect(rev).not.toBe('');
    ids.push(...(await submitAll(tb, pipeline, messages)));
    const decided = await eventually(async () => {
      const list = await shadowMessages(tb);
      return ids.every((id) => list.some((s) => s.env.ticketId === id)) ? list : undefined;
    }, 120_000, 500);
    await shadowCaughtUp(tb);

    // Signed by the shadow service, on its subjects, under the candidate, with production's revision beside it.
    const production = await openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('concluded'));
    const prodRoute = new Map(production.map((e) => [e.ticketId, e.payload?.$case === 'concluded' ? ROUTE.name(e.payload.value.route) : undefined]));
    const prodRev = production[0]?.revisions?.policy ?? '';
    expect(decided).toHaveLength(ids.length);
    for (const s of decided) {
      expect(s.signer).toBe('shadow');
      expect(s.subject).toBe(tb.topo.subjects.shadow(s.env.ticketId));
      expect(s.env.revisions?.policy).toBe(rev);
      expect(s.env.payload?.$case === 'shadowDecided' && s.env.payload.value.production?.policy).toBe(prodRev);
    }
    const shadowChanged = decided.filter((s) => routeOf(s.env) !== prodRoute.get(s.env.ticketId)).map((s) => s.env.ticketId).sort();
    expect(shadowChanged.length).toBeGreaterThan(0);

    // What-if of the same revision over the same tickets: the same route changes.
    const w = await handrail(env, ['replay', '--policy', rev, '--since', '1h', '--json']);
    expect(w.code, w.stderr).toBe(0);
    const impact = JSON.parse(w.stdout) as ImpactJson;
    expect(impact.tickets).toBe(ids.length);
    expect(shadowChanged).toEqual(impact.changes.filter((c) => c.route.from !== c.route.to).map((c) => c.ticketId).sort());

    // The shadow identity published only on shadow subjects (and its dead-letter subject never); no outbound reply came from it.
    const byShadow = published.filter((p) => p.signer === 'shadow');
    expect(new Set(byShadow.map((p) => p.subject))).toEqual(new Set(ids.map((id) => tb.topo.subjects.shadow(id))));
    expect(byShadow.every((p) => p.subject.startsWith(`${tb.topo.prefix}.shadow.`))).toBe(true);
    const outbound = await readStream(tb.bus, tb.topo.streams.outbound, tb.topo.subjects.allOutbound(), { idleMs: 300 });
    expect(outbound.filter((m) => m.headers['Handrail-Signer'] === 'shadow')).toEqual([]);
    expect(published.filter((p) => p.subject.includes('.evt.shadow_decided.'))).toEqual([]);
    // Production's conclusions are production's alone: one per ticket, under the live revision.
    expect(production.filter((e) => e.revisions?.policy === rev)).toEqual([]);
  }, 240_000);

  it('weekly report — compares production with the shadow decisions: handrail report (text, JSON, HTML) and the console', async () => {
    const prodRoute = new Map((await openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('concluded'))).map((e) => [e.ticketId, e.payload?.$case === 'concluded' ? ROUTE.name(e.payload.value.route) : '']));
    const expectedChanged = (await shadowMessages(tb)).filter((s) => routeOf(s.env) !== prodRoute.get(s.env.ticketId)).length;
    const html = path.join(dir, 'weekly.html');
    const r = await handrail(env, ['report', 'weekly', '--json', '--html', html]);
    expect(r.code, r.stderr).toBe(0);
    const week = (JSON.parse(r.stdout) as { weeks: Array<{ shadow: { candidates: ShadowJson[] } }> }).weeks.at(-1);
    const c = week?.shadow.candidates.find((x) => x.candidate.policy === rev);
    expect(c).toMatchObject({ compared: ids.length, routeChanged: expectedChanged });
    expect(c?.byRoute.find((g) => g.key === 'escalated → awaiting_approval')?.count).toBe(expectedChanged);
    expect(fs.readFileSync(html, 'utf8')).toContain('Shadow mode: candidate vs production');
    const text = await handrail(env, ['report', 'weekly']);
    expect(text.stdout).toMatch(new RegExp(`shadow in \\d{4}-W\\d{2} — candidate policy ${rev}.*: ${ids.length} compared, \\d+ same, \\d+ changed, ${expectedChanged} of them in route`));

    const api = await eventually(async () => {
      const res = await call(console_.base, '/api/report/weekly', { token: await console_.token('sam') });
      const weeks = res.json['weeks'] as Array<{ shadow: { candidates: ShadowJson[] } }> | undefined;
      const k = weeks?.at(-1)?.shadow.candidates.find((x) => x.candidate.policy === rev);
      return k && k.compared === ids.length ? k : undefined;
    });
    expect(api.routeChanged).toBe(expectedChanged);
    const page = await fetch(`${console_.base}/report/weekly`, { headers: { authorization: `Bearer ${await console_.token('sam')}` } });
    const body = await page.text();
    expect(page.status).toBe(200);
    expect(body).toContain('Shadow mode: candidate vs production');
    expect(body).toContain(`Candidate policy <code>${rev}</code>`);
  }, 120_000);

  it('shadow — a forged shadow decision (another identity, or on a decision subject) is refused by every reader', async () => {
    const victim = ids[0] ?? '';
    const value = ShadowDecided.fromPartial({
      concluded: TicketConcluded.fromPartial({ route: ROUTE.value('auto_resolved'), area: AREA.value('refund'), priority: PRIORITY.value('low'), queue: '', reasons: [] }),
      aiAction: AiAction.AI_ACTION_RESOLVE,
      production: { policy: 'x', kb: '', model: '' },
    });
    const forgedBy = await trustedPublisher(tb.bus, tb.topo, 'drafting');
    const fake = newEvent({ kind: 'shadowDecided', ticketId: victim, producer: { service: 'shadow', version: 'x', instance: 'x' }, idSuffix: 'forged', revisions: { policy: 'f0f0f0f0f0f0' }, value });
    await forgedBy.publisher.publish(fake, { subject: tb.topo.subjects.shadow(victim) });
    const realShadow = await trustedPublisher(tb.bus, tb.topo, 'shadow');
    const misplaced = newEvent({ kind: 'shadowDecided', ticketId: victim, producer: { service: 'shadow', version: 'x', instance: 'x' }, idSuffix: 'misplaced', revisions: { policy: 'e0e0e0e0e0e0' }, value });
    await realShadow.publisher.publish(misplaced, { subject: tb.topo.subjects.event('shadow_decided', victim) });
    await forgedBy.trust.close();

    const trust = await operatorTrust(tb.bus, tb.topo);
    const stored = await readStream(tb.bus, tb.topo.streams.shadow, tb.topo.subjects.shadow(victim), { idleMs: 300 });
    const reasons = await Promise.all(stored.map(async (m) => trust.readEvent({ subject: m.subject, data: m.data, header: (n) => m.headers[n] })));
    expect(reasons.filter((x) => !x.ok).map((x) => (x.ok ? '' : x.reason))).toEqual(['drafting may not produce shadow_decided events']);
    const onEvt = await readStream(tb.bus, tb.topo.streams.events, tb.topo.subjects.event('shadow_decided', victim), { idleMs: 300 });
    expect(onEvt).toHaveLength(1);
    const r = await trust.readEvent({ subject: onEvt[0]?.subject ?? '', data: onEvt[0]?.data ?? new Uint8Array(), header: (n) => onEvt[0]?.headers[n] });
    expect(r.ok ? '' : r.reason).toMatch(/does not belong on/);
    await realShadow.trust.close();

    // Neither reaches the report: the CLI's and the console's comparisons still name only the real candidate.
    await new Promise((res) => setTimeout(res, 1_000));
    const week = (JSON.parse((await handrail(env, ['report', 'weekly', '--json'])).stdout) as { weeks: Array<{ shadow: { candidates: ShadowJson[] } }> }).weeks.at(-1);
    expect(week?.shadow.candidates.map((k) => k.candidate.policy)).toEqual([rev]);
    const res = await call(console_.base, '/api/report/weekly', { token: await console_.token('sam') });
    expect((res.json['weeks'] as Array<{ shadow: { candidates: ShadowJson[] } }>).at(-1)?.shadow.candidates.map((k) => k.candidate.policy)).toEqual([rev]);
  }, 120_000);

  it('policy shadow --off — stops shadow decisions at once; production goes on', async () => {
    const off = await handrail({ ...env, CONSOLE_URL: console_.base }, ['policy', 'shadow', '--off', '--note', 'enough data', '--token-file', patFile]);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toMatch(new RegExp(`shadow mode off by .+; it was revision ${rev}`));
    expect((await handrail(env, ['policy', 'shadow'])).stdout.trim()).toBe('shadow mode off');
    // The service hears it through its watch; give it a moment, then send more traffic.
    await new Promise((res) => setTimeout(res, 500));
    const before = (await shadowMessages(tb)).length;
    const more = await submitAll(tb, pipeline, messages.slice(0, 3).map((m) => ({ ...m, externalId: `${m.externalId ?? 'x'}-after-off` })));
    await shadowCaughtUp(tb);
    const after = await shadowMessages(tb);
    expect(after.length).toBe(before);
    expect(after.filter((s) => more.includes(s.env.ticketId))).toEqual([]);
    const concluded = await openedEvents(tb.bus, tb.topo, tb.topo.subjects.eventsOfType('concluded'));
    for (const id of more) expect(concluded.some((e) => e.ticketId === id)).toBe(true);
    const store = new PolicyStore(tb.bus.nc, tb.topo.buckets.policy, { bindOnly: true });
    expect((await store.history()).filter((h) => h.action === 'shadow_off')).toEqual([expect.objectContaining({ rev, by: 'u-pat', note: 'enough data' })]);
  }, 120_000);
});
