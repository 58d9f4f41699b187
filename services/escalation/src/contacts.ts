import { decodeJson, encodeJson, type KV } from '@handrail/bus';
import { appendContact, contactLookup, historyWindowHours, type ContactLookup, type ContactRecord } from '@handrail/decisions';
import { HandrailError } from '@handrail/errors';
import type { PolicyPack } from '@handrail/policy';

/**
 * Reads the customer's contact history, works out what it says about `current`, and records
 * `current` in it — with optimistic concurrency, so two tickets of one customer never lose each other.
 */
export async function recordContact(kv: KV, customerId: string, current: ContactRecord, pack: PolicyPack): Promise<ContactLookup> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await kv.get(customerId);
    const history = entry?.value.length ? decodeJson<ContactRecord[]>(entry.value) : [];
    const lookup = contactLookup(history, current, pack);
    const next = appendContact(history, current, historyWindowHours(pack));
    // A redelivery: this ticket is recorded already, and the answer above is the one it got then.
    if (next.length === history.length && history.some((h) => h.ticketId === current.ticketId)) return lookup;
    try {
      if (entry && entry.operation === 'PUT') await kv.update(customerId, encodeJson(next), entry.revision);
      else await kv.create(customerId, encodeJson(next));
      return lookup;
    } catch {
      // Another ticket of the same customer wrote first; read again.
    }
  }
  throw new HandrailError('unavailable', 'contact history kept changing; will retry');
}
