import type { EventEnvelope } from '@handrail/contracts';
import { aesOpen, aesSeal, type KeyStore } from './keys.js';

/** What a reader sees where a customer's text was, once their keys are destroyed. */
export const ERASED = '[erased]';
/** Sealed with a key this reader cannot unwrap (another deployment's, or a wrong key-encryption key). */
export const UNREADABLE = '[unreadable]';
const PREFIX = '\u0001hr1.';

/**
 * Fields that hold the customer's words or identifiers, or text derived from them (drafts quote the
 * ticket, evidence quotes matches): sealed wherever they appear in a payload. Metadata values too.
 * Decisions (route, area, reason codes, scores) stay readable, so reports and audit survive erasure.
 */
const SENSITIVE = new Set(['subject', 'body', 'text', 'finalText', 'note', 'summary', 'evidence', 'value', 'injection', 'detail', 'words']);
const SENSITIVE_MAPS = new Set(['metadata']);

export function isSealed(s: string): boolean {
  return s.startsWith(PREFIX);
}

type Visit = (s: string) => string;

/** Replaces sensitive strings in place (synchronous: keys are fetched before the walk). */
function walk(node: unknown, visit: Visit, sensitive: boolean): unknown {
  if (typeof node === 'string') return sensitive && node.length > 0 ? visit(node) : node;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = walk(node[i], visit, sensitive);
    return node;
  }
  // Sensitivity covers a key's string or list of strings, never a nested object (whose own keys decide).
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (SENSITIVE_MAPS.has(k) && o[k] && typeof o[k] === 'object') {
        const m = o[k] as Record<string, unknown>;
        for (const mk of Object.keys(m)) m[mk] = walk(m[mk], visit, true);
      } else {
        o[k] = walk(o[k], visit, SENSITIVE.has(k));
      }
    }
  }
  return node;
}

function kidOf(s: string): string | undefined {
  const body = s.slice(PREFIX.length);
  const dot = body.lastIndexOf('.');
  return dot > 0 ? body.slice(0, dot) : undefined;
}

/** Seals and opens the customer text of envelopes with the customer's data key. */
export class EnvelopeSealer {
  constructor(private readonly keys: KeyStore) {}

  /** A copy of `env` whose customer text is encrypted (AES-256-GCM) under the customer's current key. */
  async seal(env: EventEnvelope, now?: Date): Promise<EventEnvelope> {
    if (!env.customerId || !env.payload) return env;
    const { kid, key } = await this.keys.keyFor(env.customerId, now);
    const copy = structuredClone(env);
    if (!copy.payload) return copy;
    walk(copy.payload.value, (s) => (isSealed(s) ? s : `${PREFIX}${kid}.${aesSeal(key, Buffer.from(s, 'utf8'), kid).toString('base64url')}`), false);
    return copy;
  }

  /** Decrypts in place; text whose key was destroyed reads `[erased]`. */
  async open<T extends EventEnvelope>(env: T): Promise<T> {
    if (!env.payload) return env;
    // Which keys this envelope needs (usually one), fetched once each; then one synchronous pass.
    const kids = new Set<string>();
    walk(env.payload.value, (s) => {
      const kid = isSealed(s) ? kidOf(s) : undefined;
      if (kid) kids.add(kid);
      return s;
    }, false);
    if (kids.size === 0) return env;
    const keys = new Map<string, Buffer | 'unreadable' | undefined>();
    for (const kid of kids) {
      try {
        keys.set(kid, await this.keys.key(kid));
      } catch {
        keys.set(kid, 'unreadable');
      }
    }
    walk(env.payload.value, (s) => this.#openWith(s, keys), false);
    return env;
  }

  #openWith(s: string, keys: Map<string, Buffer | 'unreadable' | undefined>): string {
    if (!isSealed(s)) return s;
    const kid = kidOf(s);
    const key = kid ? keys.get(kid) : undefined;
    if (key === 'unreadable') return UNREADABLE;
    if (!key || !kid) return ERASED;
    try {
      return aesOpen(key, Buffer.from(s.slice(PREFIX.length + kid.length + 1), 'base64url'), kid).toString('utf8');
    } catch {
      return ERASED;
    }
  }

  async openString(s: string): Promise<string> {
    if (!isSealed(s)) return s;
    const body = s.slice(PREFIX.length);
    const dot = body.lastIndexOf('.');
    const kid = body.slice(0, dot);
    let key: Buffer | undefined;
    try {
      key = dot > 0 ? await this.keys.key(kid) : undefined;
    } catch {
      return UNREADABLE;
    }
    if (!key) return ERASED;
    try {
      return aesOpen(key, Buffer.from(body.slice(dot + 1), 'base64url'), kid).toString('utf8');
    } catch {
      return ERASED;
    }
  }
}
