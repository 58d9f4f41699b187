import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '@handrail/launcher';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function envOf(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...process.env, ...env }).filter((e): e is [string, string] => e[1] !== undefined));
}

const ENTRY = ['--conditions=@handrail/source', '--import', 'tsx', path.join(repoRoot, 'libs/cli/src/main.ts')];

/** Runs `handrail …` as its own process, the way `pnpm handrail` does; an undefined variable is unset. */
export function handrail(env: Record<string, string | undefined>, args: string[], timeout = 120_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...ENTRY, ...args], { cwd: repoRoot, env: envOf(env), timeout, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running `handrail …` (e.g. tail) and collects its output as it comes. */
export function handrailLive(env: Record<string, string | undefined>, args: string[]): { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number> } {
  const child = spawn(process.execPath, [...ENTRY, ...args], { cwd: repoRoot, env: envOf(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  return { child, out: () => out, err: () => err, exited };
}
