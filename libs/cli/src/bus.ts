import { connectBus, type Bus } from '@handrail/bus';
import { topology, type Topology } from '@handrail/events';
import { cliConfig } from './config.js';

/** Connects with the CLI's configuration, runs `fn`, and always closes the connection. */
export async function withBus<T>(fn: (bus: Bus, topo: Topology) => Promise<T>): Promise<T> {
  const cfg = cliConfig();
  const bus = await connectBus({ url: cfg.NATS_URL, name: 'handrail-cli' });
  try {
    return await fn(bus, topology(cfg.HANDRAIL_PREFIX));
  } finally {
    await bus.nc.drain().catch(() => undefined);
  }
}
