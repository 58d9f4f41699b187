import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { StreamSpec, Topology } from '@handrail/events';
import { Kvm } from '@nats-io/kv';
import { HandrailError } from '@handrail/errors';
import type { Bus } from './connection.js';
import { deleteBucket } from './kv.js';

function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10059 || e?.code === '404' || /not found/i.test(e?.message ?? '');
}

/** Creates each stream, or updates it to the spec; safe to run from every replica at start-up. */
export async function ensureStreams(jsm: JetStreamManager, specs: StreamSpec[]): Promise<void> {
  for (const s of specs) {
    const cfg = {
      name: s.name,
      subjects: s.subjects,
      description: s.description,
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(s.maxAgeSeconds * 1000),
      duplicate_window: nanos(s.duplicateWindowSeconds * 1000),
      num_replicas: s.replicas ?? 1,
      deny_delete: s.denyDelete ?? false,
      deny_purge: s.denyPurge ?? false,
      // Reading one ticket's event back (drafting reads `received`) is a direct get: served without the JS API.
      allow_direct: true,
    };
    try {
      await jsm.streams.info(s.name);
      await jsm.streams.update(s.name, cfg);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.streams.add(cfg);
    }
  }
}

export interface ConsumerSpec {
  stream: string;
  durable: string;
  filterSubject: string;
  maxDeliver: number;
  ackWaitMs: number;
  maxAckPending: number;
}

export async function ensureConsumer(jsm: JetStreamManager, c: ConsumerSpec): Promise<void> {
  const cfg = {
    durable_name: c.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: c.filterSubject,
    // The runner counts deliveries and dead-letters past MAX_DELIVER itself; a server-side limit would
    // silently drop a message whose dead-letter publish failed on its last delivery (issue 11).
    max_deliver: -1,
    ack_wait: nanos(c.ackWaitMs),
    max_ack_pending: c.maxAckPending,
  };
  try {
    await jsm.consumers.info(c.stream, c.durable);
    await jsm.consumers.update(c.stream, c.durable, {
      max_deliver: -1,
      ack_wait: cfg.ack_wait,
      max_ack_pending: cfg.max_ack_pending,
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(c.stream, cfg);
  }
}

/** Removes every stream whose name starts with `streamPrefix` (tests and demo clean up after themselves). */
export async function deleteStreams(jsm: JetStreamManager, names: string[]): Promise<void> {
  for (const n of names) {
    await jsm.streams.delete(n).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
}

/** Deletes one prefix's streams and KV buckets, skipping those that do not exist: a clean slate. */
export async function deletePrefix(bus: Bus, topo: Topology): Promise<void> {
  await deleteStreams(bus.jsm, Object.values(topo.streams));
  for (const b of Object.values(topo.buckets)) await deleteBucket(bus, b);
}

/** What a service found when it checked the provisioned topology; an empty list means it matches. */
export class TopologyMismatchError extends HandrailError {
  override readonly name = 'TopologyMismatchError';
  constructor(readonly problems: readonly string[]) {
    super('failed_precondition', `the bus is not provisioned as this service needs (run \`handrail provision\`):\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Services only verify: each stream exists with the subjects it must carry. Retention, limits and
 * replicas belong to the provisioner, so a service started with other settings changes nothing.
 */
export async function verifyStreams(jsm: JetStreamManager, specs: StreamSpec[]): Promise<void> {
  const problems: string[] = [];
  for (const s of specs) {
    try {
      const info = await jsm.streams.info(s.name);
      const have = new Set(info.config.subjects ?? []);
      for (const subj of s.subjects) if (!have.has(subj)) problems.push(`stream ${s.name} does not carry ${subj}`);
      if (s.denyDelete && !info.config.deny_delete) problems.push(`stream ${s.name} must deny deletes`);
      if (s.denyPurge && !info.config.deny_purge) problems.push(`stream ${s.name} must deny purges`);
    } catch (err) {
      problems.push(isNotFound(err) ? `stream ${s.name} does not exist` : `stream ${s.name}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new TopologyMismatchError(problems);
}

/** Binds to a provisioned durable: it must exist with the expected filter. Returns its ack wait. */
export async function verifyConsumer(jsm: JetStreamManager, c: Pick<ConsumerSpec, 'stream' | 'durable' | 'filterSubject'>): Promise<{ ackWaitMs: number }> {
  let info;
  try {
    info = await jsm.consumers.info(c.stream, c.durable);
  } catch (err) {
    throw new TopologyMismatchError([isNotFound(err) ? `consumer ${c.stream}/${c.durable} does not exist` : `consumer ${c.stream}/${c.durable}: ${(err as Error).message}`]);
  }
  if ((info.config.filter_subject ?? '') !== c.filterSubject) {
    throw new TopologyMismatchError([`consumer ${c.stream}/${c.durable} filters ${JSON.stringify(info.config.filter_subject ?? '')}, want ${JSON.stringify(c.filterSubject)}`]);
  }
  return { ackWaitMs: Math.round((info.config.ack_wait ?? 30e9) / 1e6) };
}

export interface BucketSpec {
  name: string;
  history: number;
  /** Milliseconds; 0 keeps forever. */
  ttlMs: number;
}

export interface ProvisionOptions {
  streams: StreamSpec[];
  consumers: ConsumerSpec[];
  buckets: BucketSpec[];
  replicas: number;
}

/** `handrail provision`: creates or updates every stream, consumer and bucket; the only writer of topology. */
export async function provisionTopology(bus: Bus, o: ProvisionOptions): Promise<{ streams: number; consumers: number; buckets: number }> {
  await ensureStreams(bus.jsm, o.streams.map((s) => ({ ...s, replicas: o.replicas })));
  for (const c of o.consumers) await ensureConsumer(bus.jsm, c);
  const kvm = new Kvm(bus.js);
  for (const b of o.buckets) {
    await kvm.create(b.name, { history: b.history, ttl: b.ttlMs, replicas: o.replicas });
    // create() leaves an existing bucket's limits alone; make them follow the spec.
    const name = `KV_${b.name}`;
    const info = await bus.jsm.streams.info(name);
    if (info.config.max_age !== nanos(b.ttlMs) || info.config.max_msgs_per_subject !== b.history || info.config.num_replicas !== o.replicas) {
      await bus.jsm.streams.update(name, { ...info.config, max_age: nanos(b.ttlMs), max_msgs_per_subject: b.history, num_replicas: o.replicas });
    }
  }
  return { streams: o.streams.length, consumers: o.consumers.length, buckets: o.buckets.length };
}
