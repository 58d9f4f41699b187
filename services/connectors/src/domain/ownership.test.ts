import { describe, expect, it } from 'vitest';
import { mayReply, nextHandoff } from './ownership.js';
import { retryAfterMs, retryDelayMs } from './retry.js';
import { profileFrom } from './customer.js';

describe('reply gate', () => {
  const base = { provider: 'zendesk' as const, status: 'open', owner: 'none' as const, handoff: 'bot' as const, requirePending: false };
  it('gate — a person holding the ticket, our handoff, a closed ticket or a Chatwoot conversation out of pending silence AI', () => {
    expect(mayReply(base)).toEqual({ ok: true });
    expect(mayReply({ ...base, owner: 'human' })).toMatchObject({ ok: false, reason: 'human_owner' });
    expect(mayReply({ ...base, handoff: 'awaiting_human' })).toMatchObject({ ok: false, reason: 'handed_off' });
    expect(mayReply({ ...base, status: 'closed' })).toMatchObject({ ok: false, reason: 'closed' });
    expect(mayReply({ ...base, provider: 'chatwoot', status: 'open', requirePending: true })).toMatchObject({ ok: false, reason: 'not_pending' });
    expect(mayReply({ ...base, provider: 'chatwoot', status: 'pending', owner: 'bot', requirePending: true })).toEqual({ ok: true });
    // A person wins over everything else, whatever the status says (chatwoot#14870).
    expect(mayReply({ ...base, provider: 'chatwoot', status: 'pending', owner: 'human', requirePending: true })).toMatchObject({ reason: 'human_owner' });
  });

  it('handoff state — a person or a human reply takes it; Chatwoot pending with the bot hands it back; nothing else changes it', () => {
    expect(nextHandoff('bot', { owner: 'human', provider: 'zendesk' })).toBe('human');
    expect(nextHandoff('bot', { owner: 'none', humanReplied: true, provider: 'zendesk' })).toBe('human');
    expect(nextHandoff('awaiting_human', { owner: 'none', status: 'open', provider: 'chatwoot' })).toBe('awaiting_human');
    expect(nextHandoff('human', { owner: 'bot', status: 'pending', provider: 'chatwoot' })).toBe('bot');
    expect(nextHandoff('awaiting_human', { owner: 'none', status: 'open', provider: 'zendesk' })).toBe('awaiting_human');
  });
});

describe('retry policy', () => {
  it('retry — Retry-After in seconds or as an HTTP date; unreadable is none', () => {
    const now = Date.parse('2025-01-07T10:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('Tue, 07 Jan 2025 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('later', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it('retry — waits at least what the helpdesk asked for (plus at most 10 %), else exponential back-off with jitter under the cap', () => {
    const p = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelayMs(1, 2000, p, () => 0)).toBe(2000);
    expect(retryDelayMs(1, 2000, p, () => 0.999)).toBeLessThanOrEqual(2200);
    expect(retryDelayMs(1, undefined, p, () => 0)).toBe(50);
    expect(retryDelayMs(3, undefined, p, () => 0.999)).toBeLessThanOrEqual(400);
    expect(retryDelayMs(3, undefined, p, () => 0)).toBeGreaterThanOrEqual(200);
    expect(retryDelayMs(20, undefined, p, () => 0.999)).toBeLessThanOrEqual(1000);
    const spread = new Set(Array.from({ length: 20 }, (_, i) => retryDelayMs(4, undefined, p, () => i / 20)));
    expect(spread.size).toBeGreaterThan(10);
  });
});

describe('customer mapping', () => {
  it('customer — tier, account value and risk from organisation and user fields, mapped; unknown values keep defaults', () => {
    const m = {
      tier: { from: 'organization.organization_fields.plan', map: { enterprise: 'vip' }, default: 'standard' },
      account_value: { from: 'organization.organization_fields.arr', default: 0 },
      high_risk: { from: 'user.user_fields.risk', true_values: ['high'] },
    };
    expect(profileFrom({ user: { user_fields: { risk: 'HIGH' } }, organization: { organization_fields: { plan: 'Enterprise', arr: '12,500' } } }, m)).toEqual({ tier: 'vip', accountValue: 12500, highRisk: true });
    expect(profileFrom({ user: {}, organization: { organization_fields: { plan: 'plus', arr: 'n/a' } } }, m)).toEqual({ tier: 'plus', accountValue: 0, highRisk: false });
    expect(profileFrom({}, m)).toEqual({ tier: 'standard', accountValue: 0, highRisk: false });
    // No mapping: intake's defaults apply (empty tier means "standard" there).
    expect(profileFrom({ organization: { plan: 'x' } }, {})).toEqual({ tier: '', accountValue: 0, highRisk: false });
  });
});
