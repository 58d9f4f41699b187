import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeError, type ErrorCode } from '@handrail/errors';
import { runPolicyCommand, storeWriter, type PolicyCommandContext } from './commands.js';
import { loadPolicyFile } from './parse.js';
import { PolicyStore } from './store.js';

const demoFile = fileURLToPath(new URL('../../demo/policy/demo-pack.yaml', import.meta.url));
const demoText = readFileSync(demoFile, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'policy-cli-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** Runs a command; a refusal is reported as its taxonomy code, its message appended to stderr as the CLI prints it. */
async function run(argv: string[], ctx: Partial<PolicyCommandContext> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let failure: ErrorCode | undefined;
  try {
    await runPolicyCommand(argv, { natsUrl: undefined, bucket: undefined, ...ctx, out: (l) => out.push(l), err: (l) => err.push(l) });
  } catch (e) {
    const n = normalizeError(e);
    failure = n.code;
    err.push(n.message);
  }
  return { failure, out: out.join('\n'), err: err.join('\n') };
}

describe('policy commands without a store', () => {
  it('policy commands — validate accepts the demo pack', async () => {
    const r = await run(['validate', demoFile]);
    expect(r.failure).toBeUndefined();
    expect(r.out).toMatch(/valid, revision [0-9a-f]{12}/);
  });

  it('policy commands — validate refuses a weakened pack with file:line:field as invalid_argument', async () => {
    const bad = write('bad.yaml', demoText.replace('ai_action: none\n    human_responsibilities:\n      - Respond within one hour', 'ai_action: resolve\n    human_responsibilities:\n      - Respond within one hour'));
    const r = await run(['validate', bad]);
    expect(r.failure).toBe('invalid_argument');
    expect(r.err).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ error areas\\.safety\\.ai_action: human-only area safety`));
  });

  it('policy commands — shadow: usage mistakes are refused naming what is wrong, before anything is asked of a store (issue 15)', async () => {
    const off = await run(['shadow', 'abcdefabcdef', '--off']);
    expect(off.failure).toBe('invalid_argument');
    expect(off.err).toContain('policy shadow --off takes no revision');
    const kb = await run(['shadow', '--kb', 'k1']);
    expect(kb.failure).toBe('invalid_argument');
    expect(kb.err).toContain('policy shadow --kb needs a revision');
    const two = await run(['shadow', 'abcdefabcdef', 'bbbbbbbbbbbb']);
    expect(two.failure).toBe('invalid_argument');
    const noWriter = await run(['shadow', 'abcdefabcdef']);
    expect(noWriter.failure).toBe('failed_precondition');
    expect(noWriter.err).toMatch(/verified identity/);
  });

  it('policy commands — diff of two files prints changed paths', async () => {
    const b = write('b.yaml', demoText.replace('    plus: 150', '    plus: 175'));
    const r = await run(['diff', demoFile, b]);
    expect(r.failure).toBeUndefined();
    expect(r.out).toContain('~ refund_limits.by_tier.plus: 150 → 175');
  });

  it('policy commands — docs from a file print Markdown without a store', async () => {
    const r = await run(['docs', '--file', demoFile]);
    expect(r.failure).toBeUndefined();
    expect(r.out).toContain('## Responsibility split');
    expect(r.err).toMatch(/no change log/);
  });

  it('policy commands — usage mistakes are invalid_argument and say why', async () => {
    expect((await run([])).failure).toBe('invalid_argument');
    const r = await run(['frobnicate']);
    expect(r.failure).toBe('invalid_argument');
    expect(r.err).toContain('unknown policy command "frobnicate"');
    expect((await run(['propose', demoFile])).err).toMatch(/verified identity/);
    // There is no way to name yourself: --as is refused outright.
    const as = await run(['approve', 'abc', '--as', 'bob']);
    expect(as.failure).toBe('invalid_argument');
    expect(as.err).toMatch(/--as is gone/);
  });
});

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
if (!available) console.warn('policy commands — store tests skipped: no NATS server answers at nats://127.0.0.1:4222');

describe.skipIf(!available)('policy commands with the store (NATS KV)', () => {
  let nc: NatsConnection;
  let store: PolicyStore;
  const ctx = (): Partial<PolicyCommandContext> => ({ openStore: async () => ({ store, close: async () => undefined }) });
  /** As a verified identity: in the CLI the console's API derives it from the token; here it is fixed. */
  const as = (by: string): Partial<PolicyCommandContext> => ({ ...ctx(), writer: () => storeWriter(store, { by }) });

  beforeAll(async () => {
    nc = await connect({ servers: 'nats://127.0.0.1:4222' });
    store = new PolicyStore(nc, `policy_cli_test_${process.pid}_${Date.now()}`);
  });
  afterAll(async () => {
    await store?.destroy();
    await nc?.drain();
  });

  it('policy commands — propose, self-approval refused (permission_denied), approve, rollback, history, docs', async () => {
    const p1 = await run(['propose', demoFile, '--note', 'first'], as('alice'));
    expect(p1.failure).toBeUndefined();
    const rev1 = /revision ([0-9a-f]{12})/.exec(p1.out)?.[1] ?? '';
    const self = await run(['approve', rev1], as('alice'));
    expect(self.failure).toBe('permission_denied');
    expect(self.err).toMatch(/self-approval/);
    expect((await run(['approve', rev1], as('bob'))).out).toContain(`active revision none → ${rev1}`);

    const v2 = write('v2.yaml', demoText.replace('    vip: 300', '    vip: 250'));
    const p2 = await run(['propose', v2], as('bob'));
    expect(p2.out).toContain('~ refund_limits.by_tier.vip: 300 → 250');
    const rev2 = /revision ([0-9a-f]{12})/.exec(p2.out)?.[1] ?? '';
    expect((await run(['diff', rev2], ctx())).out).toContain('~ refund_limits.by_tier.vip: 300 → 250');
    expect((await run(['approve', rev2], as('carol'))).failure).toBeUndefined();
    expect((await run(['rollback', rev1, '--note', 'too strict'], as('dave'))).out).toContain(`${rev2} → ${rev1}`);

    const show = await run(['show', '--json'], ctx());
    expect(JSON.parse(show.out)).toMatchObject({ rev: rev1, active: { via: 'rollback', by: 'dave' } });
    const hist = await run(['history'], ctx());
    expect(hist.out.split('\n').slice(2).map((l) => l.split(/\s+/)[2])).toEqual(['propose', 'approve', 'propose', 'approve', 'rollback']);

    const outDir = join(dir, 'docs');
    expect((await run(['docs', '--out', outDir], ctx())).failure).toBeUndefined();
    const md = readFileSync(join(outDir, 'policy.md'), 'utf8');
    expect(md).toContain(`Revision ${rev1}`);
    expect(md).toMatch(/\| dave \| rollback \| [0-9a-f]{12} \|/);
    expect(readFileSync(join(outDir, 'policy.html'), 'utf8')).toContain('<h2>Policy change log</h2>');

    const bad = write('weak.yaml', demoText.replace('    ai_action: none\n    human_responsibilities:\n      - Assess legal', '    ai_action: draft\n    human_responsibilities:\n      - Assess legal'));
    const refused = await run(['propose', bad], as('mallory'));
    expect(refused.failure).toBe('invalid_argument');
    expect(refused.err).toMatch(/human-only area legal/);
  });
});

describe.skipIf(!available)('policy docs before anything is approved (issue 9)', () => {
  let nc: NatsConnection;
  let empty: PolicyStore;
  const ctx = (over: Partial<PolicyCommandContext> = {}): Partial<PolicyCommandContext> => ({ openStore: async () => ({ store: empty, close: async () => undefined }), ...over });

  beforeAll(async () => {
    nc = await connect({ servers: 'nats://127.0.0.1:4222' });
    empty = new PolicyStore(nc, `policy_docs_test_${process.pid}_${Date.now()}`);
  });
  afterAll(async () => {
    await empty?.destroy();
    await nc?.drain();
  });

  it('policy docs — with no active revision, documents the --policy pack file like the services do, and says so (issue 9)', async () => {
    const r = await run(['docs', '--policy', demoFile], ctx());
    expect(r.failure).toBeUndefined();
    expect(r.out).toContain('## Responsibility split');
    expect(r.err).toContain(`source: pack file ${demoFile} (--policy; the policy store has no active revision)`);
  });

  it('policy docs — falls back to POLICY_FILE from the configuration when --policy is not given (issue 9)', async () => {
    const r = await run(['docs'], ctx({ policyFile: demoFile }));
    expect(r.failure).toBeUndefined();
    expect(r.out).toContain('## Responsibility split');
    expect(r.err).toContain(`source: pack file ${demoFile} (POLICY_FILE; the policy store has no active revision)`);
  });

  it('policy docs — with neither, a usage error says which to give (issue 9)', async () => {
    const r = await run(['docs'], ctx());
    expect(r.failure).toBe('invalid_argument');
    expect(r.err).toMatch(/no active policy revision.*--policy FILE.*POLICY_FILE/s);
  });

  it('policy docs — an active revision wins over the pack file, and is named as the source (issue 9)', async () => {
    const rev = await empty.propose(await loadPolicyFile(demoFile), { by: 'alice', note: '' });
    await empty.approve(rev, { by: 'bob', note: '' });
    const r = await run(['docs', '--policy', demoFile], ctx());
    expect(r.failure).toBeUndefined();
    expect(r.err).toContain(`source: active revision ${rev} in the policy store`);
  });
});
