import { connectBus, deletePrefix } from '@handrail/bus';
import { normalizeError } from '@handrail/errors';
import { topology } from '@handrail/events';
import { demoCleanConfig } from './config.js';

/** `make demo-clean`: deletes the demo prefix's streams and buckets on the server the demo used. */
async function main(): Promise<number> {
  const cfg = demoCleanConfig();
  const topo = topology(cfg.HANDRAIL_PREFIX);
  const bus = await connectBus({ url: cfg.NATS_URL, name: 'handrail-demo-clean' });
  try {
    await deletePrefix(bus, topo);
  } finally {
    await bus.nc.drain().catch(() => undefined);
  }
  console.log(
    `[demo-clean] prefix "${topo.prefix}" on ${cfg.NATS_URL}: deleted streams ${Object.values(topo.streams).join(', ')} and buckets ${Object.values(topo.buckets).join(', ')} (those that existed)`,
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A server the demo started itself kept its data in a temporary directory, gone when it stopped.
    console.error(`[demo-clean] failed: ${normalizeError(err).message}`);
    process.exitCode = 1;
  },
);
