/**
 * `make bench` (second part): scale-out of the drafting stage, the one that waits on an LLM. The LLM
 * drafter points at a local chat-completions endpoint that answers in 200 ms; 1, 2 and 4 drafting
 * processes share the one durable consumer, each with the same in-flight limit (CONSUMER_CONCURRENCY),
 * as pods with the same resources would. Throughput is tickets concluded per second in steady state
 * (between the 10th and the 90th percentile of conclusions: the pipeline's fill and drain left out),
 * end to end reported too; every run also
 * checks that each ticket's events are in causal order on the stream and that it got exactly one reply.
 * Each size runs twice, 1-2-4-4-2-1. The last line printed is one JSON object.
 * Usage: tsx test/bench/scale-bench.ts [tickets per run] [per-replica in-flight]
 */
import path from 'node:path';
import { InboundMessage } from '@handrail/contracts';
import { connectBus, deleteBucket, deleteStreams, readStream, type Bus } from '@handrail/bus';
import { demoPaths, demoServiceEnv } from '@handrail/demo';
import { decodeEvent, topology, type Topology } from '@handrail/events';
import { ingestDirectory, splitSentences } from '@handrail/kb';
import { ensureNats, freePort, repoRoot, startCluster, startServiceProcess, type ServiceProcess } from '@handrail/launcher';
import { startFakeChatServer } from '@handrail/llm/testing';
import { provision } from '@handrail/runtime';
import { uniquePrefix } from '@handrail/testing';

const N = Number(process.argv[2] ?? 160);
const IN_FLIGHT = Number(process.argv[3] ?? 1);
const LLM_MS = 200;
const REPLICAS = [1, 2, 4] as const;
/** Each size twice, in mirrored order, so a load that drifts over the run (a shared machine) weighs on all sizes alike. */
const SCHEDULE = [...REPLICAS, ...[...REPLICAS].reverse()];
/** Causal order of one ticket's events (each present at most once). */
const ORDER = ['received', 'classified', 'permitted', 'draft_requested', 'drafted', 'draft_checked', 'concluded'];
const QUESTION = 'How long does standard shipping take?';

interface Run {
  replicas: number;
  /** Steady state: tickets concluded between the 10th and the 90th percentile of conclusion times. */
  ticketsPerS: number;
  /** First submit to last conclusion (warm-up and tail included). */
  endToEndPerS: number;
  seconds: number;
  /** Conclusions and seconds inside the steady-state window. */
  windowTickets: number;
  windowSeconds: number;
  duplicateReplies: number;
  missingReplies: number;
  orderViolations: number;
  llmCalls: number;
  llmDrafted: number;
}

async function oneRun(bus: Bus, natsUrl: string, replicas: number, llmBaseUrl: string, llmCalls: () => number): Promise<Run> {
  const topo = topology(uniquePrefix(`scale${replicas}`));
  await provision(bus, topo, { AUDIT_RETENTION_DAYS: 1, TRANSIENT_RETENTION_DAYS: 1, DUPLICATE_WINDOW_MINUTES: 10 });
  const logDir = path.join(repoRoot, '.bench', 'scale-logs', String(replicas));
  const cluster = await startCluster({
    natsUrl,
    prefix: topo.prefix,
    logDir,
    grpcPort: await freePort(),
    runtime: 'compiled',
    services: ['intake', 'classifier', 'guardrail', 'escalation', 'qa-sampler'],
    env: { LOG_LEVEL: 'warn', ...demoServiceEnv },
  });
  const drafting: ServiceProcess[] = [];
  const callsBefore = llmCalls();
  try {
    const env = { ...cluster.env, LLM_BASE_URL: llmBaseUrl, LLM_MODEL: 'bench-model', LLM_TIMEOUT_MS: '10000', CONSUMER_CONCURRENCY: String(IN_FLIGHT) };
    for (let i = 0; i < replicas; i++) drafting.push(await startServiceProcess('drafting', env, logDir, { runtime: 'compiled' }));
    const concluded = new Set<string>();
    const at: number[] = [];
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => (resolveDone = r));
    const sub = bus.nc.subscribe(topo.subjects.eventsOfType('concluded'), {
      callback: (_e, m) => {
        const id = m.subject.split('.').at(-1) ?? '';
        if (!concluded.has(id)) at.push(performance.now());
        concluded.add(id);
        if (concluded.size === N) resolveDone();
      },
    });
    await bus.nc.flush();
    const t0 = performance.now();
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < N; i++) {
      const m = InboundMessage.fromPartial({ connector: 'bench', externalId: `s${replicas}-${i}`, customerId: `c-${replicas}-${i}`, channel: 'chat', body: QUESTION });
      sends.push(bus.js.publish(topo.subjects.inbound('bench'), JSON.stringify(InboundMessage.toJSON(m)), { msgID: `bench:${m.externalId}` }));
    }
    await Promise.all(sends);
    const timer = setTimeout(resolveDone, 300_000);
    await done;
    const seconds = (performance.now() - t0) / 1000;
    clearTimeout(timer);
    sub.unsubscribe();
    if (concluded.size < N) throw new Error(`only ${concluded.size}/${N} tickets concluded with ${replicas} drafting replicas`);
    // Let the reply of the last conclusion land before counting.
    await new Promise((r) => setTimeout(r, 1_000));
    const lo = Math.floor(N * 0.1);
    const hi = Math.ceil(N * 0.9) - 1;
    const windowTickets = hi - lo;
    const windowSeconds = ((at[hi] ?? NaN) - (at[lo] ?? NaN)) / 1000;
    return { replicas, ticketsPerS: windowTickets / windowSeconds, endToEndPerS: N / seconds, seconds, windowTickets, windowSeconds, ...(await integrity(bus, topo)), llmCalls: llmCalls() - callsBefore };
  } finally {
    await Promise.all(drafting.map((d) => d.stop()));
    await cluster.stop();
    await deleteStreams(bus.jsm, Object.values(topo.streams));
    for (const b of Object.values(topo.buckets)) await deleteBucket(bus, b);
  }
}

/** Per-ticket causal order on the events stream; exactly one reply per ticket on the outbound stream. */
async function integrity(bus: Bus, topo: Topology): Promise<Pick<Run, 'duplicateReplies' | 'missingReplies' | 'orderViolations' | 'llmDrafted'>> {
  const seen = new Map<string, string[]>();
  let llmDrafted = 0;
  for (const m of await readStream(bus, topo.streams.events, topo.subjects.allEvents(), { max: 1_000_000 })) {
    const parts = m.subject.split('.');
    const type = parts[2] ?? '';
    const ticket = parts.at(-1) ?? '';
    if (!ORDER.includes(type)) continue;
    const list = seen.get(ticket) ?? [];
    list.push(type);
    seen.set(ticket, list);
    if (type === 'drafted') {
      const env = decodeEvent(m.data);
      if (env.payload?.$case === 'drafted' && env.payload.value.draft?.drafter.startsWith('llm')) llmDrafted++;
    }
  }
  let orderViolations = 0;
  for (const types of seen.values()) {
    const idx = types.map((t) => ORDER.indexOf(t));
    if (idx.some((v, i) => i > 0 && v <= (idx[i - 1] ?? -1))) orderViolations++;
  }
  const replies = new Map<string, number>();
  for (const m of await readStream(bus, topo.streams.outbound, topo.subjects.allOutbound(), { max: 1_000_000 })) {
    const id = decodeEvent(m.data).ticketId;
    replies.set(id, (replies.get(id) ?? 0) + 1);
  }
  let duplicateReplies = 0;
  let missingReplies = 0;
  for (const ticket of seen.keys()) {
    const n = replies.get(ticket) ?? 0;
    if (n === 0) missingReplies++;
    if (n > 1) duplicateReplies += n - 1;
  }
  return { duplicateReplies, missingReplies, orderViolations, llmDrafted };
}

async function main(): Promise<void> {
  const nats = await ensureNats({ envUrl: process.env['NATS_URL'] });
  const bus = await connectBus({ url: nats.url, name: 'handrail-scale-bench' });
  // A grounded answer from the demo KB, so the LLM drafter's output passes its checks.
  const kb = await ingestDirectory(demoPaths.kb);
  const best = kb.search(QUESTION, { limit: 1 })[0];
  if (!best) throw new Error('the demo KB has no shipping passage');
  const sentence = splitSentences(best.text)[0] ?? best.text;
  const llm = await startFakeChatServer([() => ({ content: JSON.stringify({ sentences: [{ text: sentence, passages: [best.passageId] }] }), delayMs: LLM_MS })]);
  try {
    console.log(`drafting scale-out: ${N} tickets, LLM answers in ${LLM_MS} ms, ${IN_FLIGHT} in flight per drafting process`);
    const all: Run[] = [];
    for (const r of SCHEDULE) {
      const run = await oneRun(bus, nats.url, r, llm.baseUrl, () => llm.requests.length);
      all.push(run);
      console.log(
        `  ${r} drafting: ${run.ticketsPerS.toFixed(1)} tickets/s steady (${run.endToEndPerS.toFixed(1)} end to end, ${run.seconds.toFixed(1)} s); LLM calls ${run.llmCalls}, LLM drafts ${run.llmDrafted}; duplicate replies ${run.duplicateReplies}, missing ${run.missingReplies}, order violations ${run.orderViolations}`,
      );
    }
    // Per size: all its tickets over all its seconds.
    const runs: Run[] = REPLICAS.map((r) => {
      const mine = all.filter((x) => x.replicas === r);
      const seconds = mine.reduce((t, x) => t + x.seconds, 0);
      const sum = (k: 'duplicateReplies' | 'missingReplies' | 'orderViolations' | 'llmCalls' | 'llmDrafted' | 'windowTickets' | 'windowSeconds') => mine.reduce((t, x) => t + x[k], 0);
      return { replicas: r, seconds, ticketsPerS: sum('windowTickets') / sum('windowSeconds'), endToEndPerS: (N * mine.length) / seconds, windowTickets: sum('windowTickets'), windowSeconds: sum('windowSeconds'), duplicateReplies: sum('duplicateReplies'), missingReplies: sum('missingReplies'), orderViolations: sum('orderViolations'), llmCalls: sum('llmCalls'), llmDrafted: sum('llmDrafted') };
    });
    for (const r of runs) console.log(`  ${r.replicas} drafting, both runs: ${r.ticketsPerS.toFixed(2)} tickets/s steady, ${r.endToEndPerS.toFixed(2)} end to end`);
    const base = runs[0]?.ticketsPerS ?? NaN;
    const speedup = (r: number) => (runs.find((x) => x.replicas === r)?.ticketsPerS ?? NaN) / base;
    const e2e = (r: number) => (runs.find((x) => x.replicas === r)?.endToEndPerS ?? NaN) / (runs[0]?.endToEndPerS ?? NaN);
    console.log(`  speed-up (steady state): ×${speedup(2).toFixed(2)} with 2, ×${speedup(4).toFixed(2)} with 4 (targets ×1.8, ×3.2); end to end ×${e2e(2).toFixed(2)}, ×${e2e(4).toFixed(2)}`);
    console.log(
      JSON.stringify({
        tickets: N,
        llm_ms: LLM_MS,
        in_flight_per_replica: IN_FLIGHT,
        tickets_per_s: Object.fromEntries(runs.map((r) => [r.replicas, Number(r.ticketsPerS.toFixed(1))])),
        speedup_2: Number(speedup(2).toFixed(2)),
        speedup_4: Number(speedup(4).toFixed(2)),
        end_to_end_per_s: Object.fromEntries(runs.map((r) => [r.replicas, Number(r.endToEndPerS.toFixed(1))])),
        end_to_end_speedup_2: Number(e2e(2).toFixed(2)),
        end_to_end_speedup_4: Number(e2e(4).toFixed(2)),
        duplicate_replies: runs.reduce((n, r) => n + r.duplicateReplies, 0),
        missing_replies: runs.reduce((n, r) => n + r.missingReplies, 0),
        order_violations: runs.reduce((n, r) => n + r.orderViolations, 0),
      }),
    );
    const failed = speedup(2) < 1.8 || speedup(4) < 3.2 || runs.some((r) => r.duplicateReplies || r.missingReplies || r.orderViolations);
    if (failed) process.exitCode = 1;
  } finally {
    await llm.close();
    await bus.nc.drain();
    await nats.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(`scale bench failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
