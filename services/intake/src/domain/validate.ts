import type { CustomerContext, InboundMessage, Order, Ticket } from '@handrail/contracts';
import type { FieldProblem } from '@handrail/errors';
import { ticketIdFor } from '@handrail/events';

export const LIMITS = { bodyChars: 20_000, subjectChars: 500, externalIdChars: 200, orders: 50, metadataEntries: 50 } as const;
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const CHANNELS = new Set(['email', 'chat', 'web', 'phone', 'sms', 'social', 'api']);

/** Every problem with an inbound message, each naming its field; empty means valid. */
export function validateInbound(m: InboundMessage | undefined, path = 'message'): FieldProblem[] {
  if (!m) return [{ field: path, problem: 'is required' }];
  const p: FieldProblem[] = [];
  const f = (name: string) => `${path}.${name}`;
  if (!m.connector) p.push({ field: f('connector'), problem: 'is required' });
  else if (!TOKEN.test(m.connector)) p.push({ field: f('connector'), problem: 'must be 1-64 letters, digits, _ or -' });
  if (!m.externalId) p.push({ field: f('external_id'), problem: 'is required' });
  else if (m.externalId.length > LIMITS.externalIdChars) p.push({ field: f('external_id'), problem: `must be at most ${LIMITS.externalIdChars} characters` });
  if (!m.customerId) p.push({ field: f('customer_id'), problem: 'is required' });
  else if (!TOKEN.test(m.customerId)) p.push({ field: f('customer_id'), problem: 'must be 1-64 letters, digits, _ or -' });
  if (!m.body || m.body.trim() === '') p.push({ field: f('body'), problem: 'must not be empty' });
  else if (m.body.length > LIMITS.bodyChars) p.push({ field: f('body'), problem: `must be at most ${LIMITS.bodyChars} characters` });
  if (m.subject.length > LIMITS.subjectChars) p.push({ field: f('subject'), problem: `must be at most ${LIMITS.subjectChars} characters` });
  if (m.channel && !CHANNELS.has(m.channel)) p.push({ field: f('channel'), problem: `must be one of ${[...CHANNELS].join(', ')}` });
  if (m.sentAt && Number.isNaN(Date.parse(m.sentAt))) p.push({ field: f('sent_at'), problem: 'must be an RFC 3339 time' });
  if (m.orders.length > LIMITS.orders) p.push({ field: f('orders'), problem: `at most ${LIMITS.orders} orders` });
  m.orders.forEach((o, i) => {
    if (!o.orderId) p.push({ field: f(`orders[${i}].order_id`), problem: 'is required' });
    if (!Number.isFinite(o.amount) || o.amount < 0) p.push({ field: f(`orders[${i}].amount`), problem: 'must be a non-negative number' });
    for (const k of ['placedAt', 'deliveredAt'] as const) {
      if (o[k] && Number.isNaN(Date.parse(o[k]))) p.push({ field: f(`orders[${i}].${k === 'placedAt' ? 'placed_at' : 'delivered_at'}`), problem: 'must be an RFC 3339 time' });
    }
  });
  if (Object.keys(m.metadata).length > LIMITS.metadataEntries) p.push({ field: f('metadata'), problem: `at most ${LIMITS.metadataEntries} entries` });
  return p;
}

export interface CustomerProfile {
  tier: string;
  accountValue: number;
  highRisk: boolean;
}

export const UNKNOWN_CUSTOMER: CustomerProfile = { tier: 'standard', accountValue: 0, highRisk: false };

export function buildTicket(m: InboundMessage, profile: CustomerProfile, priorContacts: number, now: Date): Ticket {
  const ticketId = ticketIdFor(m.connector, m.externalId);
  const customer: CustomerContext = {
    customerId: m.customerId,
    tier: profile.tier,
    accountValue: profile.accountValue,
    priorContacts,
    repeatOf: [],
    highRisk: profile.highRisk,
  };
  return {
    ticketId,
    connector: m.connector,
    externalId: m.externalId,
    channel: m.channel || 'api',
    customerId: m.customerId,
    subject: m.subject,
    body: m.body,
    receivedAt: now.toISOString(),
    locale: m.locale || 'en',
    customer,
    orders: m.orders.map((o): Order => ({ ...o, currency: o.currency || 'USD' })),
    metadata: { ...m.metadata },
  };
}
