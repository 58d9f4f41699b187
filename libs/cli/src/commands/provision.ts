import { parseArgs } from 'node:util';
import { loadConfig } from '@handrail/config';
import { provision, provisionConfigSchema, provisionPlan } from '@handrail/runtime';
import { withBus } from '../bus.js';
import { UsageError } from '../io.js';

const HELP = `usage: handrail provision [--replicas 1|3] [--dry-run]
Creates or updates every stream, durable consumer and KV bucket of HANDRAIL_PREFIX (the only command
that does; services only verify). Settings from the environment: PROVISION_REPLICAS (1 dev, 3 prod),
AUDIT_RETENTION_DAYS, TRANSIENT_RETENTION_DAYS, CUSTOMER_TEXT_RETENTION_DAYS, DUPLICATE_WINDOW_MINUTES,
CONSUMER_ACK_WAIT_MS, CONSUMER_MAX_ACK_PENDING. Runs as the provisioner identity.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { replicas: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) return (console.log(HELP), 0);
  if (values.replicas && !['1', '3', '5'].includes(values.replicas)) throw new UsageError('--replicas must be 1, 3 or 5');
  const env = loadConfig(provisionConfigSchema);
  const settings = values.replicas ? { ...env, PROVISION_REPLICAS: provisionConfigSchema.shape.PROVISION_REPLICAS.parse(values.replicas) } : env;
  await withBus(async (bus, topo) => {
    const plan = provisionPlan(topo, settings);
    for (const s of plan.streams) console.log(`stream   ${s.name}  ${s.subjects.join(' ')}  max_age=${s.maxAgeSeconds / 86_400}d  R${plan.replicas}${s.denyDelete ? '  deny delete+purge' : ''}`);
    for (const c of plan.consumers) console.log(`consumer ${c.stream}/${c.durable}  ${c.filterSubject}  ack_wait=${c.ackWaitMs}ms`);
    for (const b of plan.buckets) console.log(`bucket   ${b.name}  history=${b.history}  ttl=${b.ttlMs ? `${b.ttlMs / 86_400_000}d` : 'none'}`);
    if (values['dry-run']) return;
    const n = await provision(bus, topo, settings);
    console.log(`provisioned ${n.streams} streams, ${n.consumers} consumers, ${n.buckets} buckets for prefix "${topo.prefix}"`);
  }, { identity: 'provisioner' });
  return 0;
}
