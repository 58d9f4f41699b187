import { describe, expect, it } from 'vitest';
import { concludeAfterDraft } from './conclude.js';
import { appendContact, openHumanCases, repeatContacts, type ContactRecord } from './history.js';

describe('conclusion after drafting', () => {
  it('conclusion — a draft that passed every check takes the intended route', () => {
    expect(concludeAfterDraft('auto_resolved', [], { hasDraft: true, verdicts: [{ check: 'tone', passed: true, code: 'ok', detail: '', evidence: [] }] })).toEqual({ route: 'auto_resolved', reasons: [] });
  });

  it('conclusion — no draft escalates with no_grounding', () => {
    const c = concludeAfterDraft('auto_resolved', [], { hasDraft: false, verdicts: [] });
    expect(c.route).toBe('escalated');
    expect(c.reasons.map((r) => r.code)).toEqual(['no_grounding']);
  });

  it('conclusion — each failed verdict becomes a reason with its evidence', () => {
    const c = concludeAfterDraft('awaiting_approval', [], {
      hasDraft: true,
      verdicts: [
        { check: 'grounding', passed: false, code: 'ungrounded_claim', detail: 'not in passage', evidence: ['We refund within 2 days.'] },
        { check: 'tone', passed: true, code: 'ok', detail: '', evidence: [] },
      ],
    });
    expect(c.route).toBe('escalated');
    expect(c.reasons).toEqual([{ code: 'ungrounded_claim', rule: 'guardrail.grounding', detail: 'not in passage', evidence: ['We refund within 2 days.'] }]);
  });
});

describe('contact history', () => {
  const rec = (ticketId: string, at: string, area = 'faq_status'): ContactRecord => ({ ticketId, area, intent: 'order_status', channel: 'email', at });
  const history = [rec('t-1', '2026-11-01T10:00:00Z'), rec('t-2', '2026-11-02T10:00:00Z', 'refund'), rec('t-old', '2026-10-01T10:00:00Z')];

  it('repeat contact — counts earlier contacts on the same area inside the window, across channels', () => {
    expect(repeatContacts(history, { ...rec('t-3', '2026-11-03T09:00:00Z'), channel: 'chat' }, 72)).toEqual(['t-1']);
  });

  it('repeat contact — a redelivered ticket gets the same answer (later contacts and itself do not count)', () => {
    const withLater = [...history, rec('t-3', '2026-11-03T09:00:00Z'), rec('t-4', '2026-11-03T10:00:00Z')];
    expect(repeatContacts(withLater, rec('t-3', '2026-11-03T09:00:00Z'), 72)).toEqual(['t-1']);
  });

  it('open case — earlier contacts in areas people handle, inside the window, before this one', () => {
    const human = new Set(['safety', 'privacy', 'refund']);
    const h: ContactRecord[] = [
      { ...rec('t-a', '2026-11-01T09:00:00Z'), area: 'safety' },
      { ...rec('t-b', '2026-11-02T08:00:00Z'), area: 'safety' },
      { ...rec('t-c', '2026-11-02T09:00:00Z'), area: 'faq_status' },
      { ...rec('t-e', '2026-11-02T11:00:00Z'), area: 'privacy' },
    ];
    const now = { ...rec('t-d', '2026-11-02T10:00:00Z'), area: 'faq_status' };
    // t-a is outside 24 h, t-c is an area AI resolves, t-e came later (a redelivery must get the same answer).
    expect(openHumanCases(h, now, 24, human).map((c) => c.ticketId)).toEqual(['t-b']);
    expect(openHumanCases(h, now, 72, human).map((c) => c.ticketId)).toEqual(['t-a', 't-b']);
  });

  it('history — appends once and prunes what is far outside the window', () => {
    const next = appendContact(history, rec('t-3', '2026-11-03T09:00:00Z'), 72);
    expect(next.map((h) => h.ticketId)).toEqual(['t-1', 't-2', 't-3']);
    expect(appendContact(next, rec('t-3', '2026-11-03T09:00:00Z'), 72)).toHaveLength(3);
  });
});
