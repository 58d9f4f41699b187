/**
 * Capacity model: replicas per stage for a ticket volume, from what `make bench` measured on this
 * 2-core machine (deploy/capacity.json: CPU milliseconds per ticket per stage from the pipeline bench,
 * the drafting stage's throughput per replica from the scale-out bench).
 *
 *   pnpm -s exec tsx deploy/capacity.ts --tickets-per-day 200000 [--peak 4] [--llm-ms 1500] [--in-flight 4]
 *
 * A CPU-bound stage needs peak rate × CPU per ticket ÷ (cores per pod × target utilisation); the
 * drafting stage is also bounded by its LLM wait: peak rate × (LLM latency + its own time per draft)
 * ÷ drafts in flight per pod. Production keeps at least 2 of every stage (KEDA's floor in prod).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface Measured {
  /** Where the figures come from (command, date, machine). */
  source: string;
  /** CPU ms one ticket costs each stage (user + system), from the pipeline bench. */
  cpuMsPerTicket: Record<string, number>;
  /** The drafting stage's own time per draft besides the LLM wait (ms), from the scale-out bench. */
  draftOverheadMs: number;
  /** Cores each pod requests (deploy/base), the share of it a stage should run at, and the floor. */
  cpuRequestCores: Record<string, number>;
  targetUtilisation: number;
  minReplicas: number;
  /** Messages one ticket stores on the bus (events, the reply, audit records). */
  busWritesPerTicket: number;
}

export interface Sizing {
  peakTicketsPerS: number;
  stages: Array<{ stage: string; msgsPerSPerCore: number; replicas: number; bound: 'cpu' | 'llm' | 'floor' }>;
}

export function size(m: Measured, o: { ticketsPerDay: number; peak: number; llmMs: number; inFlight: number }): Sizing {
  const peak = (o.ticketsPerDay / 86_400) * o.peak;
  const stages = Object.entries(m.cpuMsPerTicket).map(([stage, cpuMs]) => {
    const cores = m.cpuRequestCores[stage] ?? 0.2;
    const cpuReplicas = Math.ceil((peak * cpuMs) / 1000 / (cores * m.targetUtilisation));
    const llmReplicas = stage === 'drafting' ? Math.ceil((peak * (o.llmMs + m.draftOverheadMs)) / 1000 / o.inFlight) : 0;
    const replicas = Math.max(cpuReplicas, llmReplicas, m.minReplicas);
    const bound: 'cpu' | 'llm' | 'floor' = replicas === m.minReplicas && m.minReplicas >= Math.max(cpuReplicas, llmReplicas) ? 'floor' : llmReplicas > cpuReplicas ? 'llm' : 'cpu';
    return { stage, msgsPerSPerCore: cpuMs > 0 ? 1000 / cpuMs : Infinity, replicas, bound };
  });
  return { peakTicketsPerS: peak, stages };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      'tickets-per-day': { type: 'string' },
      peak: { type: 'string', default: '4' },
      'llm-ms': { type: 'string', default: '1500' },
      'in-flight': { type: 'string', default: '4' },
    },
  });
  const ticketsPerDay = Number(values['tickets-per-day']);
  if (!Number.isFinite(ticketsPerDay) || ticketsPerDay <= 0) throw new Error('--tickets-per-day N is required (a positive number)');
  const o = { ticketsPerDay, peak: Number(values.peak), llmMs: Number(values['llm-ms']), inFlight: Number(values['in-flight']) };
  for (const [k, v] of Object.entries(o)) if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number`);
  const m = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'capacity.json'), 'utf8')) as Measured;
  const s = size(m, o);
  console.log(`${ticketsPerDay} tickets/day, peak ×${o.peak} → ${s.peakTicketsPerS.toFixed(2)} tickets/s; LLM ${o.llmMs} ms, ${o.inFlight} drafts in flight per pod`);
  console.log(`figures: ${m.source}`);
  for (const st of s.stages) console.log(`  ${st.stage.padEnd(11)} ${st.msgsPerSPerCore.toFixed(0).padStart(5)} msgs/s per core   replicas ${String(st.replicas).padStart(3)}  (${st.bound})`);
  // With sync_interval: always every stored message waits for an fsync: measure your disks.
  console.log(`  NATS        ~${Math.ceil(s.peakTicketsPerS * m.busWritesPerTicket)} stored messages/s at peak (${m.busWritesPerTicket} per ticket); check it against the cluster's fsync-bound rate on your volumes`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
