import { describe, expect, it } from 'vitest';
import { InboundMessage } from '@handrail/contracts';
import { buildTicket, UNKNOWN_CUSTOMER, validateInbound } from './validate.js';

const valid = (over: Partial<InboundMessage> = {}): InboundMessage =>
  InboundMessage.fromPartial({ connector: 'zendesk', externalId: 'z-1', customerId: 'c-1', body: 'Where is my order?', channel: 'email', ...over });

describe('intake validation', () => {
  it('validation — accepts a well-formed message', () => {
    expect(validateInbound(valid())).toEqual([]);
  });

  it('validation — names every bad field', () => {
    const problems = validateInbound(
      valid({ connector: 'bad connector', externalId: '', body: '   ', channel: 'pigeon', sentAt: 'yesterday', orders: [{ orderId: '', amount: -3, currency: '', placedAt: 'x', deliveredAt: '', status: '', condition: '' }] }),
    );
    const fields = problems.map((p) => p.field);
    expect(fields).toEqual(
      expect.arrayContaining(['message.connector', 'message.external_id', 'message.body', 'message.channel', 'message.sent_at', 'message.orders[0].order_id', 'message.orders[0].amount', 'message.orders[0].placed_at']),
    );
  });

  it('validation — a missing message is one clear problem', () => {
    expect(validateInbound(undefined)).toEqual([{ field: 'message', problem: 'is required' }]);
  });
});

describe('ticket identity', () => {
  it('ticket — carries customer context and defaults', () => {
    const t = buildTicket(valid({ channel: '' }), { ...UNKNOWN_CUSTOMER, tier: 'vip', accountValue: 9000 }, 3, new Date('2026-01-01T00:00:00Z'));
    expect(t.channel).toBe('api');
    expect(t.customer?.tier).toBe('vip');
    expect(t.customer?.priorContacts).toBe(3);
    expect(t.receivedAt).toBe('2026-01-01T00:00:00.000Z');
  });
});
