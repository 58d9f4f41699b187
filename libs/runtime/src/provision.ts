import { provisionTopology, type Bus, type ProvisionOptions } from '@handrail/bus';
import { z } from '@handrail/config';
import { CONSUMER_BINDINGS, streamSpecs, type Topology } from '@handrail/events';

/** Data keys rotate every this many days (see `KvKeyStore`); the keys bucket keeps them retention + one epoch. */
export const KEY_EPOCH_DAYS = 30;

/** The provisioner's settings: the only place retention, replicas and consumer limits are decided. */
export const provisionConfigSchema = z.object({
  PROVISION_REPLICAS: z.coerce.number().int().refine((n) => n === 1 || n === 3 || n === 5, 'must be 1 (development), 3 or 5 (production)').default(1),
  /** The audit trail: events and audit records. 0 keeps forever. */
  AUDIT_RETENTION_DAYS: z.coerce.number().min(0).default(365),
  /** Inbound, outbound and dead letters, which hold customer text in the clear. */
  TRANSIENT_RETENTION_DAYS: z.coerce.number().min(0).default(7),
  /** How long sealed customer text stays readable: its data keys expire after this (plus one key epoch). 0 keeps them. */
  CUSTOMER_TEXT_RETENTION_DAYS: z.coerce.number().min(0).default(90),
  DUPLICATE_WINDOW_MINUTES: z.coerce.number().min(1).max(7 * 24 * 60).default(120),
  CONSUMER_ACK_WAIT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  CONSUMER_MAX_ACK_PENDING: z.coerce.number().int().min(1).max(100_000).default(1024),
  /** The longest webhook replay window of any connectors account; replay records live twice as long. */
  WEBHOOK_REPLAY_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
});
export type ProvisionSettings = z.infer<typeof provisionConfigSchema>;

export const DEFAULT_PROVISION: ProvisionSettings = provisionConfigSchema.parse({});

/** Everything the provisioner creates for one prefix, from the manifest in libs/events. */
export function provisionPlan(topo: Topology, s: ProvisionSettings): ProvisionOptions {
  const days = (d: number) => d * 86_400_000;
  return {
    replicas: s.PROVISION_REPLICAS,
    streams: streamSpecs(topo, {
      eventsMaxAgeDays: s.AUDIT_RETENTION_DAYS,
      transientMaxAgeDays: s.TRANSIENT_RETENTION_DAYS,
      duplicateWindowMinutes: s.DUPLICATE_WINDOW_MINUTES,
    }),
    consumers: CONSUMER_BINDINGS.map((b) => ({
      stream: topo.streams[b.stream],
      durable: b.durable,
      filterSubject: b.filter(topo),
      maxDeliver: -1,
      ackWaitMs: s.CONSUMER_ACK_WAIT_MS,
      maxAckPending: b.maxAckPending ?? s.CONSUMER_MAX_ACK_PENDING,
    })),
    buckets: [
      { name: topo.buckets.intake, history: 1, ttlMs: 0 },
      { name: topo.buckets.customers, history: 1, ttlMs: 0 },
      { name: topo.buckets.contacts, history: 1, ttlMs: 0 },
      { name: topo.buckets.policy, history: 5, ttlMs: 0 },
      { name: topo.buckets.kb, history: 10, ttlMs: 0 },
      { name: topo.buckets.keys, history: 1, ttlMs: s.CUSTOMER_TEXT_RETENTION_DAYS > 0 ? days(s.CUSTOMER_TEXT_RETENTION_DAYS + KEY_EPOCH_DAYS) : 0 },
      // Certainty-selection slots: small (at most N tickets per revision and per area-week), kept with the audit trail.
      { name: topo.buckets.qaClaims, history: 1, ttlMs: s.AUDIT_RETENTION_DAYS > 0 ? days(s.AUDIT_RETENTION_DAYS) : 0 },
      // The connectors' state, and webhook signatures seen inside the replay window (twice the longest window).
      { name: topo.buckets.connector, history: 1, ttlMs: 0 },
      { name: topo.buckets.webhookReplay, history: 1, ttlMs: s.WEBHOOK_REPLAY_WINDOW_SECONDS * 2 * 1000 },
    ],
  };
}

export async function provision(bus: Bus, topo: Topology, s: Partial<ProvisionSettings> = {}): Promise<{ streams: number; consumers: number; buckets: number }> {
  return provisionTopology(bus, provisionPlan(topo, { ...DEFAULT_PROVISION, ...s }));
}
