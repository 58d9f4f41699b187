import { createHash } from 'node:crypto';
import { CustomerProfile, InboundMessage, type EventEnvelope } from '@handrail/contracts';
import { ack, encodeJson, retry, backoffMs, type Delivery, type EventPublisher, type KV, type Outcome } from '@handrail/bus';
import { newEvent, ticketIdFor, type Topology } from '@handrail/events';
import type { Logger } from '@handrail/observability';
import type { AccountConfig } from './config.js';
import {
  customerIdOf,
  externalIdOf,
  nextHandoff,
  normaliseChatwoot,
  normaliseZendesk,
  profileFrom,
  statusOutcome,
  type HookEvent,
  type NormalisedMessage,
  type OutcomeKind,
  type TicketRef,
} from './domain/index.js';
import type { HelpdeskApi } from './providers/api.js';
import type { WebhookRecord } from './receiver.js';
import { ConnectorStore, type TicketRecord } from './store.js';

export interface NormaliserDeps {
  store: ConnectorStore;
  customers: KV;
  publisher: EventPublisher;
  topo: Topology;
  accounts: readonly AccountConfig[];
  apis: ReadonlyMap<string, HelpdeskApi>;
  producer: { service: string; version: string; instance: string };
  log: Logger;
  counters: Record<string, number>;
}

export const apiKey = (provider: string, account: string) => `${provider}/${account}`;
const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

/** The reconciler asks for one ticket to be re-read, on that ticket's partition like its webhooks. */
export interface ReconcileBody {
  ticket_id: string;
  /** Messages older than this were seen by an earlier poll or came before the connector. */
  since_ms: number;
}

/**
 * Turns each stored webhook into what Handrail acts on: customer messages become InboundMessages
 * (once per helpdesk message id), our own replies coming back are dropped, agents' replies and
 * status or assignment changes update who owns the ticket, and solved / reopened / satisfaction
 * become `helpdesk_outcome` events on the tickets the conversation produced. The consumer runs one
 * webhook at a time per partition, so a ticket's messages are handled one at a time, in order.
 */
export function createNormaliser(d: NormaliserDeps): (rec: WebhookRecord, delivery: Delivery<WebhookRecord>) => Promise<Outcome> {
  const count = (k: string) => (d.counters[k] = (d.counters[k] ?? 0) + 1);

  const outcome = async (ref: TicketRef, kind: OutcomeKind, rating: string, score: string, eventId: string, occurredAt: string) => {
    const key = `${ref.provider}:${ref.account}:${ref.providerTicketId}`;
    const rec = await d.store.ticket(key);
    if (!rec?.links.length) {
      count('outcome_unlinked');
      return;
    }
    for (const ticketId of rec.links) {
      const env: EventEnvelope = newEvent({
        kind: 'helpdeskOutcome',
        value: { ticketId, connector: ref.provider, ticketKey: key, kind, rating, score, occurredAt, providerEventId: eventId },
        ticketId,
        producer: d.producer,
        idSuffix: `${kind}.${short(eventId || `${kind}:${occurredAt}`)}`,
      });
      await d.publisher.publish(env);
    }
    count(`outcome_${kind}`);
  };

  const onMessage = async (m: NormalisedMessage, delivery: Delivery<WebhookRecord>, sinceMs?: number): Promise<Outcome | undefined> => {
    const h = m.helpdesk;
    const ref = { ...m.ref, ticketKey: h.ticketKey };
    if (sinceMs !== undefined && Date.parse(h.occurredAt) < sinceMs) return undefined;
    if (h.authorRole !== 'customer') {
      if (h.authorRole === 'bot' || (await d.store.isOurs(h.provider, h.account, h.providerMessageId))) {
        count('echo_ignored');
        return undefined;
      }
      if (h.authorRole === 'agent' && h.visibility === 'public') {
        // A person answered the customer: from now on the ticket is theirs.
        await d.store.updateTicket(ref, (t) => ({ ...t, handoff: nextHandoff(t.handoff, { owner: 'human', humanReplied: true, provider: m.ref.provider }), owner: 'human' }));
        count('human_replied');
      } else count('not_customer');
      return undefined;
    }
    if (h.visibility !== 'public' || !m.body.trim()) {
      count('empty_or_internal');
      return undefined;
    }
    const externalId = externalIdOf(h.account, h.providerMessageId);
    const ticketId = ticketIdFor(h.provider, externalId);
    const link = await d.store.link(ticketId);
    if (link?.inboundSeq) {
      count('duplicate_message');
      return undefined;
    }
    const api = d.apis.get(apiKey(h.provider, h.account));
    const acct = d.accounts.find((a) => a.provider === h.provider && a.account === h.account);
    const customerId = customerIdOf(m.ref.provider, h.account, m.customerContactId || 'unknown');
    if (api && acct && (acct.customer.tier || acct.customer.account_value || acct.customer.high_risk)) {
      try {
        const profile = profileFrom(await api.customerRecords(m), acct.customer);
        await d.customers.put(customerId, encodeJson(CustomerProfile.toJSON(profile)));
      } catch (err) {
        // Tier and value decide refund limits and escalations: wait for them a while, then go on with what intake has.
        if (delivery.deliveryCount < 3) return retry(backoffMs(delivery.deliveryCount, 500), `customer records unavailable: ${(err as Error).message}`);
        d.log.warn({ err, provider: h.provider, account: h.account }, 'customer records unavailable; intake uses the stored profile');
        count('profile_unavailable');
      }
    }
    await d.store.putLink(ticketId, { ticketKey: h.ticketKey, provider: m.ref.provider, account: h.account, providerTicketId: h.providerTicketId, providerMessageId: h.providerMessageId, inboundSeq: 0 });
    const state = h.ticketState;
    await d.store.updateTicket(ref, (t) => {
      const next: TicketRecord = ConnectorStore.withLink(t, ticketId);
      if (state && (!t.lastOccurredAt || h.occurredAt >= t.lastOccurredAt)) {
        next.status = state.status || t.status;
        next.assigneeId = state.assigneeId;
        next.groupId = state.groupId || t.groupId;
        next.owner = state.owner === 'bot' || state.owner === 'human' || state.owner === 'none' ? state.owner : t.owner;
        next.handoff = nextHandoff(t.handoff, { owner: next.owner, status: next.status, provider: m.ref.provider });
        next.lastOccurredAt = h.occurredAt;
      }
      return next;
    });
    const inbound = InboundMessage.fromPartial({
      connector: h.provider,
      externalId,
      channel: m.channel,
      customerId,
      subject: m.subject,
      body: m.body,
      sentAt: h.occurredAt,
      metadata: { ticket_key: h.ticketKey, provider_ticket_id: h.providerTicketId, provider_message_id: h.providerMessageId },
      helpdesk: h,
    });
    const pub = await d.publisher.publishRaw(d.topo.subjects.inbound(h.provider), encodeJson(InboundMessage.toJSON(inbound)), `inbound:${ticketId}`, { 'Content-Type': 'application/json' });
    await d.store.putLink(ticketId, { ticketKey: h.ticketKey, provider: m.ref.provider, account: h.account, providerTicketId: h.providerTicketId, providerMessageId: h.providerMessageId, inboundSeq: pub.seq });
    count(h.source === 'reconcile' ? 'forwarded_by_reconcile' : 'forwarded');
    return undefined;
  };

  const onState = async (e: Extract<HookEvent, { kind: 'state' }>) => {
    const key = `${e.ref.provider}:${e.ref.account}:${e.ref.providerTicketId}`;
    const before = await d.store.ticket(key);
    const previous = e.previousStatus ?? before?.status ?? '';
    let changedStatus = '';
    await d.store.updateTicket({ ...e.ref, ticketKey: key }, (t) => {
      // A late event about an older state does not undo a newer one.
      if (t.lastOccurredAt && e.occurredAt < t.lastOccurredAt) return t;
      const owner = e.state.owner ?? t.owner;
      const status = e.state.status || t.status;
      changedStatus = status;
      return {
        ...t,
        status,
        assigneeId: e.state.assigneeId ?? t.assigneeId,
        groupId: e.state.groupId || t.groupId,
        owner,
        handoff: nextHandoff(t.handoff, { owner, status, provider: e.ref.provider }),
        lastOccurredAt: e.occurredAt,
      };
    });
    count('state_updated');
    const o = changedStatus ? statusOutcome(previous, changedStatus) : undefined;
    if (o) await outcome(e.ref, o, '', '', e.eventId, e.occurredAt);
  };

  return async (rec, delivery) => {
    const acct = d.accounts.find((a) => a.provider === rec.provider && a.account === rec.account);
    if (!acct) {
      count('unknown_account');
      return ack();
    }
    const bot = { userIds: acct.botUserIds };
    let events: HookEvent[];
    let sinceMs: number | undefined;
    if (rec.source === 'reconcile') {
      const body = rec.body as ReconcileBody;
      const api = d.apis.get(apiKey(rec.provider, rec.account));
      if (!api) return ack();
      try {
        const messages = await api.messages(body.ticket_id, rec.receivedAt);
        events = messages.map((message) => ({ kind: 'message', message }));
        sinceMs = body.since_ms;
      } catch (err) {
        return retry(backoffMs(delivery.deliveryCount, 1000), `reconcile read failed: ${(err as Error).message}`);
      }
    } else if (rec.provider === 'zendesk') {
      events = normaliseZendesk(rec.body, { account: rec.account, receivedAt: rec.receivedAt, bot });
    } else {
      events = normaliseChatwoot(rec.body, { account: rec.account, receivedAt: rec.receivedAt, deliveryId: rec.deliveryId, bot });
    }
    // Oldest first: a batch (a reconciled thread) is replayed in the order it happened.
    const at = (e: HookEvent) => (e.kind === 'message' ? e.message.helpdesk.occurredAt : e.kind === 'ignored' ? '' : e.occurredAt);
    events.sort((a, b) => at(a).localeCompare(at(b)));
    for (const e of events) {
      switch (e.kind) {
        case 'message': {
          const r = await onMessage(e.message, delivery, sinceMs);
          if (r) return r;
          break;
        }
        case 'state':
          await onState(e);
          break;
        case 'outcome':
          await outcome(e.ref, e.outcome, e.rating, e.score, e.eventId, e.occurredAt);
          break;
        case 'ignored':
          count('ignored');
          d.log.debug({ provider: rec.provider, reason: e.reason }, 'webhook ignored');
          break;
      }
    }
    return ack();
  };
}
