import { Kvm, type KV } from '@nats-io/kv';
import type { Bus } from './connection.js';

export type { KV };

export interface BucketOptions {
  history?: number;
  /** Milliseconds; 0 keeps forever. */
  ttlMs?: number;
}

/** Opens a KV bucket, creating it on first use (idempotent across replicas). */
export async function openBucket(bus: Bus, name: string, o: BucketOptions = {}): Promise<KV> {
  const kvm = new Kvm(bus.js);
  return kvm.create(name, { history: o.history ?? 1, ttl: o.ttlMs ?? 0 });
}

export async function deleteBucket(bus: Bus, name: string): Promise<void> {
  await bus.jsm.streams.delete(`KV_${name}`).catch(() => false);
}

export function encodeJson(v: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(v));
}

export function decodeJson<T>(data: Uint8Array): T {
  return JSON.parse(new TextDecoder().decode(data)) as T;
}
