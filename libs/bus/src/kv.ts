import { Kvm, type KV } from '@nats-io/kv';
import { HandrailError } from '@handrail/errors';
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

/**
 * Binds to a bucket the provisioner created; never creates one (services run with identities that may
 * not). A missing bucket fails start-up with what to run.
 */
export async function bindBucket(bus: Bus, name: string): Promise<KV> {
  try {
    await bus.jsm.streams.info(`KV_${name}`);
  } catch (err) {
    const msg = (err as Error).message;
    if (/not found/i.test(msg)) throw new HandrailError('failed_precondition', `KV bucket ${name} does not exist (run \`handrail provision\`)`);
    throw err;
  }
  return new Kvm(bus.js).open(name);
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
