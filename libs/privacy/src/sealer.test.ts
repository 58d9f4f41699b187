import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { newEvent } from '@handrail/events';
import { EnvelopeSealer, ERASED, isSealed } from './sealer.js';
import type { KeyStore } from './keys.js';

function memoryKeys(): KeyStore & { erased: Set<string> } {
  const keys = new Map<string, Buffer>();
  const erased = new Set<string>();
  return {
    erased,
    async keyFor(customerId) {
      const kid = `${customerId}.1`;
      if (!keys.has(kid)) keys.set(kid, randomBytes(32));
      return { kid, key: keys.get(kid)! };
    },
    async key(kid) {
      return keys.get(kid);
    },
    async erase(customerId) {
      let n = 0;
      for (const k of [...keys.keys()]) {
        if (!k.startsWith(`${customerId}.`)) continue;
        keys.delete(k);
        n++;
      }
      erased.add(customerId);
      return n;
    },
    async close() {},
  };
}

const received = (customerId: string) =>
  newEvent({
    kind: 'received',
    ticketId: 't-1',
    customerId,
    producer: { service: 'intake', version: '1', instance: 'a' },
    value: {
      ticket: {
        ticketId: 't-1', connector: 'c', externalId: 'e', channel: 'email', customerId, subject: 'my card', body: 'call me on +44 7700 900123, jane@example.com',
        receivedAt: '2024-01-01T00:00:00Z', locale: 'en', customer: undefined, orders: [], metadata: { phone: '+1 555 0100' },
      },
    },
  });

describe('privacy sealer', () => {
  it('sealer — customer text and metadata are ciphertext on the wire, ids and decisions stay clear, and open restores them', async () => {
    const keys = memoryKeys();
    const sealer = new EnvelopeSealer(keys);
    const env = received('c-1');
    const sealed = await sealer.seal(env);
    const json = JSON.stringify(sealed);
    expect(json).not.toMatch(/jane@example|7700|555 0100|my card/);
    expect(sealed.payload?.$case === 'received' && sealed.payload.value.ticket?.ticketId).toBe('t-1');
    expect(sealed.payload?.$case === 'received' && isSealed(sealed.payload.value.ticket?.body ?? '')).toBe(true);
    const opened = await sealer.open(sealed);
    expect(opened).toEqual(env);
  });

  it('sealer — after erasure the text reads [erased], other customers are intact', async () => {
    const keys = memoryKeys();
    const sealer = new EnvelopeSealer(keys);
    const a = await sealer.seal(received('c-1'));
    const b = await sealer.seal(received('c-2'));
    await keys.erase('c-1');
    const oa = await sealer.open(a);
    const ob = await sealer.open(b);
    expect(oa.payload?.$case === 'received' && oa.payload.value.ticket?.body).toBe(ERASED);
    expect(oa.payload?.$case === 'received' && oa.payload.value.ticket?.metadata['phone']).toBe(ERASED);
    expect(ob.payload?.$case === 'received' && ob.payload.value.ticket?.body).toMatch(/jane@example.com/);
  });
});
