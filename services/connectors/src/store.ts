import { createHash } from 'node:crypto';
import { decodeJson, encodeJson, type KV } from '@handrail/bus';
import type { HandoffState, Owner, Provider, TicketRef } from './domain/index.js';

/** What we know of one helpdesk ticket. */
export interface TicketRecord {
  ticketKey: string;
  provider: Provider;
  account: string;
  providerTicketId: string;
  status: string;
  assigneeId: string;
  groupId: string;
  owner: Owner;
  handoff: HandoffState;
  /** Our tickets (one per customer message), newest last; outcomes are reported on these. */
  links: string[];
  lastOccurredAt: string;
}

/** One of our tickets and the helpdesk message it came from. */
export interface LinkRecord {
  ticketKey: string;
  provider: Provider;
  account: string;
  providerTicketId: string;
  providerMessageId: string;
  /** Set once the inbound message is in JetStream: a link without it is retried, never skipped. */
  inboundSeq: number;
}

export interface SentRecord {
  providerMessageId: string;
  at: string;
}

const h = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 40);
const KEYS = {
  ticket: (ticketKey: string) => `t.${h(ticketKey)}`,
  link: (ticketId: string) => `l.${ticketId}`,
  sent: (idempotencyKey: string) => `s.${h(idempotencyKey)}`,
  echo: (provider: string, account: string, messageId: string) => `e.${h(`${provider}:${account}:${messageId}`)}`,
  cursor: (provider: string, account: string) => `c.${provider}.${account}`,
  lease: (name: string) => `lease.${name}`,
};

const MAX_LINKS = 50;

function isWrongSequence(err: unknown): boolean {
  const m = (err as Error).message ?? '';
  return /wrong last sequence|key exists/i.test(m);
}

/** The connectors' state in one KV bucket; updates are compare-and-set, so replicas never lose one. */
export class ConnectorStore {
  constructor(private readonly kv: KV) {}

  private async getJson<T>(key: string): Promise<{ value: T; revision: number } | undefined> {
    const e = await this.kv.get(key);
    if (!e || e.operation !== 'PUT' || e.value.length === 0) return undefined;
    return { value: decodeJson<T>(e.value), revision: e.revision };
  }

  /** Read-modify-write with the entry's revision; retried when another writer got there first. */
  async update<T>(key: string, fn: (current: T | undefined) => T): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.getJson<T>(key);
      const next = fn(cur?.value);
      try {
        if (cur) await this.kv.update(key, encodeJson(next), cur.revision);
        else await this.kv.create(key, encodeJson(next));
        return next;
      } catch (err) {
        if (!isWrongSequence(err) || attempt >= 20) throw err;
      }
    }
  }

  ticket(ticketKey: string): Promise<TicketRecord | undefined> {
    return this.getJson<TicketRecord>(KEYS.ticket(ticketKey)).then((r) => r?.value);
  }

  updateTicket(ref: TicketRef & { ticketKey: string }, fn: (t: TicketRecord) => TicketRecord): Promise<TicketRecord> {
    return this.update<TicketRecord>(KEYS.ticket(ref.ticketKey), (cur) =>
      fn(
        cur ?? {
          ticketKey: ref.ticketKey,
          provider: ref.provider,
          account: ref.account,
          providerTicketId: ref.providerTicketId,
          status: '',
          assigneeId: '',
          groupId: '',
          owner: 'none',
          handoff: 'bot',
          links: [],
          lastOccurredAt: '',
        },
      ),
    );
  }

  static withLink(t: TicketRecord, ticketId: string): TicketRecord {
    return t.links.includes(ticketId) ? t : { ...t, links: [...t.links, ticketId].slice(-MAX_LINKS) };
  }

  link(ticketId: string): Promise<LinkRecord | undefined> {
    return this.getJson<LinkRecord>(KEYS.link(ticketId)).then((r) => r?.value);
  }

  async putLink(ticketId: string, l: LinkRecord): Promise<void> {
    await this.kv.put(KEYS.link(ticketId), encodeJson(l));
  }

  sent(idempotencyKey: string): Promise<SentRecord | undefined> {
    return this.getJson<SentRecord>(KEYS.sent(idempotencyKey)).then((r) => r?.value);
  }

  async recordSent(idempotencyKey: string, ref: { provider: string; account: string }, s: SentRecord): Promise<void> {
    await this.kv.put(KEYS.sent(idempotencyKey), encodeJson(s));
    if (s.providerMessageId) await this.kv.put(KEYS.echo(ref.provider, ref.account, s.providerMessageId), encodeJson({ idempotencyKey, at: s.at }));
  }

  /** Is this helpdesk message one we posted? */
  async isOurs(provider: string, account: string, messageId: string): Promise<boolean> {
    return (await this.getJson(KEYS.echo(provider, account, messageId))) !== undefined;
  }

  async cursor(provider: string, account: string): Promise<number | undefined> {
    return (await this.getJson<{ sinceMs: number }>(KEYS.cursor(provider, account)))?.value.sinceMs;
  }

  async setCursor(provider: string, account: string, sinceMs: number): Promise<void> {
    await this.kv.put(KEYS.cursor(provider, account), encodeJson({ sinceMs }));
  }

  /** A lease one replica holds for `ttlMs` (renewable by its holder): one reconciler at a time. */
  async acquireLease(name: string, holder: string, ttlMs: number, nowMs: number): Promise<boolean> {
    try {
      let won = false;
      await this.update<{ holder: string; untilMs: number }>(KEYS.lease(name), (cur) => {
        won = !cur || cur.holder === holder || cur.untilMs < nowMs;
        return won ? { holder, untilMs: nowMs + ttlMs } : cur ?? { holder, untilMs: nowMs + ttlMs };
      });
      return won;
    } catch {
      return false;
    }
  }
}
