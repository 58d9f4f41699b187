import { describe, expect, it } from 'vitest';
import { ticketIdFor } from './index.js';

describe('ticket identity', () => {
  it('ticket id — is stable per connector and external id, and subject-safe', () => {
    expect(ticketIdFor('zendesk', 'z-1')).toBe(ticketIdFor('zendesk', 'z-1'));
    expect(ticketIdFor('zendesk', 'z-1')).not.toBe(ticketIdFor('intercom', 'z-1'));
    expect(ticketIdFor('a', 'b.c>*')).toMatch(/^t-[0-9a-f]{24}$/);
  });

  it('ticket id — does not change across releases (stored tickets and dedupe keys depend on it)', () => {
    expect(ticketIdFor('zendesk', 'z-1')).toBe('t-d38fd228c5e8a1f41ad9b4fb');
  });
});
