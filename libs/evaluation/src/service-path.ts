import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ticket } from '@handrail/contracts';
import { trainPackModels } from '@handrail/classifier';
import { classifyStage } from '@handrail/decisions';
import { createEncoder } from '@handrail/encoder';
import type { PolicyPack } from '@handrail/policy';

export interface ServicePathResult {
  messages: number;
  concurrency: number;
  threads: number;
  classifications_per_second: number;
  /**
   * Classifications per second of CPU time this process used (main thread and encoder workers):
   * what one replica does with a core of its own, whatever else the machine was running.
   */
  classifications_per_cpu_second: number;
  /** 1-minute load average when the run ended (the machine is shared). */
  load_average: number;
  /** Resident set size after the run, and its peak (VmHWM), of the process that ran only this. */
  rss_mb: number;
  peak_rss_mb: number;
  encoder_calls: number;
  largest_batch: number;
  model: string;
}

/**
 * The classifier service's handler path, as its consumer runs it: `classifyStage` on `concurrency`
 * messages in flight, the encoder batching whatever is in flight, both models trained once from the
 * pack. No bus I/O (that is `make bench`'s part). Messages are distinct, so no cached vector helps.
 */
export async function runServicePath(pack: PolicyPack, texts: readonly string[], o: { concurrency: number; threads: number; maxBatch: number }): Promise<ServicePathResult> {
  const encoder = await createEncoder({ threads: o.threads, maxBatch: o.maxBatch, cacheSize: 20_000 });
  const models = await trainPackModels(pack, encoder);
  const deps = { classifier: models.classifier, semantic: models.semantic };
  const tickets = texts.map((body, i) => Ticket.fromPartial({ ticketId: `t-${i}`, customerId: `c-${i}`, body }));
  // Warm-up: JIT and the WebAssembly backend, on other texts.
  await Promise.all(tickets.slice(0, 32).map((t) => classifyStage({ ...t, body: `${t.body} (warm-up)` }, pack, deps)));
  const before = encoder.stats();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tickets.length) {
      const t = tickets[next++];
      if (t) await classifyStage(t, pack, deps);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const after = encoder.stats();
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  await encoder.close();
  return {
    messages: tickets.length,
    concurrency: o.concurrency,
    threads: o.threads,
    classifications_per_second: Math.round(tickets.length / seconds),
    classifications_per_cpu_second: Math.round(tickets.length / cpuSeconds),
    load_average: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    rss_mb: Math.round(kb('VmRSS') / 1024),
    peak_rss_mb: Math.round(kb('VmHWM') / 1024),
    encoder_calls: after.calls - before.calls,
    largest_batch: after.largestBatch,
    model: models.semantic?.hybrid.version ?? models.classifier.version,
  };
}

/**
 * Runs `runServicePath` in a child process of its own, so its RSS is one classifier's — not the
 * benchmark's, which holds every data set in memory.
 */
export function servicePathInChild(policyFile: string, texts: readonly string[], o: { concurrency: number; threads: number; maxBatch: number }): Promise<ServicePathResult> {
  const here = fileURLToPath(import.meta.url);
  const main = here.replace(/service-path\.(ts|js)$/, 'service-path-main.$1');
  return new Promise((resolve, reject) => {
    // From source (tsx, or a test runner), the child needs the TypeScript loader and the source condition.
    const loader = main.endsWith('.ts') ? ['--conditions=@handrail/source', '--import', 'tsx'] : [];
    const child = execFile(process.execPath, [...loader, main, policyFile, JSON.stringify(o)], { maxBuffer: 1 << 24, timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`service path bench failed: ${err.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ServicePathResult);
      } catch {
        reject(new Error(`service path bench printed no result: ${stdout}\n${stderr}`));
      }
    });
    child.stdin?.end(texts.join('\n'));
  });
}
