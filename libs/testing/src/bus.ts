import { randomBytes } from 'node:crypto';
import { connectBus, deletePrefix, ensureStreams, type Bus } from '@handrail/bus';
import { streamSpecs, topology, type Topology } from '@handrail/events';

/** A unique subject prefix per test run, so tests share one NATS server without seeing each other. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export interface TestBus {
  bus: Bus;
  topo: Topology;
  /** Deletes this run's streams and buckets and closes the connection. */
  cleanup(): Promise<void>;
}

export async function openTestBus(natsUrl: string, label = 't'): Promise<TestBus> {
  const topo = topology(uniquePrefix(label));
  const bus = await connectBus({ url: natsUrl, name: `handrail-test-${topo.prefix}` });
  await ensureStreams(bus.jsm, streamSpecs(topo, { eventsMaxAgeDays: 1, duplicateWindowMinutes: 60 }));
  return {
    bus,
    topo,
    async cleanup() {
      await deletePrefix(bus, topo);
      await bus.nc.drain().catch(() => undefined);
    },
  };
}

/** Polls `probe` until it returns a value or the timeout passes. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}
