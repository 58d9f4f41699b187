import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { StreamSpec, Topology } from '@handrail/events';
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
      num_replicas: 1,
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
    max_deliver: c.maxDeliver,
    ack_wait: nanos(c.ackWaitMs),
    max_ack_pending: c.maxAckPending,
  };
  try {
    await jsm.consumers.info(c.stream, c.durable);
    await jsm.consumers.update(c.stream, c.durable, {
      max_deliver: cfg.max_deliver,
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
