import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ticketIdFor } from '@handrail/events';
import { repoRoot } from '@handrail/launcher';
import { eventually, openTestBus, type TestBus } from '@handrail/testing';
import { conclusions, startInProcess, type InProcessPipeline } from '../support/pipeline.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point as its own process, the way `pnpm handrail` / `make` do. */
function runTs(entry: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(repoRoot, entry), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
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
    env = { NATS_URL: inject('natsUrl'), HANDRAIL_PREFIX: tb.topo.prefix, INTAKE_ADDR: pipeline.grpcAddr, LOG_LEVEL: 'silent' };
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
});
