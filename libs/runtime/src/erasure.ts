import { Kvm } from '@nats-io/kv';
import { readStream, type Bus } from '@handrail/bus';
import { assertToken, type Topology } from '@handrail/events';
import type { Trust } from './trust.js';

export interface ErasureRecord {
  v: 1;
  customerId: string;
  by: string;
  via: string;
  reason: string;
  at: string;
  keysDestroyed: number;
  kvEntriesErased: number;
  messagesErased: number;
}

/** Does a clear-text message (inbound JSON or a dead-lettered copy) belong to the customer? */
function mentions(data: Uint8Array, customerId: string): boolean {
  const text = new TextDecoder().decode(data);
  if (!text.includes(customerId)) return false;
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    return raw['customerId'] === customerId || raw['customer_id'] === customerId;
  } catch {
    // Not JSON (a dead-lettered garbage payload): the id appearing in it is enough to erase it.
    return true;
  }
}

/**
 * `handrail privacy erase` (issue 11): crypto-shredding. Destroys the customer's data keys (every
 * sealed copy of their text in the events, outbound and dead-letter streams becomes `[erased]`),
 * securely erases their KV entries and the clear-text copies in the inbound and dead-letter streams,
 * and appends a signed erasure record. The events themselves stay, so the audit chain still verifies.
 */
export async function eraseCustomer(bus: Bus, topo: Topology, trust: Trust, customerId: string, who: { by: string; via: string; reason: string }, now = new Date()): Promise<ErasureRecord> {
  assertToken('customer id', customerId);
  const keysDestroyed = await trust.keys.erase(customerId);
  let kvEntriesErased = 0;
  const kvm = new Kvm(bus.js);
  for (const bucket of [topo.buckets.customers, topo.buckets.contacts]) {
    const kv = await kvm.open(bucket);
    const seqs: number[] = [];
    for await (const e of await kv.history({ key: customerId })) if (e.operation === 'PUT') seqs.push(e.revision);
    for (const seq of seqs) await bus.jsm.streams.deleteMessage(`KV_${bucket}`, seq, true);
    if (seqs.length > 0) await kv.purge(customerId);
    kvEntriesErased += seqs.length;
  }
  let messagesErased = 0;
  for (const [stream, filter] of [
    [topo.streams.inbound, topo.subjects.allInbound()],
    [topo.streams.deadLetter, topo.subjects.allDeadLetters()],
  ] as const) {
    for (const m of await readStream(bus, stream, filter, { max: 10_000_000, idleMs: 300 })) {
      if (!mentions(m.data, customerId)) continue;
      await bus.jsm.streams.deleteMessage(stream, m.seq, true);
      messagesErased++;
    }
  }
  const record: ErasureRecord = { v: 1, customerId, by: who.by, via: who.via, reason: who.reason, at: now.toISOString(), keysDestroyed, kvEntriesErased, messagesErased };
  await trust.publishAudit('erasure', record, `erasure:${customerId}:${now.getTime()}`);
  return record;
}
