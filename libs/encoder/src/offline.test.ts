import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

// Runs the load in a fresh network namespace (`unshare -rn`: only a downed loopback, no route anywhere).
function runOffline(script: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'unshare',
      ['-rn', process.execPath, '--conditions=@handrail/source', '--import', 'tsx', path.join(here, 'testing', script)],
      { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 90_000 },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
      },
    );
  });
}

describe('encoder offline', () => {
  it('encoder offline — unshare gives a namespace where the network really is unreachable', () => {
    // If this fails, the next test proves nothing: the namespace must refuse outside connections.
    const out = execFileSync(
      'unshare',
      ['-rn', process.execPath, '-e', "require('node:net').connect(53,'1.1.1.1').on('error',e=>{console.log(e.code);process.exit(0)}).on('connect',()=>{console.log('CONNECTED');process.exit(0)})"],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(out.trim()).toMatch(/^E(NETUNREACH|CONNREFUSED|HOSTUNREACH)$/);
  });

  it('encoder offline — loads from the installed package and embeds with no network', async () => {
    const r = await runOffline('offline-probe.ts');
    expect(r.stderr).not.toMatch(/fetch|ENOTFOUND|ENETUNREACH/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { version?: string; dims?: number; similar?: number; unrelated?: number; netCheck?: string };
    expect(report.netCheck).toMatch(/^E/);
    expect(report.version).toMatch(/^use-lite@/);
    expect(report.dims).toBe(512);
    expect(report.similar).toBeGreaterThan(report.unrelated ?? 1);
  }, 120_000);

  it('encoder offline — worker threads load offline too and agree with the main-thread model', async () => {
    const r = await runOffline('offline-probe.ts', { PROBE_THREADS: '2' });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { threads?: number; agree?: number; calls?: number };
    expect(report.threads).toBe(2);
    expect(report.agree).toBeGreaterThan(0.9999);
  }, 120_000);
});
