import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { demoPaths } from '@handrail/demo';
import { COMMAND_NAMES, main } from './cli.js';

/** Runs the CLI in process and returns its exit code and everything it wrote to stderr. */
async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void chunks.push(a.join(' ')));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => chunks.push(String(s)) > 0);
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stderr: chunks.join('\n') };
}

// Should a check regress, the command must not reach a real bus or intake.
beforeEach(() => {
  vi.stubEnv('NATS_URL', 'nats://127.0.0.1:1');
  vi.stubEnv('INTAKE_ADDR', '127.0.0.1:1');
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

// One invocation per command and sub-command; none gets as far as the bus or the disk.
const UNKNOWN_FLAG: string[][] = [
  ['submit', '--customer', 'c-1', '--bogus', 'hello'],
  ['status', 't-1', '--bogus'],
  ['explain', 't-1', '--bogus'],
  ['replay', '--bogus'],
  ['dlq', '--bogus'],
  ['policy', 'validate', 'pack.yaml', '--bogus'],
  ['policy', 'show', '--bogus'],
  ['kb', 'ingest', 'kb', '--bogus'],
  ['kb', 'search', 'refund', '--bogus'],
  ['kb', 'publish', 'kb', '--bogus'],
  ['draft', 'where is my order', '--bogus'],
  ['report', 'weekly', '--bogus'],
  ['pilot', 'report', '--bogus'],
  ['qa', 'status', '--bogus'],
  ['eval', '--bogus'],
  ['bench-classifier', '--bogus'],
  ['provision', '--bogus'],
  ['credentials', '--bogus'],
  ['nats-config', '--bogus'],
  ['audit', 'verify', '--bogus'],
  ['privacy', 'erase', '--bogus'],
  ['dlq', 'replay', '--bogus'],
  ['export', '--bogus'],
  ['tail', '--bogus'],
  ['audit', 'rederive', '--bogus'],
  ['replay', '--policy', 'pack.yaml', '--bogus'],
];

describe('cli usage errors', () => {
  it('cli — the table covers every command', () => {
    expect(new Set(UNKNOWN_FLAG.map((a) => a[0]))).toEqual(new Set(COMMAND_NAMES));
  });

  it.each(UNKNOWN_FLAG)('cli — %s exits 2 naming an unknown flag (issue 9)', async (...argv: string[]) => {
    const r = await cli(argv);
    expect(r.stderr).toContain('--bogus');
    expect(r.code).toBe(2);
  });

  it('cli — replay exits 2 on an unknown flag, with the reason and a pointer to --help (issue 9)', async () => {
    const r = await cli(['replay', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("handrail replay: Unknown option '--bogus'");
    expect(r.stderr).toContain('(see handrail replay --help)');
  });

  it.each([
    ['replay', '--limit'],
    ['replay', '--help=yes'],
    ['replay', 'stray'],
    ['status', 't-1', 't-2'],
    ['explain', 't-1', 't-2'],
    ['dlq', 'frobnicate'],
    ['kb', 'ingest', demoPaths.kb, 'other'],
    ['kb', 'publish', demoPaths.kb, 'other'],
    ['policy', 'validate', '--file'],
  ])('cli — %s %s exits 2 on a bad argument (issue 9)', async (...argv: string[]) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toBe('');
  });
});
