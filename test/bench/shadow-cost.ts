/**
 * `pnpm -s bench:shadow [N]`: what shadow mode costs (issue 15) — CPU ms per ticket of the shadow
 * service process, off (it only acknowledges) and on (the whole decision once more, in process, under a
 * candidate with the refund limits raised), with the pipeline running as deployed (compiled). Bodies are
 * the demo tickets made unique, so no embedding comes from a cache. The last line is one JSON object.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InboundMessage } from '@handrail/contracts';
import { connectBus, deleteBucket, deleteStreams, type Bus } from '@handrail/bus';
import { demoPaths, demoServiceEnv, readSampleTickets } from '@handrail/demo';
import { topology, type Topology } from '@handrail/events';
import { ensureNats, freePort, repoRoot, SERVICE_NAMES, startCluster, type Cluster } from '@handrail/launcher';
import { parsePolicy, PolicyStore } from '@handrail/policy';
import { provision } from '@handrail/runtime';
import { uniquePrefix } from '@handrail/testing';

const N = Number(process.argv[2] ?? 200);
const WARMUP = 20;

function cpuMs(cluster: Cluster, name: string): number {
  const pid = cluster.processes.get(name as never)?.child.pid;
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function waitFor(what: string, f: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every running stage caught up (the console's and connectors' durables have nobody reading them here). */
const allCaughtUp = async (bus: Bus, topo: Topology) => {
  for (const stream of [topo.streams.inbound, topo.streams.events]) {
    for await (const c of bus.jsm.consumers.list(stream)) if (c.num_pending + c.num_ack_pending > 0 && c.name !== 'console' && !c.name.startsWith('connectors')) return false;
  }
  return true;
};

async function main(): Promise<void> {
  const nats = await ensureNats({ envUrl: process.env['NATS_URL'] });
  const bus = await connectBus({ url: nats.url, name: 'handrail-bench-shadow' });
  const topo = topology(uniquePrefix('benchshadow'));
  const samples = readSampleTickets(demoPaths.tickets).map((t) => t.message);
  let sent = 0;
  const send = async (n: number) => {
    for (let i = 0; i < n; i++, sent++) {
      const base = samples[sent % samples.length];
      const m = InboundMessage.fromPartial({ ...base, connector: 'bench', externalId: `s-${sent}`, customerId: `c-s-${sent}`, body: `${base?.body ?? ''} (ref ${sent})` });
      await bus.js.publish(topo.subjects.inbound('bench'), JSON.stringify(InboundMessage.toJSON(m)), { msgID: `bench:${m.externalId}` });
    }
  };
  const shadowCount = async () => (await bus.jsm.streams.info(topo.streams.shadow)).state.messages;
  try {
    await provision(bus, topo, { AUDIT_RETENTION_DAYS: 1, TRANSIENT_RETENTION_DAYS: 1, DUPLICATE_WINDOW_MINUTES: 10 });
    const cluster = await startCluster({ natsUrl: nats.url, prefix: topo.prefix, logDir: path.join(repoRoot, '.bench', 'logs'), grpcPort: await freePort(), env: { LOG_LEVEL: 'warn', ...demoServiceEnv }, runtime: 'compiled', services: SERVICE_NAMES });
    try {
      // Off: the service acknowledges each received ticket.
      await send(WARMUP);
      await waitFor('pipeline caught up', () => allCaughtUp(bus, topo));
      let before = cpuMs(cluster, 'shadow');
      await send(N);
      await waitFor('pipeline caught up', () => allCaughtUp(bus, topo));
      const off = (cpuMs(cluster, 'shadow') - before) / N;
      console.log(`shadow off: ${off.toFixed(2)} CPU ms per ticket (${N} tickets)`);

      // On, for a proposal with every tier's refund limit at 500; the first tickets load the candidate.
      const pack = fs.readFileSync(demoPaths.policy, 'utf8').replace(/by_tier:\n(\s+)default: 50\n\s+standard: 50\n\s+plus: 150\n\s+vip: 300/, 'by_tier:\n$1default: 500\n$1standard: 500\n$1plus: 500\n$1vip: 500');
      const store = new PolicyStore(bus.nc, topo.buckets.policy, { bindOnly: true });
      const rev = await store.propose(parsePolicy(pack, 'refund-500.yaml'), { by: 'bench' });
      await store.startShadow(rev, '', { by: 'bench' });
      await new Promise((r) => setTimeout(r, 500));
      await send(WARMUP);
      await waitFor('warm-up shadow decisions', async () => (await shadowCount()) >= WARMUP);
      await waitFor('pipeline caught up', () => allCaughtUp(bus, topo));
      before = cpuMs(cluster, 'shadow');
      const pipelineBefore = SERVICE_NAMES.filter((n) => n !== 'shadow').reduce((t, n) => t + cpuMs(cluster, n), 0);
      const t0 = Date.now();
      await send(N);
      await waitFor(`${N} shadow decisions`, async () => (await shadowCount()) >= WARMUP + N);
      const on = (cpuMs(cluster, 'shadow') - before) / N;
      const seconds = (Date.now() - t0) / 1000;
      await waitFor('pipeline caught up', () => allCaughtUp(bus, topo));
      const pipeline = (SERVICE_NAMES.filter((n) => n !== 'shadow').reduce((t, n) => t + cpuMs(cluster, n), 0) - pipelineBefore) / N;
      console.log(`production pipeline on the same tickets: ${pipeline.toFixed(2)} CPU ms per ticket (${SERVICE_NAMES.filter((n) => n !== 'shadow').join(', ')})`);
      console.log(`shadow on: ${on.toFixed(2)} CPU ms per ticket (${N} tickets, ${(N / seconds).toFixed(1)} tickets/s end to end)`);
      console.log(JSON.stringify({ shadow_off_cpu_ms_per_ticket: Number(off.toFixed(2)), shadow_on_cpu_ms_per_ticket: Number(on.toFixed(2)), pipeline_cpu_ms_per_ticket: Number(pipeline.toFixed(2)), tickets: N }));
    } finally {
      await cluster.stop();
    }
  } finally {
    await deleteStreams(bus.jsm, Object.values(topo.streams));
    for (const b of Object.values(topo.buckets)) await deleteBucket(bus, b);
    await bus.nc.drain();
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
