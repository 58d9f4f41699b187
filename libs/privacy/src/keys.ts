import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import { HandrailError } from '@handrail/errors';
import { assertToken } from '@handrail/events';

/**
 * The KMS seam of envelope encryption: wraps and unwraps data keys with a key-encryption key that
 * never leaves it. `LocalKeyWrapper` holds the KEK in memory (from a file); a cloud KMS or Vault
 * transit implementation wraps remotely and is a drop-in.
 */
export interface KeyWrapper {
  readonly id: string;
  wrap(dek: Buffer, aad: string): Promise<Buffer>;
  unwrap(wrapped: Buffer, aad: string): Promise<Buffer>;
}

export class LocalKeyWrapper implements KeyWrapper {
  readonly id = 'local-aes256gcm';
  constructor(private readonly kek: Buffer) {
    if (kek.length !== 32) throw new HandrailError('invalid_argument', 'the key-encryption key must be 32 bytes');
  }
  async wrap(dek: Buffer, aad: string): Promise<Buffer> {
    return aesSeal(this.kek, dek, aad);
  }
  async unwrap(wrapped: Buffer, aad: string): Promise<Buffer> {
    return aesOpen(this.kek, wrapped, aad);
  }
}

export function aesSeal(key: Buffer, plain: Buffer, aad: string): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([iv, ct, c.getAuthTag()]);
}

export function aesOpen(key: Buffer, blob: Buffer, aad: string): Buffer {
  if (blob.length < 28) throw new HandrailError('invalid_argument', 'ciphertext too short');
  const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(blob.subarray(blob.length - 16));
  return Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()]);
}

/** Per-customer data keys (envelope encryption). Erasing a customer destroys their keys: crypto-shredding. */
export interface KeyStore {
  /** The key to seal a customer's text written `now`, created on first use. */
  keyFor(customerId: string, now?: Date): Promise<{ kid: string; key: Buffer }>;
  /** A data key by id; undefined once erased (or past retention). */
  key(kid: string): Promise<Buffer | undefined>;
  /** Destroys every data key of the customer, leaving no copy in the store; returns how many. */
  erase(customerId: string): Promise<number>;
  close(): Promise<void>;
}

interface StoredKey {
  v: 1;
  wrapper: string;
  wrapped: string;
  created: string;
}

export interface KvKeyStoreOptions {
  /** Keys rotate per epoch so that the bucket's max age bounds how long customer text stays readable. */
  epochDays?: number;
  /** Securely erases a stored message (JetStream MSG.DELETE overwrites it); needed only to erase. */
  eraseMessage?: (seq: number) => Promise<void>;
}

const kvKey = (kid: string) => `c.${kid}`;

/**
 * Data keys in a NATS KV bucket, each wrapped by the `KeyWrapper`. Services keep unwrapped keys in
 * memory and drop a customer's the moment the bucket shows their erasure.
 */
export class KvKeyStore implements KeyStore {
  readonly #cache = new Map<string, Buffer>();
  readonly #epochMs: number;

  constructor(
    private readonly kv: KV,
    private readonly wrapper: KeyWrapper,
    private readonly o: KvKeyStoreOptions = {},
  ) {
    this.#epochMs = (o.epochDays ?? 30) * 86_400_000;
  }

  /**
   * Forgets every cached key of a customer (called when a signed erasure record arrives). Watching
   * the bucket instead would push every new key to every replica: one message per ticket each.
   */
  forget(customerId: string): void {
    for (const kid of [...this.#cache.keys()]) if (kid.startsWith(`${customerId}.`)) this.#cache.delete(kid);
  }

  async keyFor(customerId: string, now: Date = new Date()): Promise<{ kid: string; key: Buffer }> {
    assertToken('customer id', customerId);
    const kid = `${customerId}.${Math.floor(now.getTime() / this.#epochMs)}`;
    const cached = this.#cache.get(kid);
    if (cached) return { kid, key: cached };
    const existing = await this.key(kid);
    if (existing) return { kid, key: existing };
    const dek = randomBytes(32);
    const record: StoredKey = { v: 1, wrapper: this.wrapper.id, wrapped: (await this.wrapper.wrap(dek, kid)).toString('base64'), created: now.toISOString() };
    try {
      await this.kv.create(kvKey(kid), new TextEncoder().encode(JSON.stringify(record)));
    } catch {
      // Another replica created it first (or it was erased and is re-created): use the stored one.
      const again = await this.#load(kid);
      if (again) return { kid, key: again };
      await this.kv.put(kvKey(kid), new TextEncoder().encode(JSON.stringify(record)));
    }
    this.#cache.set(kid, dek);
    return { kid, key: dek };
  }

  async #load(kid: string): Promise<Buffer | undefined> {
    const e = await this.kv.get(kvKey(kid));
    if (!e || e.operation !== 'PUT' || e.value.length === 0) return undefined;
    const rec = JSON.parse(new TextDecoder().decode(e.value)) as StoredKey;
    return this.wrapper.unwrap(Buffer.from(rec.wrapped, 'base64'), kid);
  }

  async key(kid: string): Promise<Buffer | undefined> {
    const cached = this.#cache.get(kid);
    if (cached) return cached;
    const k = await this.#load(kid);
    // Only a present key is cached: "absent" may still become present (another replica creating it).
    if (k) this.#cache.set(kid, k);
    return k;
  }

  async erase(customerId: string): Promise<number> {
    assertToken('customer id', customerId);
    if (!this.o.eraseMessage) throw new HandrailError('failed_precondition', 'this key store was opened without the right to erase');
    const keys: string[] = [];
    for await (const k of await this.kv.keys(`c.${customerId}.>`)) keys.push(k);
    let destroyed = 0;
    for (const k of keys) {
      const seqs: number[] = [];
      for await (const e of await this.kv.history({ key: k })) if (e.operation === 'PUT') seqs.push(e.revision);
      // Overwrite every stored copy of the wrapped key, then leave a purge marker that replicas watch.
      for (const seq of seqs) await this.o.eraseMessage(seq);
      await this.kv.purge(k);
      this.#cache.delete(k.slice(2));
      destroyed++;
    }
    return destroyed;
  }

  async close(): Promise<void> {
    this.#cache.clear();
  }
}
