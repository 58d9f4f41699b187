import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundMessage, Route, HumanDecision } from '@handrail/contracts';
import { cutCheckpoint, readAuditInput, verifyAudit, type AuditMessage } from '@handrail/audit';
import { encodeJson, openBucket, readStream } from '@handrail/bus';
import { demoServiceEnv } from '@handrail/demo';
import { encodeEvent, decodeEvent, ticketIdFor } from '@handrail/events';
import { freePort, repoRoot, startCluster, type Cluster } from '@handrail/launcher';
import { startDevIssuer, type DevIssuer } from '@handrail/identity/dev';
import { AUDIENCE } from '../support/console.js';
import { openTrust, startService, type RunningService, type Trust } from '@handrail/runtime';
import { consoleService } from '@handrail/svc-console';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { loadIdentity } from '@handrail/trust';
import { conclusions } from '../support/pipeline.js';
import { startSecureBus, type SecureBus } from '../support/secure.js';

const VICTIM = { id: 'c-victim', email: 'victim.person@example.org', phone: '+1 202 555 0147', phrase: 'zebra-violet-7731' };
const OTHER = { id: 'c-other', email: 'other.person@example.net', phrase: 'mango-quartz-4410' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=@handrail/source', '--import', 'tsx', path.join(repoRoot, 'libs/cli/src/main.ts'), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Every file under `dir` whose bytes contain any of `needles`. */
function filesContaining(dir: string, needles: string[]): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const bytes = fs.readFileSync(p);
        for (const n of needles) if (bytes.includes(Buffer.from(n))) hits.push(`${path.relative(dir, p)}: ${n}`);
      }
    }
  };
  walk(dir);
  return hits;
}

describe('erasure by crypto-shredding and the tamper-evident audit trail (issue 11)', () => {
  let sb: SecureBus;
  let tb: TestBus;
  let cluster: Cluster;
  let consoleSvc: RunningService;
  let iss: DevIssuer;
  let consolePort = 0;
  let operator: Trust;
  let env: Record<string, string>;
  const logDir = () => path.join(repoRoot, '.tmp', 'test-logs', sb.prefix);
  const ids = { victimFaq: ticketIdFor('grpc', 'er-1'), victimRefund: ticketIdFor('grpc', 'er-2'), other: ticketIdFor('grpc', 'er-3') };

  beforeAll(async () => {
    sb = await startSecureBus('erase');
    tb = await openTestBus(sb.url, 'erase', {}, { prefix: sb.prefix, nkeySeed: loadIdentity(sb.credentials, 'provisioner').natsSeed });
    const customers = await openBucket(tb.bus, tb.topo.buckets.customers);
    await customers.put(VICTIM.id, encodeJson({ tier: 'standard', accountValue: 100 }));
    await customers.put(OTHER.id, encodeJson({ tier: 'standard', accountValue: 100 }));
    env = { NATS_URL: sb.url, HANDRAIL_PREFIX: sb.prefix, HANDRAIL_CREDENTIALS_DIR: sb.credentials };
    cluster = await startCluster({ natsUrl: sb.url, prefix: sb.prefix, logDir: logDir(), grpcPort: await freePort(), env: { LOG_LEVEL: 'debug', ...demoServiceEnv, ...env } });
    iss = await startDevIssuer({ audience: AUDIENCE });
    consoleSvc = await startService(consoleService({ ...env, LOG_LEVEL: 'silent', ...demoServiceEnv, AUTH_ISSUER: iss.url, AUTH_AUDIENCE: AUDIENCE, AUTH_CLIENT_ID: AUDIENCE, CONSOLE_PORT: '0', AUDIT_CHECKPOINT_INTERVAL_MS: '0' }, { onListening: (p) => (consolePort = p) }));
    const connector = await sb.connectAs('connector');
    const send = (m: Partial<InboundMessage>) => connector.js.publish(tb.topo.subjects.inbound('grpc'), JSON.stringify(InboundMessage.toJSON(InboundMessage.fromPartial(m))), { msgID: `grpc:${m.externalId}` });
    await send({ connector: 'grpc', externalId: 'er-1', customerId: VICTIM.id, channel: 'email', subject: `About ${VICTIM.phrase}`, body: `How long does standard shipping take? Reach me at ${VICTIM.email} or ${VICTIM.phone}. Ref ${VICTIM.phrase}.`, metadata: { email: VICTIM.email } });
    await send({ connector: 'grpc', externalId: 'er-2', customerId: VICTIM.id, channel: 'email', body: `I returned the blender two weeks ago and still haven't seen my refund of $30. ${VICTIM.email} ${VICTIM.phrase}` });
    await send({ connector: 'grpc', externalId: 'er-3', customerId: OTHER.id, channel: 'email', body: `How long does standard shipping take? ${OTHER.email} ${OTHER.phrase}` });
    // A clear-text copy in the dead-letter stream: an invalid message of the victim (bad channel).
    await send({ connector: 'grpc', externalId: 'er-4', customerId: VICTIM.id, channel: 'pigeon', body: `${VICTIM.email} ${VICTIM.phrase}` });
    await eventually(async () => {
      const c = await conclusions(tb.bus, tb.topo);
      return Object.values(ids).every((id) => c.has(id)) ? c : undefined;
    }, 90_000);
    await eventually(async () => ((await readStream(tb.bus, tb.topo.streams.deadLetter, tb.topo.subjects.allDeadLetters(), { idleMs: 300 })).length ? true : undefined));
    const opBus = await sb.connectAs('operator');
    operator = await openTrust(opBus, tb.topo, { config: { HANDRAIL_CREDENTIALS_DIR: sb.credentials }, identity: 'operator' });
  }, 180_000);

  afterAll(async () => {
    await operator?.close();
    await consoleSvc?.shutdown('test done');
    await iss?.close();
    await cluster?.stop();
    await tb?.cleanup();
    await sb?.stop();
  });

  it('before erasure — the customer\'s text is nowhere in clear in the events stream, only in the inbound/DLQ copies', async () => {
    const events = await readStream(tb.bus, tb.topo.streams.events, tb.topo.subjects.allEvents(), { idleMs: 300 });
    for (const m of events) expect(Buffer.from(m.data).includes(Buffer.from(VICTIM.email)), m.subject).toBe(false);
    // The store check below can fail: the clear-text inbound and dead-letter copies are on disk now.
    await eventually(async () => (filesContaining(sb.nats.storeDir, [VICTIM.email]).length > 0 ? true : undefined), 10_000);
    const r = await fetch(`http://127.0.0.1:${consolePort}/api/tickets/${ids.victimFaq}`, { headers: { authorization: `Bearer ${await iss.mint('ana')}` } });
    expect(((await r.json()) as { ticket: { body: string } }).ticket.body).toContain(VICTIM.phrase);
  });

  it('privacy erase — no plaintext of the customer in the JetStream store, KV, logs or console; others intact; audit verify ok', async () => {
    const cp = await cli(['audit', 'checkpoint'], env);
    expect(cp.stderr + cp.stdout).toMatch(/checkpoint over events 1-/);
    // The person erasing is the verified subject of a token whose roles hold privacy.erase (a supervisor in the demo pack).
    const tokenFile = path.join(logDir(), 'sam.token');
    fs.mkdirSync(logDir(), { recursive: true });
    fs.writeFileSync(tokenFile, await iss.mint('sam'));
    const erase = await cli(['privacy', 'erase', '--customer', VICTIM.id, '--reason', 'GDPR art. 17 request #42', '--token-file', tokenFile], { ...env, ...demoServiceEnv, AUTH_ISSUER: iss.url, AUTH_AUDIENCE: AUDIENCE });
    expect(erase.stderr).toBe('');
    expect(erase.code).toBe(0);
    expect(erase.stdout).toMatch(/erased c-victim: [1-9]\d* data keys destroyed/);

    // The console shows [erased]; the other customer is intact.
    await eventually(async () => {
      const r = await fetch(`http://127.0.0.1:${consolePort}/api/tickets/${ids.victimFaq}`, { headers: { authorization: `Bearer ${await iss.mint('ana')}` } });
      const t = ((await r.json()) as { ticket: { body: string } }).ticket;
      return t.body === '[erased]' ? true : undefined;
    }, 10_000);
    const page = await (await fetch(`http://127.0.0.1:${consolePort}/api/tickets/${ids.victimRefund}`, { headers: { authorization: `Bearer ${await iss.mint('ana')}` } })).text();
    for (const s of [VICTIM.email, VICTIM.phrase, VICTIM.phone]) expect(page).not.toContain(s);
    const other = await (await fetch(`http://127.0.0.1:${consolePort}/api/tickets/${ids.other}`, { headers: { authorization: `Bearer ${await iss.mint('ana')}` } })).text();
    expect(other).toContain(OTHER.phrase);

    // Replays (CLI) show [erased] for the victim, the text for the other customer.
    const replay = await cli(['replay', '--ticket', ids.victimFaq], env);
    expect(replay.stdout).toContain('[erased]');
    for (const s of [VICTIM.email, VICTIM.phrase]) expect(replay.stdout).not.toContain(s);
    expect((await cli(['replay', '--ticket', ids.other], env)).stdout).toContain(OTHER.phrase);

    // KV: the victim's entries are gone.
    const customers = await openBucket(tb.bus, tb.topo.buckets.customers);
    expect((await customers.get(VICTIM.id))?.operation ?? 'none').not.toBe('PUT');
    expect((await customers.get(OTHER.id))?.operation).toBe('PUT');

    // Logs of every service process, and every byte of the JetStream store directory.
    const needles = [VICTIM.email, VICTIM.phrase, VICTIM.phone];
    expect(filesContaining(logDir(), needles)).toEqual([]);
    // The server flushes writes to its block files; give it a moment, then read what is on disk.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(filesContaining(sb.nats.storeDir, needles)).toEqual([]);

    // The audit trail still verifies, the erasure is on it, signed.
    const verify = await cli(['audit', 'verify'], env);
    expect(verify.stdout).toMatch(/^ok: \d+ events checked against 1 checkpoints/);
    expect(verify.code).toBe(0);
    const erasures = await readStream(tb.bus, tb.topo.streams.audit, tb.topo.subjects.audit('erasure'), { idleMs: 300 });
    expect(erasures).toHaveLength(1);
    expect(erasures[0]!.headers['Handrail-Signer']).toBe('privacy');
    expect(JSON.parse(new TextDecoder().decode(erasures[0]!.data))).toMatchObject({ customerId: VICTIM.id, by: 'u-sam', reason: 'GDPR art. 17 request #42' });
  }, 240_000);

  it('audit verify — detects a modified, a deleted and an inserted event in a tampered copy, and names them', async () => {
    await cutCheckpoint(tb.bus, tb.topo, operator.verifier, (body, msgId, expect) => operator.publishAudit('checkpoint', body, msgId, expect));
    const { events, checkpoints } = await readAuditInput(tb.bus, tb.topo);
    const clean = verifyAudit(events, checkpoints, operator.verifier);
    expect(clean.problems.filter((p) => p.kind !== 'unauthenticated')).toEqual([]);
    expect(clean.ok).toBe(true);
    const copy: AuditMessage[] = events.map((m) => ({ ...m, data: new Uint8Array(m.data), headers: { ...m.headers } }));
    const idOf = (m: AuditMessage) => decodeEvent(m.data).eventId;

    // Modified: a conclusion's route flipped in place (re-encoded, the signature left as it was).
    const concludedAt = copy.findIndex((m) => m.subject.includes('.evt.concluded.') && m.subject.endsWith(ids.other));
    const modified = copy[concludedAt]!;
    const env0 = decodeEvent(modified.data);
    if (env0.payload?.$case === 'concluded') env0.payload.value.queue = 'attacker-queue';
    copy[concludedAt] = { ...modified, data: encodeEvent(env0) };
    // Deleted: the victim's classification (a link in the middle of its chain).
    const deletedAt = copy.findIndex((m) => m.subject.includes('.evt.classified.') && m.subject.endsWith(ids.victimRefund));
    const deletedId = idOf(copy[deletedAt]!);
    copy.splice(deletedAt, 1);
    // Inserted: a forged human decision dropped into the middle of the stream.
    const someone = copy[3]!;
    const forgedEnv = { ...decodeEvent(someone.data), eventId: `${ids.other}.human_decided`, type: 'human_decided', payload: { $case: 'humanDecision' as const, value: HumanDecision.fromPartial({ ticketId: ids.other, actor: 'mallory', action: 'resolve', finalText: '', note: '', previousRoute: Route.ROUTE_UNSPECIFIED }) } };
    copy.splice(5, 0, { seq: 999_999, subject: `${sb.prefix}.evt.human_decided.${ids.other}`, data: encodeEvent(forgedEnv), headers: { 'Handrail-Signer': 'console', 'Handrail-Sig': 'AAAA' } });

    const r = verifyAudit(copy, checkpoints, operator.verifier);
    expect(r.ok).toBe(false);
    const by = (kind: string) => r.problems.filter((p) => p.kind === kind).map((p) => p.eventId);
    expect(by('modified')).toContain(idOf(modified));
    expect(by('deleted')).toContain(deletedId);
    expect(by('inserted')).toContain(`${ids.other}.human_decided`);

    // --ticket narrows the report to one ticket's chain.
    const one = verifyAudit(copy, checkpoints, operator.verifier, { ticket: ids.victimRefund });
    expect(one.problems.map((p) => p.kind)).toEqual(['deleted']);
    // --since after everything: nothing in scope, nothing to report.
    expect(verifyAudit(copy, checkpoints, operator.verifier, { since: '2999-01-01T00:00:00.000Z' }).problems).toEqual([]);
  });
});
