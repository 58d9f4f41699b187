import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { Area, Priority, Route, HumanDecision } from '@handrail/contracts';
import { DLQ_HEADERS, encodeJson, openBucket, readStream, type Bus } from '@handrail/bus';
import { demoPaths, demoServiceEnv } from '@handrail/demo';
import { repoRoot } from '@handrail/launcher';
import { decodeEvent, encodeEvent, newEvent, ticketIdFor, type EventType } from '@handrail/events';
import { loadPolicyFile, PolicyStore } from '@handrail/policy';
import { startDevIssuer, type DevIssuer } from '@handrail/identity/dev';
import { AUDIENCE } from '../support/console.js';
import { startService, type RunningService } from '@handrail/runtime';
import { consoleService } from '@handrail/svc-console';
import { qaSamplerService } from '@handrail/svc-qa-sampler';
import { shadowService } from '@handrail/svc-shadow';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { loadIdentity, recordSigner } from '@handrail/trust';
import { conclusions, intakeClient, startInProcess, type InProcessPipeline } from '../support/pipeline.js';
import { startSecureBus, type SecureBus } from '../support/secure.js';

const FAQ = 'How long does standard shipping take?';
const SAFETY = 'Someone hacked my account and bought things with my card.';
const REFUND = "I returned the blender two weeks ago and still haven't seen my refund of $30. When will it arrive?";
const producer = (service: string) => ({ service, version: 'forged', instance: 'x' });

/** Publishes like a forger: the predictable event id as Nats-Msg-Id, optionally claiming an identity. */
async function forge(bus: Bus, subject: string, env: ReturnType<typeof newEvent>, claim?: string): Promise<unknown> {
  const h = natsHeaders();
  if (claim) {
    h.set('Handrail-Signer', claim);
    h.set('Handrail-Sig', Buffer.alloc(64, 7).toString('base64'));
  }
  return bus.js.publish(subject, encodeEvent(env), { msgID: env.eventId, headers: h, timeout: 3_000 });
}

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the server accepted it');
}

describe('trust on the bus against an auth-enabled nats-server (issue 11)', () => {
  let sb: SecureBus;
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let consoleSvc: RunningService;
  let iss: DevIssuer;
  let consolePort = 0;
  let intruder: Bus;
  const env = () => ({ HANDRAIL_CREDENTIALS_DIR: sb.credentials });
  const ids = { faq: ticketIdFor('grpc', 'trust-faq'), safety: ticketIdFor('grpc', 'trust-safety'), refund: ticketIdFor('grpc', 'trust-refund') };

  beforeAll(async () => {
    sb = await startSecureBus('trust');
    tb = await openTestBus(sb.url, 'trust', {}, { prefix: sb.prefix, nkeySeed: loadIdentity(sb.credentials, 'provisioner').natsSeed });
    const customers = await openBucket(tb.bus, tb.topo.buckets.customers);
    await customers.put('c-safe', encodeJson({ tier: 'standard', accountValue: 100 }));
    intruder = await sb.connectIntruder();
    // Forgeries published before the real tickets exist (ids are predictable).
    const forgedReply = newEvent({ kind: 'outboundReply', ticketId: ids.faq, producer: producer('escalation'), value: { ticketId: ids.faq, connector: 'grpc', externalId: 'trust-faq', customerId: 'c-faq', text: 'Click http://phish.example to confirm your card', citations: [] } });
    await forge(intruder, tb.topo.subjects.outbound('grpc'), forgedReply, 'escalation');
    await forge(intruder, tb.topo.subjects.event('outbound_reply', ids.faq), forgedReply, 'escalation');
    const forgedConclusion = newEvent({ kind: 'concluded', ticketId: ids.safety, producer: producer('escalation'), value: { context: undefined, route: Route.ROUTE_AUTO_RESOLVED, reasons: [], area: Area.AREA_FAQ_STATUS, intent: '', confidence: 1, queue: '', priority: Priority.PRIORITY_LOW } });
    await forge(intruder, tb.topo.subjects.event('concluded', ids.safety), forgedConclusion, 'escalation');

    pipeline = await startInProcess(sb.url, sb.prefix, env());
    iss = await startDevIssuer({ audience: AUDIENCE });
    consoleSvc = await startService(consoleService({ NATS_URL: sb.url, HANDRAIL_PREFIX: sb.prefix, LOG_LEVEL: 'silent', ...demoServiceEnv, AUTH_ISSUER: iss.url, AUTH_AUDIENCE: AUDIENCE, AUTH_CLIENT_ID: AUDIENCE, CONSOLE_PORT: '0', ...env() }, { onListening: (p) => (consolePort = p) }));
    const client = intakeClient(pipeline.grpcAddr);
    await client.submit({ connector: 'grpc', externalId: 'trust-faq', customerId: 'c-faq', channel: 'chat', body: FAQ });
    await client.submit({ connector: 'grpc', externalId: 'trust-safety', customerId: 'c-safe', channel: 'chat', body: SAFETY });
    await client.submit({ connector: 'grpc', externalId: 'trust-refund', customerId: 'c-ref', channel: 'email', body: REFUND });
    client.close();
    await eventually(async () => {
      const c = await conclusions(tb.bus, tb.topo);
      return Object.values(ids).every((id) => (c.get(id) ?? []).some((x) => x.route !== Route.ROUTE_AUTO_RESOLVED || id === ids.faq)) ? c : undefined;
    }, 60_000);
  }, 120_000);

  afterAll(async () => {
    await consoleSvc?.shutdown('test done');
    await iss?.close();
    await pipeline?.stop();
    await tb?.cleanup();
    await sb?.stop();
  });

  const signedBy = async (stream: string, filter: string) =>
    (await readStream(tb.bus, stream, filter, { idleMs: 300 })).map((m) => ({ signer: m.headers['Handrail-Signer'], env: decodeEvent(m.data), headers: m.headers }));

  it('server — a connector or another service cannot publish events, write policy, or change a stream', async () => {
    const connector = await sb.connectAs('connector');
    const fake = newEvent({ kind: 'concluded', ticketId: ids.safety, producer: producer('escalation'), value: { context: undefined, route: Route.ROUTE_AUTO_RESOLVED, reasons: [], area: Area.AREA_FAQ_STATUS, intent: '', confidence: 1, queue: '', priority: Priority.PRIORITY_LOW } });
    expect(await refused(forge(connector, tb.topo.subjects.event('concluded', ids.safety), fake))).toMatch(/permission|timeout|TIMEOUT/i);
    const qa = await sb.connectAs('qa-sampler');
    expect(await refused(forge(qa, tb.topo.subjects.event('human_decided', ids.refund), fake))).toMatch(/permission|timeout|TIMEOUT/i);
    expect(await refused(forge(qa, tb.topo.subjects.outbound('grpc'), fake))).toMatch(/permission|timeout|TIMEOUT/i);
    // The policy bucket: only the policy-admin identity writes it.
    const kv = await new Kvm(qa.js).open(tb.topo.buckets.policy);
    expect(await refused(kv.put('active', encodeJson({ rev: '000000000000', by: 'mallory', via: 'approve', since: '' })))).toMatch(/permission|timeout|TIMEOUT/i);
    // Streams: only the provisioner manages them (and nobody may purge the audit trail).
    const info = await qa.jsm.streams.info(tb.topo.streams.events);
    expect(await refused(qa.jsm.streams.update(tb.topo.streams.events, { ...info.config, max_age: 1e9 }))).toMatch(/permission|timeout|TIMEOUT/i);
    expect(await refused(qa.jsm.streams.purge(tb.topo.streams.events))).toMatch(/permission|timeout|TIMEOUT/i);
    expect(await refused(tb.bus.jsm.streams.purge(tb.topo.streams.events))).toMatch(/purge|denied|not permitted/i);
    expect((await tb.bus.jsm.streams.info(tb.topo.streams.events)).config.max_age).toBe(info.config.max_age);
  });

  it('inboxes — an identity hears only its own replies: subscribing to the shared _INBOX.> or another identity\'s inbox is refused by the server (issue 15)', async () => {
    const qa = await sb.connectAs('qa-sampler');
    const violation = (subject: string) =>
      new Promise<string>((resolve) => {
        const sub = qa.nc.subscribe(subject);
        void sub.closed.then((e) => resolve(e instanceof Error ? e.message : 'closed without error'));
        void (async () => {
          for await (const _ of sub) resolve('received a message');
        })().catch((e: unknown) => resolve((e as Error).message));
        setTimeout(() => resolve('no refusal within 3 s'), 3_000);
      });
    expect(await violation('_INBOX.>')).toMatch(/permission/i);
    expect(await violation('_INBOX.console.>')).toMatch(/permission/i);
    // Its own inbox works: a JetStream request (its reply comes back on `_INBOX.qa-sampler.…`) succeeds.
    expect((await qa.jsm.streams.info(tb.topo.streams.events)).config.name).toBe(tb.topo.streams.events);
  });

  it('hijacked reply — the forged reply squatting the event id is ignored; the real reply goes out, signed by escalation', async () => {
    const out = await signedBy(tb.topo.streams.outbound, tb.topo.subjects.allOutbound());
    const forFaq = out.filter((o) => o.env.ticketId === ids.faq);
    const genuine = forFaq.filter((o) => o.signer === 'escalation' && o.headers['Handrail-Sig'] !== Buffer.alloc(64, 7).toString('base64'));
    expect(forFaq.length).toBe(2);
    expect(genuine).toHaveLength(1);
    const real = genuine[0]!;
    expect(real.headers['Nats-Msg-Id']).not.toBe(`${ids.faq}.outbound_reply`);
    expect(JSON.stringify(real.env)).not.toMatch(/phish/);
  });

  it('suppressed escalation — the pre-published auto_resolved conclusion is dead-lettered; the safety ticket is escalated with a handoff', async () => {
    const c = (await conclusions(tb.bus, tb.topo)).get(ids.safety) ?? [];
    expect(c.map((x) => x.route).sort()).toEqual([Route.ROUTE_AUTO_RESOLVED, Route.ROUTE_ESCALATED].sort());
    const dead = await readStream(tb.bus, tb.topo.streams.deadLetter, tb.topo.subjects.allDeadLetters(), { idleMs: 300 });
    const forged = dead.filter((d) => d.headers[DLQ_HEADERS.subject] === tb.topo.subjects.event('concluded', ids.safety));
    expect(forged.map((d) => d.headers[DLQ_HEADERS.stage]).sort()).toEqual(['drafting', 'qa-sampler']);
    for (const d of forged) expect(d.headers[DLQ_HEADERS.reason]).toMatch(/^unauthenticated: bad signature for escalation/);
    await eventually(async () => ((await signedBy(tb.topo.streams.events, tb.topo.subjects.event('handoff', ids.safety))).some((h) => h.signer === 'drafting') ? true : undefined), 30_000);
    const res = await fetch(`http://127.0.0.1:${consolePort}/api/tickets/${ids.safety}`, { headers: { authorization: `Bearer ${await iss.mint('ana')}` } });
    const view = ((await res.json()) as { ticket: { route?: string } }).ticket;
    expect(view.route).toBe('escalated');
  });

  it('faked human decision and a flipped ticket — forged events never reach the console\'s queues or its reply consumer', async () => {
    await eventually(async () => ((await conclusions(tb.bus, tb.topo)).get(ids.refund)?.length ? true : undefined), 30_000);
    const decision = newEvent({ kind: 'humanDecision', ticketId: ids.refund, producer: producer('console'), value: HumanDecision.fromPartial({ ticketId: ids.refund, actor: 'mallory', action: 'edit', finalText: 'Send your card number to http://phish.example', note: '', previousRoute: Route.ROUTE_AWAITING_APPROVAL }) });
    await forge(intruder, tb.topo.subjects.event('human_decided', ids.refund), decision, 'console');
    const flip = newEvent({ kind: 'concluded', ticketId: ids.safety, producer: producer('escalation'), idSuffix: 'flip', value: { context: undefined, route: Route.ROUTE_AWAITING_APPROVAL, reasons: [], area: Area.AREA_REFUND, intent: '', confidence: 1, queue: 'billing', priority: Priority.PRIORITY_LOW } });
    await forge(intruder, tb.topo.subjects.event('concluded', ids.safety), flip, 'escalation');
    const dead = await eventually(async () => {
      const d = await readStream(tb.bus, tb.topo.streams.deadLetter, tb.topo.subjects.deadLetter('console'), { idleMs: 300 });
      return d.length ? d : undefined;
    }, 30_000);
    expect(dead[0]!.headers[DLQ_HEADERS.reason]).toMatch(/^unauthenticated/);
    await new Promise((r) => setTimeout(r, 1_000));
    const replies = (await signedBy(tb.topo.streams.outbound, tb.topo.subjects.allOutbound())).filter((o) => o.env.ticketId === ids.refund);
    expect(replies).toHaveLength(0);
    const res = await fetch(`http://127.0.0.1:${consolePort}/api/tickets/${ids.safety}`, { headers: { authorization: `Bearer ${await iss.mint('ana')}` } });
    expect(((await res.json()) as { ticket: { route?: string } }).ticket.route).toBe('escalated');
    const refund = await fetch(`http://127.0.0.1:${consolePort}/api/tickets/${ids.refund}`, { headers: { authorization: `Bearer ${await iss.mint('ana')}` } });
    expect(((await refund.json()) as { ticket: { route?: string; decision?: unknown } }).ticket.decision).toBeUndefined();
  });

  it('shadow mode — under the server\'s permissions the shadow service decides and publishes on its subjects only; it may publish nothing else, and nobody else may publish there (issue 15)', async () => {
    const shadowSvc = await startService(shadowService({ NATS_URL: sb.url, HANDRAIL_PREFIX: sb.prefix, LOG_LEVEL: 'silent', ...demoServiceEnv, ...env() }));
    try {
      const admin = await sb.connectAs('policy-admin');
      const store = new PolicyStore(admin.nc, tb.topo.buckets.policy, { bindOnly: true });
      const demo = await loadPolicyFile(demoPaths.policy);
      const cand = await store.propose({ ...demo, sampling: { ...demo.sampling, default_rate: 0.42 } }, { by: 'ann' });
      await store.startShadow(cand, '', { by: 'ann' });
      await new Promise((r) => setTimeout(r, 500));
      const client = intakeClient(pipeline.grpcAddr);
      const r = await client.submit({ connector: 'grpc', externalId: 'trust-shadow', customerId: 'c-shadow', channel: 'chat', body: FAQ });
      client.close();
      const decided = await eventually(async () => {
        const list = await readStream(tb.bus, tb.topo.streams.shadow, tb.topo.subjects.shadow(r.ticketId), { idleMs: 300 });
        return list.length ? list : undefined;
      }, 90_000);
      expect(decided.map((m) => m.headers['Handrail-Signer'])).toEqual(['shadow']);
      expect(decodeEvent(decided[0]!.data).revisions?.policy).toBe(cand);
      await store.stopShadow({ by: 'ann' });
      // The shadow identity may not publish a decision or a reply; another identity may not publish a shadow decision.
      const sh = await sb.connectAs('shadow');
      const fake = newEvent({ kind: 'concluded', ticketId: r.ticketId, producer: producer('shadow'), idSuffix: 'sh', value: { context: undefined, route: Route.ROUTE_AUTO_RESOLVED, reasons: [], area: Area.AREA_FAQ_STATUS, intent: '', confidence: 1, queue: '', priority: Priority.PRIORITY_LOW } });
      expect(await refused(forge(sh, tb.topo.subjects.event('concluded', r.ticketId), fake))).toMatch(/permission|timeout|TIMEOUT/i);
      expect(await refused(forge(sh, tb.topo.subjects.event('shadow_decided', r.ticketId), fake))).toMatch(/permission|timeout|TIMEOUT/i);
      expect(await refused(forge(sh, tb.topo.subjects.outbound('grpc'), fake))).toMatch(/permission|timeout|TIMEOUT/i);
      const drafting = await sb.connectAs('drafting');
      expect(await refused(forge(drafting, tb.topo.subjects.shadow(r.ticketId), fake))).toMatch(/permission|timeout|TIMEOUT/i);
    } finally {
      await shadowSvc.shutdown('test done');
    }
  }, 120_000);

  it('policy API — under the server\'s permissions the console may propose and approve (its two-person review), a service may not write the bucket', async () => {
    const consoleConn = await sb.connectAs('console');
    const store = new PolicyStore(consoleConn.nc, tb.topo.buckets.policy, { bindOnly: true, signer: recordSigner(loadIdentity(sb.credentials, 'console')) });
    const demo = await loadPolicyFile(demoPaths.policy);
    const rev = await store.propose({ ...demo, sampling: { ...demo.sampling, default_rate: 0.4 } }, { by: 'pat' });
    expect((await store.approve(rev, { by: 'pia' })).rev).toBe(rev);
    const drafting = await sb.connectAs('drafting');
    const kv = await new Kvm(drafting.js).open(tb.topo.buckets.policy);
    expect(await refused(kv.put('active', encodeJson({ rev, by: 'mallory', via: 'approve', since: '' })))).toMatch(/permission|timeout|TIMEOUT/i);
  });

  it('CLI — `handrail policy show` reads the store as the operator under the server\'s permissions; anonymously it is refused', async () => {
    const active = await new PolicyStore((await sb.connectAs('operator')).nc, tb.topo.buckets.policy, { bindOnly: true }).active();
    expect(active?.rev).toMatch(/^[0-9a-f]{12}$/);
    const env = { ...process.env, NATS_URL: sb.url, HANDRAIL_PREFIX: sb.prefix, HANDRAIL_CREDENTIALS_DIR: sb.credentials, LOG_LEVEL: 'silent' };
    const cli = (e: NodeJS.ProcessEnv) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'libs/cli/src/main.ts'), 'policy', 'show', '--json'], { cwd: repoRoot, env: e, timeout: 60_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }),
        );
      });
    const asOperator = await cli(env);
    expect(asOperator.code, asOperator.out).toBe(0);
    expect(asOperator.out).toContain(active?.rev ?? '?');
    const { HANDRAIL_CREDENTIALS_DIR: _c, ...anonymous } = env;
    expect((await cli(anonymous)).code).not.toBe(0);
  }, 120_000);

  it('unreviewed policy — a pointer to a rejected revision is refused by every service; the last good revision stays', async () => {
    const admin = await sb.connectAs('policy-admin');
    // What policy-admin writes is signed with its key (issue 15); the raw put below is not.
    const store = new PolicyStore(admin.nc, tb.topo.buckets.policy, { bindOnly: true, signer: recordSigner(loadIdentity(sb.credentials, 'policy-admin')) });
    const demo = await loadPolicyFile(demoPaths.policy);
    const good = await store.propose({ ...demo, sampling: { ...demo.sampling, default_rate: 0.5 } }, { by: 'ann' });
    await store.approve(good, { by: 'bob' });
    await eventually(async () => {
      const list = await signedBy(tb.topo.streams.events, tb.topo.subjects.eventsOfType('concluded'));
      return list.length > 0 ? true : undefined;
    });
    const bad = await store.propose({ ...demo, sampling: { ...demo.sampling, default_rate: 0 } }, { by: 'mallory' });
    await store.reject(bad, { by: 'bob' });
    // A raw KV put, as in the issue: `active` → the rejected revision.
    const kv = await new Kvm(admin.js).open(tb.topo.buckets.policy);
    await kv.put('active', encodeJson({ rev: bad, by: 'mallory', via: 'approve', since: new Date().toISOString() }));
    await new Promise((r) => setTimeout(r, 1_000));
    const client = intakeClient(pipeline.grpcAddr);
    const r = await client.submit({ connector: 'grpc', externalId: 'trust-after-policy', customerId: 'c-pol', channel: 'chat', body: FAQ });
    client.close();
    const concluded = await eventually(async () => {
      const list = await signedBy(tb.topo.streams.events, tb.topo.subjects.event('concluded', r.ticketId));
      return list.find((x) => x.signer === 'escalation');
    }, 30_000);
    expect(concluded.env.revisions?.policy).toBe(good);
    expect(concluded.env.revisions?.policy).not.toBe(bad);
  });

  it('retention — a service started with other retention settings changes no stream (and a service may not)', async () => {
    const before = await tb.bus.jsm.streams.info(tb.topo.streams.events);
    const svc = await startService(qaSamplerService({ NATS_URL: sb.url, HANDRAIL_PREFIX: sb.prefix, LOG_LEVEL: 'silent', EVENTS_MAX_AGE_DAYS: '1', DUPLICATE_WINDOW_MINUTES: '5', ...demoServiceEnv, ...env() }));
    await svc.shutdown('test done');
    const after = await tb.bus.jsm.streams.info(tb.topo.streams.events);
    expect(after.config.max_age).toBe(before.config.max_age);
    expect(after.config.duplicate_window).toBe(before.config.duplicate_window);
  });

  it('topology — a service refuses to start on a prefix that was not provisioned', async () => {
    await expect(startService(qaSamplerService({ NATS_URL: sb.url, HANDRAIL_PREFIX: 'unprovisioned', LOG_LEVEL: 'silent', ...demoServiceEnv, ...env() }))).rejects.toThrow(/not provisioned|does not exist|permission/i);
  });
});

export type { EventType };
