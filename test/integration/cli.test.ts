import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoPaths } from '@handrail/demo';
import { ticketIdFor } from '@handrail/events';
import { repoRoot } from '@handrail/launcher';
import { eventually, openTestBus, testCredentials, type TestBus } from '@handrail/testing';
import { conclusions, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point as its own process, the way `pnpm handrail` / `make` do; an undefined variable is unset. */
function runTs(entry: string, args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const merged = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined));
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(repoRoot, entry), ...args], { cwd: repoRoot, env: merged, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the handrail CLI against a running pipeline', () => {
  let tb: TestBus;
  let pipeline: InProcessPipeline;
  let env: Record<string, string>;
  const handrail = (...args: string[]) => runTs('libs/cli/src/main.ts', args, env);

  beforeAll(async () => {
    tb = await openTestBus(inject('natsUrl'), 'cli');
    pipeline = await startInProcess(inject('natsUrl'), tb.topo.prefix);
    env = { NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, INTAKE_ADDR: pipeline.grpcAddr, LOG_LEVEL: 'silent', HANDRAIL_CREDENTIALS_DIR: testCredentials() };
  });
  afterAll(async () => {
    await pipeline?.stop();
    await tb?.cleanup();
  });

  it('cli — submit --via nats prints the ticket id the pipeline uses, not a random one (issue 9)', async () => {
    const r = await handrail('submit', '--via', 'nats', '--connector', 'cli-test', '--external-id', 'nats-1', '--customer', 'c-cli', 'Where is my order?');
    expect(r.code).toBe(0);
    const id = ticketIdFor('cli-test', 'nats-1');
    expect(r.stdout.trim()).toBe(id);
    await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(id));
    const json = await handrail('submit', '--via', 'nats', '--connector', 'cli-test', '--external-id', 'nats-2', '--customer', 'c-cli', '--json', 'Where is my order?');
    expect(JSON.parse(json.stdout)).toMatchObject({ ticketId: ticketIdFor('cli-test', 'nats-2'), externalId: 'nats-2' });
  });

  it('cli — policy docs with nothing approved falls back to --policy or POLICY_FILE and names the source (issue 9)', async () => {
    const docs = (args: string[], extra: Record<string, string> = {}) => runTs('libs/cli/src/main.ts', ['policy', 'docs', ...args], { ...env, POLICY_FILE: undefined, ...extra });
    const none = await docs([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no active policy revision.*--policy FILE.*POLICY_FILE/s);
    const fromEnv = await docs([], { POLICY_FILE: demoPaths.policy });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toContain('## Responsibility split');
    expect(fromEnv.stderr).toContain(`source: pack file ${demoPaths.policy} (POLICY_FILE; the policy store has no active revision)`);
    const fromFlag = await docs(['--policy', demoPaths.policy]);
    expect(fromFlag.code).toBe(0);
    expect(fromFlag.stderr).toContain('(--policy; the policy store has no active revision)');
  });

  it('cli — a refusal from intake over gRPC exits with its code and reason; an unreachable intake exits 7', async () => {
    const bad = await handrail('submit', '--customer', 'c-cli', '--channel', 'fax', 'Where is my order?');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('message.channel: must be one of');
    const away = await runTs('libs/cli/src/main.ts', ['submit', '--customer', 'c-cli', 'Where is my order?'], { ...env, INTAKE_ADDR: '127.0.0.1:1' });
    expect(away.code).toBe(7);
    expect(away.stderr).toContain('intake is not reachable at 127.0.0.1:1');
  });

  it('cli — explain lists each risk flag once (issue 9)', async () => {
    const r = await handrail('submit', '--connector', 'cli-test', '--external-id', 'flags-1', '--customer', 'c-flags', 'I lost my wallet and I want to speak to a human');
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(id).toBe(ticketIdFor('cli-test', 'flags-1'));
    await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(id));
    const explained = await handrail('explain', id);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('risk detectors: safety:lost_or_stolen, talk_to_human:human_requested');
    // The guardrail's permission and the conclusion each cite the detector once.
    const fired = explained.stdout.split('\n').filter((l) => l.includes('• risk_detected') && l.includes('detector talk_to_human:human_requested fired'));
    expect(fired).toHaveLength(2);
  });

  it('cli — explain --rederive decides a recorded ticket again with decideTicket: the same under the same pack, different when the refund limit is raised (issue 9)', async () => {
    const r = await handrail('submit', '--via', 'nats', '--connector', 'cli-test', '--external-id', 'refund-1', '--customer', 'c-cli-refund', "I'd like a refund of $120 for my broken tent");
    expect(r.code).toBe(0);
    const id = ticketIdFor('cli-test', 'refund-1');
    await eventually(async () => (await conclusions(tb.bus, tb.topo)).get(id));
    const same = await handrail('explain', id, '--rederive', '--json', '--policy', demoPaths.policy, '--kb', demoPaths.kb);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout).rederived).toMatchObject({ same: true, route: 'escalated' });
    const raised = path.join(repoRoot, '.tmp', `raised-${tb.topo.prefix}.yaml`);
    const yaml = (await import('node:fs')).readFileSync(demoPaths.policy, 'utf8').replace(/(by_tier:\s*\n\s*default:\s*)50(\s*\n\s*standard:\s*)50/, '$1500$2500');
    expect(yaml).toMatch(/standard:\s*500/);
    (await import('node:fs')).mkdirSync(path.dirname(raised), { recursive: true });
    (await import('node:fs')).writeFileSync(raised, yaml);
    const differs = await handrail('explain', id, '--rederive', '--policy', raised, '--kb', demoPaths.kb);
    expect(differs.code).toBe(0);
    expect(differs.stdout).toContain('DIFFERENT decision');
    expect(differs.stdout).not.toMatch(/now: .*policy_exception/);
  });
});
