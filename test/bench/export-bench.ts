/**
 * `pnpm bench:export [events]`: publishes a synthetic stream of at least `events` signed and sealed
 * events (default 50,000) under a fresh prefix, then runs `handrail export` as its own process for
 * jsonl and csv and reports its peak RSS (GNU time's maximum resident set size), its duration and the
 * lines written. The stream is deleted afterwards. The last line printed is one JSON object.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureNats, repoRoot } from '@handrail/launcher';
import { openTestBus, testCredentials } from '@handrail/testing';
import { publishSyntheticStream } from '../support/synthetic.js';

const TARGET = Number(process.argv[2] ?? 50_000);

function exportRun(env: Record<string, string>, args: string[]): Promise<{ rssKb: number; ms: number; stderr: string }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/time',
      ['-f', 'MAXRSS_KB=%M', process.execPath, '--conditions=@handrail/source', '--import', 'tsx', path.join(repoRoot, 'libs/cli/src/main.ts'), 'export', ...args],
      { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        if (err) return reject(new Error(`export failed: ${stderr}`));
        const rss = /MAXRSS_KB=(\d+)/.exec(stderr);
        resolve({ rssKb: Number(rss?.[1] ?? NaN), ms: Date.now() - t0, stderr });
      },
    );
  });
}

const nats = await ensureNats({ envUrl: process.env['NATS_URL'], log: (s) => console.error(`[nats] ${s}`) });
const tb = await openTestBus(nats.url, 'bench-export');
try {
  const t0 = Date.now();
  const published = await publishSyntheticStream(tb.bus, tb.topo, { minEvents: TARGET }, { onProgress: (n) => console.error(`published ${n}`) });
  console.error(`published ${published.events} events for ${published.tickets} tickets in ${Date.now() - t0} ms`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handrail-export-'));
  const env = { NATS_URL: nats.url, HANDRAIL_PREFIX: tb.topo.prefix, HANDRAIL_CREDENTIALS_DIR: testCredentials(), LOG_LEVEL: 'silent' };
  const results: Record<string, unknown> = { events: published.events };
  for (const format of ['jsonl', 'csv'] as const) {
    const out = path.join(dir, `events.${format}`);
    const r = await exportRun(env, ['--format', format, '--out', out, '--cursor', path.join(dir, `${format}.cursor`)]);
    const lines = fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).length;
    const bytes = fs.statSync(out).size;
    results[format] = { peakRssMb: Math.round(r.rssKb / 102.4) / 10, seconds: r.ms / 1000, lines, outputMb: Math.round(bytes / 104857.6) / 10 };
    console.error(`${format}: ${lines} lines, ${(bytes / 1048576).toFixed(1)} MB, peak RSS ${(r.rssKb / 1024).toFixed(1)} MB, ${(r.ms / 1000).toFixed(1)} s`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(results));
} finally {
  await tb.cleanup();
  await nats.stop();
}
