import type { InboundMessage } from '@handrail/contracts';
import { decodeJson, encodeJson, type EventPublisher, type KV } from '@handrail/bus';
import { ValidationError } from '@handrail/errors';
import { newEvent, ticketIdFor } from '@handrail/events';
import type { Context } from '@handrail/observability';
import { buildTicket, UNKNOWN_CUSTOMER, validateInbound, type CustomerProfile } from './domain/index.js';

export interface AcceptorDeps {
  publisher: EventPublisher;
  producer: { service: string; version: string; instance: string };
  /** ticket id → first acceptance; answers "was this external id seen before?" beyond the dedupe window. */
  seen: KV;
  customers: KV;
  contacts: KV;
  now?: () => Date;
}

export interface Accepted {
  ticketId: string;
  duplicate: boolean;
}

/** Accepts one message; `traceContext` is the caller's (a gRPC call's or a delivery's span), propagated to `received`. */
export type Accept = (m: InboundMessage | undefined, traceContext?: Context) => Promise<Accepted>;

/** Accepts one connector message (from gRPC or the inbound subject) and emits `received` once. */
export function createAcceptor(d: AcceptorDeps): Accept {
  const now = d.now ?? (() => new Date());
  return async (m, traceContext) => {
    const problems = validateInbound(m);
    if (problems.length > 0 || !m) throw new ValidationError(problems);
    const ticketId = ticketIdFor(m.connector, m.externalId);
    if (await d.seen.get(ticketId)) return { ticketId, duplicate: true };
    const [profileEntry, historyEntry] = await Promise.all([d.customers.get(m.customerId), d.contacts.get(m.customerId)]);
    const profile: CustomerProfile = profileEntry?.value.length ? { ...UNKNOWN_CUSTOMER, ...decodeJson<Partial<CustomerProfile>>(profileEntry.value) } : UNKNOWN_CUSTOMER;
    const prior = historyEntry?.value.length ? decodeJson<unknown[]>(historyEntry.value).length : 0;
    const ticket = buildTicket(m, profile, prior, now());
    const ack = await d.publisher.publish(newEvent({ kind: 'received', value: { ticket }, ticketId, producer: d.producer, customerId: m.customerId }), { traceContext });
    await d.seen.put(ticketId, encodeJson({ connector: m.connector, externalId: m.externalId, at: ticket.receivedAt, seq: ack.seq }));
    return { ticketId, duplicate: ack.duplicate };
  };
}
