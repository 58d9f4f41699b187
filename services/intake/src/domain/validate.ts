import type { CustomerContext, InboundMessage, Order, Ticket } from '@handrail/contracts';
import type { FieldProblem } from '@handrail/errors';
import { ticketIdFor } from '@handrail/events';

export const LIMITS = {
  bodyChars: 20_000,
  subjectChars: 500,
  externalIdChars: 200,
  orders: 50,
  metadataEntries: 50,
  metadataKeyChars: 64,
  metadataValueChars: 1_000,
  shortChars: 64,
  orderTextChars: 200,
} as const;
/** C0 controls other than tab, LF and CR (and DEL): never customer text, and \u0001 marks sealed text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
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
  if (m.subject && CONTROL.test(m.subject)) p.push({ field: f('subject'), problem: 'must not contain control characters' });
  if (m.body && CONTROL.test(m.body)) p.push({ field: f('body'), problem: 'must not contain control characters' });
  if (m.locale.length > LIMITS.shortChars) p.push({ field: f('locale'), problem: `must be at most ${LIMITS.shortChars} characters` });
  if (m.sentAt.length > LIMITS.shortChars) p.push({ field: f('sent_at'), problem: `must be at most ${LIMITS.shortChars} characters` });
  if (m.channel && !CHANNELS.has(m.channel)) p.push({ field: f('channel'), problem: `must be one of ${[...CHANNELS].join(', ')}` });
  if (m.sentAt && Number.isNaN(Date.parse(m.sentAt))) p.push({ field: f('sent_at'), problem: 'must be an RFC 3339 time' });
  if (m.orders.length > LIMITS.orders) p.push({ field: f('orders'), problem: `at most ${LIMITS.orders} orders` });
  m.orders.forEach((o, i) => {
    if (!o.orderId) p.push({ field: f(`orders[${i}].order_id`), problem: 'is required' });
    if (o.orderId.length > LIMITS.shortChars * 2) p.push({ field: f(`orders[${i}].order_id`), problem: `must be at most ${LIMITS.shortChars * 2} characters` });
    for (const k of ['currency', 'status', 'condition', 'placedAt', 'deliveredAt'] as const) {
      if (o[k].length > LIMITS.orderTextChars) p.push({ field: f(`orders[${i}].${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`), problem: `must be at most ${LIMITS.orderTextChars} characters` });
    }
    if (!Number.isFinite(o.amount) || o.amount < 0) p.push({ field: f(`orders[${i}].amount`), problem: 'must be a non-negative number' });
    for (const k of ['placedAt', 'deliveredAt'] as const) {
      if (o[k] && Number.isNaN(Date.parse(o[k]))) p.push({ field: f(`orders[${i}].${k === 'placedAt' ? 'placed_at' : 'delivered_at'}`), problem: 'must be an RFC 3339 time' });
    }
  });
  const meta = Object.entries(m.metadata);
  if (meta.length > LIMITS.metadataEntries) p.push({ field: f('metadata'), problem: `at most ${LIMITS.metadataEntries} entries` });
  for (const [k, v] of meta.slice(0, LIMITS.metadataEntries + 1)) {
    const key = k.slice(0, LIMITS.metadataKeyChars);
    if (k.length > LIMITS.metadataKeyChars || !/^[A-Za-z0-9_.-]+$/.test(k)) p.push({ field: f(`metadata.${key}`), problem: `keys must be 1-${LIMITS.metadataKeyChars} letters, digits, _ . or -` });
    if (v.length > LIMITS.metadataValueChars) p.push({ field: f(`metadata.${key}`), problem: `must be at most ${LIMITS.metadataValueChars} characters` });
    if (CONTROL.test(v)) p.push({ field: f(`metadata.${key}`), problem: 'must not contain control characters' });
  }
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
