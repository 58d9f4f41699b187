import { describe, expect, it } from 'vitest';
import { testPolicy } from '@handrail/testing';
import { decideRoute } from './route.js';
import { riskKeywordHits } from './signals.js';
import { evaluateTriggers, type TriggerInput } from './triggers.js';

const policy = testPolicy();
/** A trigger input for a message `text` (its risk keywords read as the classifier stage reads them). */
const base = ({ text = 'Where is my order?', ...over }: Partial<TriggerInput> & { text?: string } = {}): TriggerInput => ({
  area: 'faq_status',
  confidence: 0.9,
  confidenceThreshold: 0.6,
  outOfScope: false,
  sentiment: 0.1,
  riskKeywords: riskKeywordHits(text, over.policy ?? policy),
  customer: { tier: 'standard', accountValue: 100, highRisk: false },
  repeatOf: [],
  permissionReasons: [],
  policy,
  ...over,
});
const codes = (i: TriggerInput) => evaluateTriggers(i).map((h) => h.code);

describe('escalation triggers', () => {
  it('triggers — a calm, confident, first-time FAQ fires nothing', () => {
    expect(codes(base())).toEqual([]);
  });

  it('low_confidence — fires below the area threshold and for out-of-scope, not at or above it', () => {
    expect(codes(base({ confidence: 0.59 }))).toEqual(['low_confidence']);
    expect(codes(base({ outOfScope: true }))).toEqual(['low_confidence']);
    expect(codes(base({ confidence: 0.6 }))).toEqual([]);
  });

  it('risk_keyword — fires on whole policy keywords with evidence, not on substrings', () => {
    const hit = evaluateTriggers(base({ text: 'My lawyer says the charger caused a fire' }));
    expect(hit.map((h) => h.code)).toEqual(['risk_keyword']);
    expect(hit[0]?.evidence.sort()).toEqual(['fire', 'lawyer']);
    expect(codes(base({ text: 'Is the firewall setting on my account visible?' }))).toEqual([]);
    expect(codes(base({ text: 'Sue from accounting said my refund is coming' }))).toEqual(['risk_keyword']);
  });

  it('negative_sentiment — fires at or below the threshold only', () => {
    expect(codes(base({ sentiment: -0.6 }))).toEqual(['negative_sentiment']);
    expect(codes(base({ sentiment: -0.59 }))).toEqual([]);
  });

  it('repeat_contact — fires on the second contact about the same issue inside the window', () => {
    expect(codes(base({ repeatOf: ['t-earlier'] }))).toEqual(['repeat_contact']);
    expect(codes(base({ repeatOf: [] }))).toEqual([]);
  });

  it('open_human_case — a follow-up while a case with people is open goes to them; off unless the policy sets open_case', () => {
    const withOpenCase = testPolicy((p) => {
      p.escalation.open_case = { window_hours: 24 };
    });
    const open = [{ ticketId: 't-stolen', area: 'safety', at: '2026-11-30T10:00:00Z' }];
    const hit = evaluateTriggers(base({ policy: withOpenCase, text: 'I forgot it', openCases: open }));
    expect(hit.map((h) => h.code)).toEqual(['open_human_case']);
    expect(hit[0]?.evidence).toEqual(['t-stolen']);
    expect(hit[0]?.detail).toMatch(/safety/);
    expect(codes(base({ policy: withOpenCase, openCases: [] }))).toEqual([]);
    // The rule is opt-in: without open_case in the policy the same history fires nothing.
    expect(codes(base({ openCases: open }))).toEqual([]);
  });

  it('high_value — fires for the VIP tier, a high account value or a high-risk account', () => {
    expect(codes(base({ customer: { tier: 'vip', accountValue: 10, highRisk: false } }))).toEqual(['high_value']);
    expect(codes(base({ customer: { tier: 'standard', accountValue: 5000, highRisk: false } }))).toEqual(['high_value']);
    expect(codes(base({ customer: { tier: 'standard', accountValue: 10, highRisk: true } }))).toEqual(['high_value']);
    expect(codes(base({ customer: { tier: 'plus', accountValue: 4999, highRisk: false } }))).toEqual([]);
  });

  it('policy_exception — fires when the guardrail found a refund over the limit', () => {
    const over = { code: 'refund_over_limit', rule: 'refund_limits', detail: 'requested 400 exceeds 50', evidence: ['400'] };
    expect(codes(base({ area: 'refund', permissionReasons: [over] }))).toEqual(['policy_exception']);
    expect(codes(base({ area: 'refund', permissionReasons: [] }))).toEqual([]);
  });

  it('triggers — every rule that fires is reported, not only the first', () => {
    const all = codes(base({ confidence: 0.2, sentiment: -0.9, text: 'I will sue', repeatOf: ['t-1'], customer: { tier: 'vip', accountValue: 0, highRisk: false } }));
    expect(all).toEqual(['low_confidence', 'risk_keyword', 'negative_sentiment', 'repeat_contact', 'high_value']);
  });
});

describe('route decision', () => {
  it('route — an open case sends a follow-up AI would resolve to the queue of the case it belongs to', () => {
    const withOpenCase = testPolicy((p) => {
      p.escalation.open_case = { window_hours: 24 };
    });
    const openCases = [
      { ticketId: 't-old', area: 'refund', at: '2026-11-30T08:00:00Z' },
      { ticketId: 't-stolen', area: 'safety', at: '2026-11-30T10:00:00Z' },
    ];
    const r = decideRoute('resolve', base({ policy: withOpenCase, openCases }));
    expect(r.route).toBe('escalated');
    expect(r.queue).toBe(withOpenCase.areas.safety.queue);
    expect(r.reasons.map((x) => x.code)).toEqual(['open_human_case']);
    // Without an open case the same message is auto-resolved from its own area's queue.
    expect(decideRoute('resolve', base({ policy: withOpenCase }))).toMatchObject({ route: 'auto_resolved', queue: withOpenCase.areas.faq_status.queue });
  });

  it('route — resolve with no triggers is headed for auto-resolution, draft for approval', () => {
    expect(decideRoute('resolve', base())).toMatchObject({ route: 'auto_resolved', needsDraft: true, reasons: [] });
    expect(decideRoute('draft', base({ area: 'refund' }))).toMatchObject({ route: 'awaiting_approval', needsDraft: true });
  });

  it('route — no permission or any trigger escalates with reasons, queue and priority', () => {
    const none = decideRoute('none', base({ area: 'privacy' }));
    expect(none).toMatchObject({ route: 'escalated', needsDraft: false, queue: 'privacy' });
    expect(none.reasons.length).toBeGreaterThan(0);
    const angry = decideRoute('resolve', base({ sentiment: -0.95 }));
    expect(angry).toMatchObject({ route: 'escalated', priority: 'high' });
    expect(angry.reasons.map((r) => r.code)).toEqual(['negative_sentiment']);
    expect(decideRoute('none', base({ area: 'safety' })).priority).toBe('urgent');
  });
});
