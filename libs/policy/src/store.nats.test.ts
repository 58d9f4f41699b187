import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from './parse.js';
import { policyRevisionId } from './revision.js';
import type { PolicyPack } from './schema.js';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { Kvm } from '@nats-io/kv';
import { PolicyStore, type ActiveRevision, type RecordSigner, type RecordVerifier } from './store.js';

const NATS_URL = 'nats://127.0.0.1:4222';

/** The real server, or a skip with the reason printed: unit runs on a laptop need not have it. */
async function natsAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port: 4222 });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

const available = await natsAnswers();
if (!available) console.warn(`policy store — skipped: no NATS server answers at ${NATS_URL} (make test starts one)`);

const demo = parsePolicy(readFileSync(fileURLToPath(new URL('../../demo/policy/demo-pack.yaml', import.meta.url)), 'utf8'), 'demo');
const variant = (f: (p: PolicyPack) => void): PolicyPack => {
  const p = JSON.parse(JSON.stringify(demo)) as PolicyPack;
  f(p);
  return p;
};

describe.skipIf(!available)('policy store (NATS KV)', () => {
  let nc: NatsConnection;
  let store: PolicyStore;
  let clock = Date.parse('2026-03-01T09:00:00Z');

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL });
    const bucket = `policy_test_${process.pid}_${Date.now()}`;
    store = new PolicyStore(nc, bucket, { now: () => new Date((clock += 1000)) });
  });

  afterAll(async () => {
    await store?.destroy();
    await nc?.drain();
  });

  it('policy store — propose, self-approval refused, second person approves, watchers see it, rollback restores', async () => {
    expect(await store.active()).toBeUndefined();
    const seen: ActiveRevision[] = [];
    const stop = await store.watchActive((a) => seen.push(a));

    const r1 = await store.propose(demo, { by: 'alice', note: 'initial pack' });
    expect(r1).toBe(policyRevisionId(demo));
    expect((await store.get(r1))?.status).toBe('proposed');
    // Proposing the same content again is idempotent.
    expect(await store.propose(demo, { by: 'alice' })).toBe(r1);

    await expect(store.approve(r1, { by: 'alice' })).rejects.toThrow(/self-approval/);
    await expect(store.approve(r1, { by: 'alice' })).rejects.toMatchObject({ code: 'permission_denied' });
    // The subject is the identity: another display name on the same subject is still the proposer.
    await expect(store.approve(r1, { by: 'alice', name: 'Bob Builder' })).rejects.toThrow(/self-approval/);
    const approved = await store.approve(r1, { by: 'bob' });
    expect(approved).toMatchObject({ status: 'approved', decidedBy: 'bob', proposedBy: 'alice' });
    expect((await store.active())?.rev).toBe(r1);

    const tighter = variant((p) => {
      p.refund_limits.by_tier['vip'] = 200;
    });
    const r2 = await store.propose(tighter, { by: 'bob', note: 'lower vip limit' });
    expect(r2).not.toBe(r1);
    await store.approve(r2, { by: 'carol' });
    expect((await store.active())?.pack.refund_limits.by_tier['vip']).toBe(200);

    const rolled = await store.rollback(r1, { by: 'dave', note: 'vip complaints' });
    expect(rolled.active).toMatchObject({ rev: r1, by: 'dave', via: 'rollback' });
    expect((await store.active())?.rev).toBe(r1);
    await expect(store.rollback(r1, { by: 'dave' })).rejects.toThrow(/already active/);

    // Watch delivers each activation in order.
    await new Promise((r) => setTimeout(r, 300));
    await stop();
    expect(seen.map((s) => s.rev)).toEqual([r1, r2, r1]);

    const history = await store.history();
    expect(history.map((h) => [h.action, h.by, h.from, h.to])).toEqual([
      ['propose', 'alice', null, null],
      ['approve', 'bob', null, r1],
      ['propose', 'bob', r1, r1],
      ['approve', 'carol', r1, r2],
      ['rollback', 'dave', r2, r1],
    ]);
    expect(history[4]?.note).toBe('vip complaints');
    expect(history.every((h) => !Number.isNaN(Date.parse(h.at)))).toBe(true);
  });

  it('policy store — reject, and refusals for unknown, rejected and unapproved revisions', async () => {
    const r3 = await store.propose(variant((p) => (p.sampling.default_rate = 0.15)), { by: 'erin' });
    await expect(store.rollback(r3, { by: 'erin' })).rejects.toMatchObject({ code: 'failed_precondition' });
    const rejected = await store.reject(r3, { by: 'frank', note: 'not now' });
    expect(rejected.status).toBe('rejected');
    await expect(store.approve(r3, { by: 'frank' })).rejects.toThrow(/rejected/);
    await expect(store.approve('ffffffffffff', { by: 'frank' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.approve('../etc', { by: 'frank' })).rejects.toMatchObject({ code: 'not_found' });
    // A rejected pack may be proposed again, and goes back into review.
    expect(await store.propose(rejected.pack, { by: 'erin', note: 'again' })).toBe(r3);
    expect((await store.get(r3))?.status).toBe('proposed');
    expect((await store.list()).length).toBe(3);
  });

  it('policy store — an invalid or human-only-weakening pack cannot even be proposed', async () => {
    const weakened = variant((p) => {
      p.areas.privacy.ai_action = 'resolve';
    });
    await expect(store.propose(weakened, { by: 'mallory' })).rejects.toThrow(/human-only area privacy/);
  });

  it('policy store — shadow mode: only a proposal, audited on and off, watched, and ended when the proposal is decided (issue 15)', async () => {
    const seen: Array<string | undefined> = [];
    const stop = await store.watchShadow((x) => seen.push(x?.rev));
    expect(await store.shadow()).toBeUndefined();
    const active = (await store.active())?.rev ?? '';
    await expect(store.startShadow(active, '', { by: 'gina' })).rejects.toThrow(/is approved; only a proposed revision can be shadowed/);
    const cand = await store.propose(variant((p) => (p.sampling.default_rate = 0.2)), { by: 'gina' });
    await expect(store.startShadow(cand, 'bad kb!', { by: 'gina' })).rejects.toMatchObject({ code: 'invalid_argument' });
    const on = await store.startShadow(cand, 'kb123', { by: 'gina', name: 'Gina', note: 'one week' });
    expect(on).toMatchObject({ rev: cand, kb: 'kb123', by: 'gina', name: 'Gina', note: 'one week' });
    expect(await store.shadow()).toEqual(on);
    expect(await store.stopShadow({ by: 'hal' })).toMatchObject({ rev: cand });
    expect(await store.stopShadow({ by: 'hal' })).toBeUndefined();
    // Approving (or rejecting) the shadowed proposal ends shadow mode: it is live, or it never will be.
    await store.startShadow(cand, '', { by: 'gina' });
    await store.approve(cand, { by: 'hal' });
    expect(await store.shadow()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    await stop();
    expect(seen).toEqual([undefined, cand, undefined, cand, undefined]);
    const h = (await store.history()).filter((x) => x.action.startsWith('shadow_'));
    expect(h.map((x) => [x.action, x.by, x.rev, x.note])).toEqual([
      ['shadow_on', 'gina', cand, 'KB kb123; one week'],
      ['shadow_off', 'hal', cand, ''],
      ['shadow_on', 'gina', cand, ''],
      ['shadow_off', 'hal', cand, 'the proposal was approved'],
    ]);
  });

  it('policy store — signed records: services apply a revision only when its record, the pointer and the approval\'s audit record carry a policy writer\'s signature over exactly that content (issue 15)', async () => {
    const keys = { console: generateKeyPairSync('ed25519'), classifier: generateKeyPairSync('ed25519') };
    const signer = (id: keyof typeof keys): RecordSigner => ({ identity: id, sign: (b) => sign(null, b, keys[id].privateKey).toString('base64') });
    const verifier: RecordVerifier = { writers: ['console'], verify: (id, b, sig) => id in keys && verify(null, b, keys[id as keyof typeof keys].publicKey, Buffer.from(sig, 'base64')) };
    const bucket = `policy_signed_${process.pid}_${Date.now()}`;
    const signed = new PolicyStore(nc, bucket, { signer: signer('console'), verifier, now: () => new Date((clock += 1000)) });
    const reader = new PolicyStore(nc, bucket, { bindOnly: true, verifier });
    try {
      const pack = variant((p) => (p.sampling.default_rate = 0.3));
      const rev = await signed.propose(pack, { by: 'u-pat' });
      await signed.approve(rev, { by: 'u-pia' });
      const active = await reader.active();
      expect(active?.signature?.by).toBe('console');
      expect(await reader.integrityProblem(active as ActiveRevision)).toBeUndefined();

      // Each record as someone with bucket access could rewrite it: altered, unsigned, or signed by a non-writer.
      const kv = await new Kvm(nc).open(bucket);
      const raw = (await kv.get(`rev.${rev}`))?.json<Record<string, unknown>>() ?? {};
      await kv.put(`rev.${rev}`, JSON.stringify({ ...raw, decidedBy: 'u-mallory' }));
      await kv.put('active', JSON.stringify({ ...(await kv.get('active'))?.json<Record<string, unknown>>(), by: 'u-mallory' }));
      expect(await reader.integrityProblem((await reader.active()) as ActiveRevision)).toMatch(/signature by console does not verify|no audit record/);
      await kv.put(`rev.${rev}`, JSON.stringify(raw));
      const pointer = (await kv.get('active'))?.json<Record<string, unknown>>() ?? {};
      await kv.put('active', JSON.stringify({ ...pointer, by: 'u-pia', since: '2020-01-01T00:00:00.000Z' }));
      expect(await reader.integrityProblem((await reader.active()) as ActiveRevision)).toMatch(/pointer record's signature by console does not verify/);

      const { signature: _s, ...unsigned } = raw;
      await kv.put(`rev.${rev}`, JSON.stringify(unsigned));
      expect(await reader.integrityProblem((await reader.active()) as ActiveRevision)).toMatch(/revision record is unsigned/);

      // A service identity (read-only on the bucket) signing: its signature does not count.
      const forger = new PolicyStore(nc, bucket, { signer: signer('classifier'), now: () => new Date((clock += 1000)) });
      const rev2 = await forger.propose(variant((p) => (p.sampling.default_rate = 0.4)), { by: 'u-pat' });
      await forger.approve(rev2, { by: 'u-pia' });
      expect(await reader.integrityProblem((await reader.active()) as ActiveRevision)).toMatch(/signed by classifier, who may not write policy/);
      // Without a verifier (an unsigned deployment) the same records pass the other checks: the signature is what refused them.
      expect(await new PolicyStore(nc, bucket, { bindOnly: true }).integrityProblem((await reader.active()) as ActiveRevision)).toBeUndefined();
    } finally {
      await signed.destroy();
    }
  });
});
