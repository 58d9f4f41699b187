import { describe, expect, it } from 'vitest';
import { extractEntities } from './entities.js';

describe('entities — extraction', () => {
  it.each([
    ['where is order #A1234?', { kind: 'order_id', value: '#A1234' }],
    ['my order 123456 is late', { kind: 'order_id', value: '123456' }],
    ['I was charged $45.99 twice', { kind: 'amount', value: '$45.99' }],
    ['refund 45 dollars please', { kind: 'amount', value: '45 dollars' }],
    ['it cost €20', { kind: 'amount', value: '€20' }],
    ['email me at jane.doe@example.com', { kind: 'email', value: 'jane.doe@example.com' }],
    ['call me on +1 555-123-4567', { kind: 'phone', value: '+1 555-123-4567' }],
    ['it was delivered on 2024-03-05', { kind: 'date', value: '2024-03-05' }],
    ['I ordered it on March 3rd', { kind: 'date', value: 'March 3rd' }],
    ['it came yesterday', { kind: 'date', value: 'yesterday' }],
  ])('%s', (text, entity) => {
    expect(extractEntities(text)).toContainEqual(entity);
  });
  it('returns nothing for plain text and does not double count overlaps', () => {
    expect(extractEntities('hello there')).toEqual([]);
    expect(extractEntities('order #A1234 for $10').map((e) => e.kind)).toEqual(['order_id', 'amount']);
  });
});
