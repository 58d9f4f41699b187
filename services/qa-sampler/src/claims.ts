import { decodeJson, encodeJson, type KV } from '@handrail/bus';
import { UnavailableError } from '@handrail/errors';

/** One certainty selection's quota: the tickets that hold its slots, oldest first. */
interface Slots {
  factor: string;
  tickets: string[];
}

/** The outcome of a claim: `held` is how many slots are taken once it is settled (this ticket's included when it holds one). */
export interface Claim {
  ok: boolean;
  held: number;
}

/** KV keys allow [-/_=.a-zA-Z0-9]: revisions hold `+`, factors `:`. */
const keyOf = (factor: string) => `f.${Buffer.from(factor).toString('base64url')}`;

/**
 * The QA sampler's certainty selections shared by all its replicas (issue 15: it ran as one replica
 * because these counts lived in the process). Each quota — the first N decisions after a revision, an
 * area's weekly minimum — is a KV entry listing the tickets that took its slots, changed only by
 * compare-and-set, so across replicas exactly N tickets get each quota's probability-1 selection.
 * A claim is idempotent per ticket: a redelivered decision finds its slot again and re-publishes the
 * same sample (same id, so JetStream drops the copy).
 */
export class ClaimLedger {
  constructor(private readonly kv: KV, private readonly attempts = 50) {}

  async claim(factor: string, quota: number, ticketId: string): Promise<Claim> {
    const key = keyOf(factor);
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const e = await this.kv.get(key);
      const slots = e && e.operation === 'PUT' && e.value.length > 0 ? decodeJson<Slots>(e.value) : undefined;
      if (slots?.tickets.includes(ticketId)) return { ok: true, held: slots.tickets.length };
      const taken = slots?.tickets.length ?? 0;
      if (taken >= quota) return { ok: false, held: taken };
      const next = encodeJson({ factor, tickets: [...(slots?.tickets ?? []), ticketId] } satisfies Slots);
      try {
        if (e && slots) await this.kv.update(key, next, e.revision);
        else await this.kv.create(key, next);
        return { ok: true, held: taken + 1 };
      } catch {
        // Another replica changed it first: read again.
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
      }
    }
    throw new UnavailableError(`could not settle the QA quota ${factor} after ${this.attempts} attempts`);
  }

  /** The tickets holding a quota's slots (for tests and the operator). */
  async holders(factor: string): Promise<string[]> {
    const e = await this.kv.get(keyOf(factor));
    return e && e.operation === 'PUT' && e.value.length > 0 ? decodeJson<Slots>(e.value).tickets : [];
  }
}
