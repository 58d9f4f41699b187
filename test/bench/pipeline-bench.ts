/**
 * `make bench`: the pipeline's throughput and intake→terminal latency, measured in the same run as a
 * raw JetStream chain with the same number of hops and message size — the physical limit here.
 * The last line printed is one JSON object.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InboundMessage } from '@handrail/contracts';
import { ack, connectBus, deleteBucket, deleteStreams, ensureStreams, readStream, runConsumer, type Bus, type RunningConsumer } from '@handrail/bus';
import { CONSUMER_BINDINGS, streamSpecs, ticketIdFor, topology, type Topology } from '@handrail/events';
import { headers, type Msg, type MsgHdrs } from '@nats-io/transport-node';
import { ensureNats, freePort, repoRoot, SERVICE_NAMES, startCluster, type Cluster } from '@handrail/launcher';
import { createLogger, initTelemetry } from '@handrail/observability';
import { uniquePrefix } from '@handrail/testing';
import { demoPaths, demoServiceEnv, readSampleTickets } from '@handrail/demo';
import { provision } from '@handrail/runtime';

const HOPS = 7; // intake, classifier, guardrail, escalation, drafting, guardrail (check), escalation (conclude)
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(positional[0] ?? 3000);
const PACED = Number(positional[1] ?? 1000);
/**
 * `--distinct`: every message is another text (the demo's sample tickets, each with a reference of its
 * own), so no encoder cache helps the classifier or drafting; by default one message repeats.
 */
const DISTINCT = process.argv.includes('--distinct');
/** After every consumer has caught up, before the paced run: let GC and timers settle too. */
const SETTLE_MS = 2_000;
const PACED_RATE = 100; // messages per second for the latency run
const log = createLogger({ service: 'bench', version: '0', level: 'silent' });
const tracer = initTelemetry({ service: 'bench', version: '0' }).tracer;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

interface RunResult {
  msgsPerS: number;
  p50: number;
  p99: number;
}

/**
 * Sends `n` messages (paced at `ratePerS` when given, else as fast as 256 in-flight publishes allow)
 * and waits until each has arrived on `doneSubject`; latency is send → arrival per message.
 */
async function measure(
  bus: Bus,
  n: number,
  doneSubject: string,
  keyOfArrival: (m: Msg) => string,
  send: (i: number) => { key: string; publish: () => Promise<unknown> },
  ratePerS?: number,
): Promise<RunResult> {
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => (resolveDone = r));
  const sub = bus.nc.subscribe(doneSubject, {
    callback: (_err, m) => {
      const key = keyOfArrival(m);
      const t = sentAt.get(key);
      if (t === undefined) return;
      sentAt.delete(key);
      lat.push(performance.now() - t);
      if (lat.length === n) resolveDone();
    },
  });
  await bus.nc.flush();
  const t0 = performance.now();
  const inflight = new Set<Promise<unknown>>();
  for (let i = 0; i < n; i++) {
    if (ratePerS) {
      const wait = t0 + (i * 1000) / ratePerS - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const { key, publish } = send(i);
    sentAt.set(key, performance.now());
    const p = publish().finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= 256) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const timer = setTimeout(resolveDone, 180_000);
  await done;
  clearTimeout(timer);
  sub.unsubscribe();
  if (lat.length < n) throw new Error(`only ${lat.length}/${n} messages arrived on ${doneSubject}`);
  return { msgsPerS: n / ((performance.now() - t0) / 1000), p50: pct(lat, 50), p99: pct(lat, 99) };
}

const idHeaders = (id: string): MsgHdrs => {
  const h = headers();
  h.set('Bench-Id', id);
  return h;
};

/** A chain of HOPS consumers, each republishing what it gets to the next subject, like a stage would. */
async function rawChain(bus: Bus, topo: Topology, payload: Uint8Array): Promise<{ throughput: RunResult; paced: RunResult }> {
  const subj = (h: number) => topo.subjects.event('received', `hop${h}`);
  const consumers: RunningConsumer[] = [];
  for (let h = 0; h < HOPS; h++) {
    consumers.push(
      await runConsumer({
        bus,
        topo,
        stage: `hop${h}`,
        stream: topo.streams.events,
        durable: `raw-hop${h}`,
        filterSubject: subj(h),
        decode: (d) => d,
        handler: async (d) => {
          const id = d.header('Bench-Id') ?? '';
          await bus.js.publish(subj(h + 1), d.value, { msgID: `${id}.${h + 1}`, headers: idHeaders(id) });
          return ack();
        },
        concurrency: 64,
        maxDeliver: 5,
        ackWaitMs: 30_000,
        log,
        tracer,
      }),
    );
  }
  const run = (tag: string, n: number, rate?: number) =>
    measure(
      bus,
      n,
      subj(HOPS),
      (m) => m.headers?.get('Bench-Id') ?? '',
      (i) => {
        const id = `${tag}-${i}`;
        return { key: id, publish: () => bus.js.publish(subj(0), payload, { msgID: `${id}.0`, headers: idHeaders(id) }) };
      },
      rate,
    );
  const throughput = await run('t', N);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const paced = await run('p', PACED, PACED_RATE);
  for (const c of consumers) await c.stop(5_000);
  return { throughput, paced };
}

/**
 * Waits until no durable consumer of the running services on `stream` has messages pending or
 * unacknowledged (the console's and the connectors' durables exist too, with nobody reading them here).
 */
async function caughtUp(bus: Bus, stream: string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const running = new Set(CONSUMER_BINDINGS.filter((b) => (SERVICE_NAMES as readonly string[]).includes(b.owner)).map((b) => b.durable));
  while (Date.now() < until) {
    let behind = 0;
    for await (const c of bus.jsm.consumers.list(stream)) if (running.has(c.name)) behind += c.num_pending + c.num_ack_pending;
    if (behind === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`consumers on ${stream} did not catch up within ${timeoutMs} ms`);
}

/** User + system CPU milliseconds of each service process so far (Linux /proc). */
function cpuTimes(cluster: Cluster): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, p] of cluster.processes) {
    try {
      const fields = fs.readFileSync(`/proc/${p.child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      out.set(name, ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      out.set(name, NaN);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const nats = await ensureNats({ envUrl: process.env['NATS_URL'] });
  // First the raw chain on the stock nats.js client (the baseline the pipeline is held to), then —
  // once the process's client is tuned, which cannot be undone — the same chain on the tuned client.
  const stockBus = await connectBus({ url: nats.url, name: 'handrail-bench-stock', tuned: false });
  let bus: Bus = stockBus;
  const rawTopo = topology(uniquePrefix('benchraw'));
  const pipeTopo = topology(uniquePrefix('benchpipe'));
  const retention = { eventsMaxAgeDays: 1, duplicateWindowMinutes: 10 };
  try {
    // The same ~1 KB message size as the pipeline's envelopes.
    const payload = new TextEncoder().encode('x'.repeat(1024));
    await ensureStreams(stockBus.jsm, streamSpecs(rawTopo, retention));
    console.log(`raw JetStream chain: ${HOPS} hops, ${payload.length} B messages, ${N} messages, then ${PACED} at ${PACED_RATE}/s`);
    const raw = await rawChain(stockBus, rawTopo, payload);
    console.log(`  raw, stock nats.js client: ${raw.throughput.msgsPerS.toFixed(0)} msg/s; paced p50 ${raw.paced.p50.toFixed(1)} ms, p99 ${raw.paced.p99.toFixed(1)} ms`);
    await deleteStreams(stockBus.jsm, Object.values(rawTopo.streams));
    bus = await connectBus({ url: nats.url, name: 'handrail-bench' });
    await ensureStreams(bus.jsm, streamSpecs(rawTopo, retention));
    const rawTuned = await rawChain(bus, rawTopo, payload);
    console.log(`  raw, tuned client (as the services use): ${rawTuned.throughput.msgsPerS.toFixed(0)} msg/s; paced p50 ${rawTuned.paced.p50.toFixed(1)} ms, p99 ${rawTuned.paced.p99.toFixed(1)} ms`);
    await deleteStreams(bus.jsm, Object.values(rawTopo.streams));

    const grpcPort = await freePort();
    // Services only verify their topology (issue 11): the provisioner creates it first.
    await provision(bus, pipeTopo, { AUDIT_RETENTION_DAYS: 1, TRANSIENT_RETENTION_DAYS: 1, DUPLICATE_WINDOW_MINUTES: 10 });
    const cluster = await startCluster({ natsUrl: nats.url, prefix: pipeTopo.prefix, logDir: path.join(repoRoot, '.bench', 'logs'), grpcPort, env: { LOG_LEVEL: 'warn', ...demoServiceEnv },
      runtime: 'compiled', // the services as deployed: node on tsc's dist/ (`make bench` builds first)
      // BENCH_PROFILE_DIR=dir writes a V8 CPU profile per service (open in Chrome DevTools).
      nodeArgs: process.env['BENCH_PROFILE_DIR'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE_DIR']}`] : [],
    });
    try {
      const fixed = 'Hi there, how long does standard shipping usually take to reach Ohio? I would like to plan around a birthday next week.';
      const samples = readSampleTickets(demoPaths.tickets).map((t) => t.message);
      const textOf = (tag: string, i: number): { subject: string; body: string } => {
        if (!DISTINCT) return { subject: '', body: fixed };
        const m = samples[i % samples.length];
        return { subject: m?.subject ?? '', body: `${m?.body ?? fixed} (ref ${tag}-${i})` };
      };
      const runPipe = (tag: string, n: number, rate?: number) =>
        measure(
          bus,
          n,
          pipeTopo.subjects.eventsOfType('concluded'),
          (m) => m.subject.split('.').at(-1) ?? '',
          (i) => {
            const m = InboundMessage.fromPartial({ connector: 'bench', externalId: `${tag}-${i}`, customerId: `c-${tag}-${i}`, channel: 'chat', ...textOf(tag, i) });
            return {
              key: ticketIdFor('bench', m.externalId),
              publish: () => bus.js.publish(pipeTopo.subjects.inbound('bench'), JSON.stringify(InboundMessage.toJSON(m)), { msgID: `bench:${m.externalId}` }),
            };
          },
          rate,
        );
      console.log(`pipeline: six service processes, ${N} messages, then ${PACED} at ${PACED_RATE}/s, ${DISTINCT ? "every text distinct (the demo's sample tickets, each with its own reference)" : "one text repeated"}`);
      const cpuBefore = cpuTimes(cluster);
      const pipe = await runPipe('t', N);
      const cpuAfter = cpuTimes(cluster);
      const perMsg = [...cpuAfter.entries()].map(([name, t]) => `${name} ${((t - (cpuBefore.get(name) ?? 0)) / N).toFixed(2)}`);
      console.log(`  CPU ms per message: ${perMsg.join(', ')}`);
      // Every stage caught up — the consumers that trail the terminal state (QA sampling, handoff)
      // included — before the paced run, which measures steady state at 100 msg/s, not a backlog.
      await caughtUp(bus, pipeTopo.streams.events);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const pipePaced = await runPipe('p', PACED, PACED_RATE);
      console.log(`  pipeline: ${pipe.msgsPerS.toFixed(0)} msg/s; paced p50 ${pipePaced.p50.toFixed(1)} ms, p99 ${pipePaced.p99.toFixed(1)} ms`);
      // What one ticket leaves on the bus: every event and the reply, payload bytes (headers aside).
      const bytes = new Map<string, number>();
      for (const [stream, filter] of [[pipeTopo.streams.events, pipeTopo.subjects.allEvents()], [pipeTopo.streams.outbound, pipeTopo.subjects.allOutbound()]] as const) {
        for (const m of await readStream(bus, stream, filter, { max: 1_000_000 })) {
          const type = m.subject.split('.')[stream === pipeTopo.streams.events ? 2 : 1] ?? '?';
          bytes.set(type, (bytes.get(type) ?? 0) + m.data.length);
        }
      }
      const tickets = N + PACED;
      const bytesPerTicket = [...bytes.values()].reduce((a, b) => a + b, 0) / tickets;
      console.log(`  event bytes per ticket: ${bytesPerTicket.toFixed(0)} (${[...bytes].map(([t, b]) => `${t} ${(b / tickets).toFixed(0)}`).join(', ')})`);
      const cpuTotal = [...cpuAfter.entries()].reduce((t, [name, v]) => t + (v - (cpuBefore.get(name) ?? 0)) / N, 0);
      const ratio = pipe.msgsPerS / raw.throughput.msgsPerS;
      const ratioTuned = pipe.msgsPerS / rawTuned.throughput.msgsPerS;
      console.log(`  ratio pipeline/raw: ${(ratio * 100).toFixed(1)}% of the stock-client chain, ${(ratioTuned * 100).toFixed(1)}% of the tuned-client chain`);
      console.log(
        JSON.stringify({
          pipeline_msgs_per_s: Math.round(pipe.msgsPerS),
          cpu_ms_per_ticket: Number(cpuTotal.toFixed(2)),
          event_bytes_per_ticket: Math.round(bytesPerTicket),
          raw_msgs_per_s: Math.round(raw.throughput.msgsPerS),
          ratio: Number(ratio.toFixed(3)),
          raw_tuned_msgs_per_s: Math.round(rawTuned.throughput.msgsPerS),
          ratio_tuned: Number(ratioTuned.toFixed(3)),
          p50_ms: Number(pipePaced.p50.toFixed(1)),
          p99_ms: Number(pipePaced.p99.toFixed(1)),
          raw_p50_ms: Number(raw.paced.p50.toFixed(1)),
          raw_p99_ms: Number(raw.paced.p99.toFixed(1)),
          hops: HOPS,
          messages: N,
          distinct_texts: DISTINCT,
        }),
      );
    } finally {
      await cluster.stop();
    }
  } finally {
    await deleteStreams(bus.jsm, [...Object.values(rawTopo.streams), ...Object.values(pipeTopo.streams)]);
    for (const b of Object.values(pipeTopo.buckets)) await deleteBucket(bus, b);
    await bus.nc.drain();
    if (bus !== stockBus) await stockBus.nc.drain();
    await nats.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
