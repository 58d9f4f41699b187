import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IDENTITIES, topology } from '@handrail/events';
import { generateCredentials, loadIdentity, loadTrust } from './credentials.js';
import { permissionsFor } from './permissions.js';
import { HELM_ACCOUNT, renderHelmAccounts, renderServerConfig } from './server-config.js';
import { keyedMsgId, signMessage, Verifier } from './signing.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-test-'));
const bundle = generateCredentials(dir);
const verifier = new Verifier(loadTrust(dir));
const subject = 'p.evt.concluded.t-1';
const data = new TextEncoder().encode('{"x":1}');

function headersOf(s: { msgId: string; headers: Record<string, string> }) {
  return (n: string) => (n === 'Nats-Msg-Id' ? s.msgId : s.headers[n]);
}

describe('trust', () => {
  it('signing — a producer\'s signature verifies; other bytes, subject, signer or producer do not (issue 11)', () => {
    const esc = loadIdentity(dir, 'escalation');
    const s = signMessage(esc, subject, data, keyedMsgId(esc, 't-1.concluded'));
    expect(verifier.verifyEvent(subject, data, headersOf(s), { type: 'concluded', producer: { service: 'escalation' } })).toEqual({ ok: true, signer: 'escalation' });
    expect(verifier.verifyEvent(subject, new TextEncoder().encode('{"x":2}'), headersOf(s), { type: 'concluded', producer: { service: 'escalation' } }).ok).toBe(false);
    expect(verifier.verifyEvent('p.evt.concluded.t-2', data, headersOf(s), { type: 'concluded', producer: { service: 'escalation' } }).ok).toBe(false);
    expect(verifier.verifyEvent(subject, data, headersOf(s), { type: 'human_decided', producer: { service: 'escalation' } })).toMatchObject({ ok: false, reason: 'escalation may not produce human_decided events' });
    expect(verifier.verifyEvent(subject, data, headersOf(s), { type: 'concluded', producer: { service: 'intake' } }).ok).toBe(false);
    const qa = loadIdentity(dir, 'qa-sampler');
    const forged = signMessage(qa, subject, data, 'x');
    expect(verifier.verifyEvent(subject, data, headersOf(forged), { type: 'concluded', producer: { service: 'qa-sampler' } })).toMatchObject({ ok: false, reason: 'qa-sampler may not produce concluded events' });
  });

  it('keyed message ids — deterministic per identity, unguessable from the event id', () => {
    const esc = loadIdentity(dir, 'escalation');
    expect(keyedMsgId(esc, 't-1.concluded')).toBe(keyedMsgId(loadIdentity(dir, 'escalation'), 't-1.concluded'));
    expect(keyedMsgId(esc, 't-1.concluded')).not.toBe(keyedMsgId(loadIdentity(dir, 'console'), 't-1.concluded'));
    expect(keyedMsgId(esc, 't-1.concluded')).toMatch(/^t-1\.concluded~[A-Za-z0-9_-]{22}$/);
  });

  it('permissions — each service publishes only its own event types; nobody but the provisioner manages streams', () => {
    const t = topology('p');
    const qa = permissionsFor('qa-sampler', t);
    expect(qa.publish.allow).toContain('p.evt.qa_sampled.*');
    expect(qa.publish.allow).not.toContain('p.evt.concluded.*');
    expect(qa.publish.deny).toContain('$JS.API.STREAM.UPDATE.>');
    expect(qa.publish.deny).toContain('$JS.API.CONSUMER.MSG.NEXT.P_EVENTS.escalation-conclude');
    expect(permissionsFor('escalation', t).publish.allow).toEqual(expect.arrayContaining(['p.evt.concluded.*', 'p.outbound.*', '$JS.ACK.P_EVENTS.escalation-conclude.>']));
    expect(permissionsFor('classifier', t).publish.allow).not.toContain('$KV.P_policy.>');
    expect(permissionsFor('policy-admin', t).publish.allow).toContain('$KV.P_policy.>');
  });

  it('permissions — each identity subscribes to its own inbox only, never the shared _INBOX.> (issue 15)', () => {
    const t = topology('p');
    for (const id of ['intake', 'qa-sampler', 'console', 'connector', 'operator'] as const) {
      const sub = permissionsFor(id, t).subscribe.allow;
      expect(sub).toContain(`_INBOX.${id}.>`);
      expect(sub.filter((s) => s.startsWith('_INBOX') && s !== `_INBOX.${id}.>`)).toEqual([]);
    }
  });

  it('permissions — the shadow service publishes only on the shadow subjects, never a decision subject or outbound; nobody else publishes there (issue 15)', () => {
    const t = topology('p');
    const shadow = permissionsFor('shadow', t).publish.allow;
    expect(shadow).toContain('p.shadow.*');
    expect(shadow.filter((s) => s.startsWith('p.evt.') || s.startsWith('p.outbound.') || s.startsWith('p.inbound.'))).toEqual([]);
    expect(shadow).not.toContain('$KV.P_policy.>');
    expect(shadow).not.toContain('$KV.P_contacts.>');
    for (const id of IDENTITIES.filter((i) => i !== 'shadow' && i !== 'provisioner')) expect(permissionsFor(id, t).publish.allow, id).not.toContain('p.shadow.*');
  });

  it('helm accounts — the same users and permissions as the server config, in one account, public keys only (issue 16)', () => {
    const values = renderHelmAccounts({ prefixes: ['p'], bundle });
    const account = (values.config.merge['accounts'] as Record<string, { jetstream: string; users: Array<{ nkey: string; permissions: { publish: { allow: string[] } } }> }>)[HELM_ACCOUNT];
    expect(account?.jetstream).toBe('enabled');
    expect(account?.users).toHaveLength(IDENTITIES.length);
    expect(account?.users.every((u) => /^U[A-Z2-7]+$/.test(u.nkey))).toBe(true);
    expect(JSON.stringify(values)).not.toMatch(/SU[A-Z2-7]{50}/);
    const drafting = account?.users.find((u) => u.nkey === bundle.identities.drafting?.nats);
    expect(drafting?.permissions.publish.allow).toEqual(expect.arrayContaining(['$JS.ACK.P_EVENTS.drafting.>', '$JS.ACK.*.*.P_EVENTS.drafting.>']));
    expect(drafting?.permissions.publish.allow).toEqual(permissionsFor('drafting', topology('p')).publish.allow);
  });

  it('server config — one nkey user per identity, public keys only', () => {
    const conf = renderServerConfig({ port: 4333, storeDir: '/tmp/x', prefixes: ['p'], bundle });
    expect(conf.match(/nkey: "U[A-Z2-7]+"/g)).toHaveLength(IDENTITIES.length);
    expect(conf).not.toMatch(/SU[A-Z2-7]{50}/);
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'trust.json')) {
      const seed = (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { natsSeed: string }).natsSeed;
      expect(conf).not.toContain(seed);
      expect(fs.statSync(path.join(dir, f)).mode & 0o077).toBe(0);
    }
  });
});
