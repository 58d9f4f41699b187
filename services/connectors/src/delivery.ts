import type { EventEnvelope, ReplyFailed, ReplySent } from '@handrail/contracts';
import { ack, deadLetter, retry, type Delivery, type Outcome } from '@handrail/bus';
import type { Logger } from '@handrail/observability';
import type { AccountConfig } from './config.js';
import { mayReply, retryDelayMs, type RetryPolicy } from './domain/index.js';
import type { HelpdeskApi } from './providers/api.js';
import { HelpdeskHttpError } from './providers/http.js';
import { apiKey } from './normaliser.js';
import type { ConnectorStore, LinkRecord } from './store.js';

export type DeliveryKind = 'reply' | 'note' | 'handoff';

export interface DeliveryDeps {
  store: ConnectorStore;
  accounts: readonly AccountConfig[];
  apis: ReadonlyMap<string, HelpdeskApi>;
  policy: RetryPolicy & { maxAttempts: number };
  emitSent(cause: EventEnvelope, v: ReplySent): Promise<void>;
  emitFailed(cause: EventEnvelope, v: ReplyFailed): Promise<void>;
  log: Logger;
  counters: Record<string, number>;
  random?: () => number;
}

export interface DeliveryJob {
  kind: DeliveryKind;
  link: LinkRecord;
  ticketId: string;
  body: string;
  visibility: 'public' | 'internal';
  /** The same for every attempt at this delivery: the helpdesk call and our record of it share it. */
  idempotencyKey: string;
  /** Handoff: the group or team the queue maps to. */
  groupId?: string;
  cause: EventEnvelope;
}

/**
 * Delivers one reply, note or handoff to the helpdesk, exactly once however often it is attempted:
 * a delivery recorded as sent is not sent again; after an attempt whose answer was lost the thread
 * is searched for it first; a customer-visible reply is sent only after re-reading who owns the
 * ticket. 429 and 5xx are retried with jitter (honouring `Retry-After`) up to `maxAttempts`, then
 * dead-lettered with the reason; every end is a `reply_sent` or `reply_failed` event.
 */
export function createDeliverer(d: DeliveryDeps): (job: DeliveryJob, delivery: Pick<Delivery<unknown>, 'deliveryCount'>) => Promise<Outcome> {
  const count = (k: string) => (d.counters[k] = (d.counters[k] ?? 0) + 1);
  return async (job, delivery) => {
    const { link } = job;
    const attempts = delivery.deliveryCount;
    const base = { ticketId: job.ticketId, connector: link.provider, ticketKey: link.ticketKey, kind: job.kind };
    const failed = async (reason: string, detail: string, httpStatus = 0) => {
      count(`failed_${job.kind}_${reason}`);
      await d.emitFailed(job.cause, { ...base, reason, detail, attempts, httpStatus });
    };
    const sent = async (providerMessageId: string) => {
      count(`sent_${job.kind}`);
      await d.emitSent(job.cause, { ...base, visibility: job.visibility, providerMessageId, idempotencyKey: job.idempotencyKey, attempts, assignedGroup: job.groupId ?? '' });
    };
    const acct = d.accounts.find((a) => a.provider === link.provider && a.account === link.account);
    const api = d.apis.get(apiKey(link.provider, link.account));
    if (!acct || !api) {
      await failed('not_linked', `no configured ${link.provider} account ${link.account}`);
      return ack();
    }
    try {
      const done = await d.store.sent(job.idempotencyKey);
      if (!done && attempts > 1) {
        // The last attempt may have gone through with its answer lost: look before sending again.
        const existing = await api.findOurMessage({ ticketId: link.providerTicketId, body: job.body, visibility: job.visibility });
        if (existing) {
          await d.store.recordSent(job.idempotencyKey, link, { providerMessageId: existing, at: new Date().toISOString() });
          count('found_after_lost_answer');
        }
      }
      const already = done ?? (await d.store.sent(job.idempotencyKey));
      let messageId = already?.providerMessageId;
      if (!already) {
        if (job.visibility === 'public') {
          const rec = await d.store.ticket(link.ticketKey);
          const now = await api.readTicket(link.providerTicketId);
          const gate = mayReply({ provider: link.provider, status: now.status, owner: now.owner, handoff: rec?.handoff ?? 'bot', requirePending: acct.requirePending });
          if (!gate.ok) {
            await failed(gate.reason, gate.detail);
            return ack();
          }
        }
        const r = await api.postMessage({ ticketId: link.providerTicketId, body: job.body, visibility: job.visibility, idempotencyKey: job.idempotencyKey, ...(link.provider === 'zendesk' && job.groupId ? { groupId: job.groupId } : {}) });
        messageId = r.messageId;
        await d.store.recordSent(job.idempotencyKey, link, { providerMessageId: r.messageId, at: new Date().toISOString() });
      }
      if (job.kind === 'handoff' && job.groupId) {
        // Zendesk set the group with the note in one call; Chatwoot needs the team and status set too (both idempotent).
        if (link.provider === 'chatwoot') await api.assign({ ticketId: link.providerTicketId, groupId: job.groupId, idempotencyKey: job.idempotencyKey });
        await d.store.updateTicket({ ...link, ticketKey: link.ticketKey }, (t) => ({ ...t, handoff: t.handoff === 'human' ? 'human' : 'awaiting_human', groupId: job.groupId ?? t.groupId }));
      }
      await sent(messageId ?? '');
      return ack();
    } catch (err) {
      if (!(err instanceof HelpdeskHttpError)) throw err;
      const retryable = err.retryable;
      if (retryable && attempts < d.policy.maxAttempts) {
        count('retried');
        const delay = retryDelayMs(attempts, err.retryAfterMs, d.policy, d.random);
        d.log.warn({ kind: job.kind, ticketId: job.ticketId, status: err.status, attempt: attempts, delayMs: delay }, 'helpdesk call failed; retrying');
        return retry(delay, err.message);
      }
      const reason = retryable ? 'gave_up' : 'rejected';
      await failed(reason, err.message, err.status);
      return deadLetter(`${reason} after ${attempts} attempt(s): ${err.message}`);
    }
  };
}
