import { describe, expect, it } from 'vitest';
import { ValidationError } from '@handrail/errors';
import { parseInboundJson } from './strict-json.js';

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const problems = (o: unknown): string[] => {
  try {
    parseInboundJson(enc(o));
    return [];
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return err.fields.map((p) => `${p.field}: ${p.problem}`);
  }
};

describe('strict inbound JSON (issue 11)', () => {
  it('strict json — every field the contract declares is accepted, nested helpdesk messages included (regression: connectors\u2019 messages were dead-lettered)', () => {
    const m = parseInboundJson(enc({ connector: 'zendesk', external_id: 'a', body: 'hi', orders: [{ order_id: 'o1', amount: 5 }], metadata: { a: 'b' }, helpdesk: { provider: 'zendesk', customer: { email: 'x@y.z', verified: true }, ticket_state: { tags: ['vip'] } } }));
    expect(m.helpdesk?.customer?.verified).toBe(true);
    expect(m.helpdesk?.ticketState?.tags).toEqual(['vip']);
    expect(m.orders[0]?.amount).toBe(5);
  });
  it('strict json — unknown fields and wrong JSON types are named at any depth', () => {
    expect(problems({ body: { x: 1 } })).toEqual(['message.body: must be a string, got an object']);
    expect(problems({ nope: 1 })).toEqual(['message.nope: is not a field of InboundMessage']);
    expect(problems({ orders: [{ amount: '5' }] })).toEqual(['message.orders[0].amount: must be a number, got a string']);
    expect(problems({ orders: [{ wat: 1 }] })).toEqual(['message.orders[0].wat: is not a field of message.orders[0]']);
    expect(problems({ metadata: { a: 1 } })).toEqual(['message.metadata.a: must be a string, got a number']);
    expect(problems({ helpdesk: { customer: { verified: 'yes' } } })).toEqual(['message.helpdesk.customer.verified: must be a boolean, got a string']);
    expect(problems({ helpdesk: { zzz: 1 } })).toEqual(['message.helpdesk.zzz: is not a field of message.helpdesk']);
    expect(problems({ orders: 'x' })).toEqual(['message.orders: must be an array, got a string']);
    expect(problems({ helpdesk: { ticket_state: { tags: [1] } } })).toEqual(['message.helpdesk.ticket_state.tags[0]: must be a string, got a number']);
  });
});
