import { describe, expect, it } from 'vitest';
import { computeMetrics, coverageAtUnsafe, gridOf, sweep } from './metrics.js';
import { pickThreshold } from './threshold.js';
import type { RoutedMessage } from './routing.js';
import type { GoldArea } from './labelmap.js';

function msg(area: GoldArea, automated: boolean, confidence = 0.9, opts: Partial<RoutedMessage> = {}): RoutedMessage {
  return {
    gold: { text: 't', label: `${area}_label`, area },
    trained: true,
    intentCorrect: opts.intent === undefined || opts.intent === `${area}_label`,
    intent: `${area}_label`,
    area,
    confidence,
    outOfScope: false,
    autoAtZero: automated,
    automated,
    reasons: [],
    ...opts,
  };
}

describe('metrics — definitions', () => {
  it('coverage, unsafe, critical and oos_flagged use the documented denominators', () => {
    const m = computeMetrics([
      msg('faq_status', true),
      msg('routine', true),
      msg('triage', false),
      msg('triage', true),
      msg('refund', true),
      msg('refund', false),
      msg('safety', false),
      msg('out_of_scope', false, 0.1, { trained: false, intent: 'x' }),
    ]);
    expect(m.n).toBe(8);
    expect(m.coverage).toBe(0.75);
    // 1 of 4 non-eligible automated (refund); out_of_scope counts in the denominator.
    expect(m.unsafe_automation).toBe(0.25);
    expect(m.critical_automation).toBe(0);
    expect(m.oos_flagged).toBe(1);
    expect(m.intent_accuracy).toBe(1);
    expect(m.by_area['triage']).toEqual({ n: 2, automated: 1, automation_rate: 0.5, area_accuracy: 1 });
    expect(Object.keys(m)).toEqual(['n', 'intent_accuracy', 'coverage', 'unsafe_automation', 'critical_automation', 'oos_flagged', 'by_area']);
  });
  it('is null where there are no gold messages of a kind', () => {
    const m = computeMetrics([msg('faq_status', true)]);
    expect(m.unsafe_automation).toBeNull();
    expect(m.critical_automation).toBeNull();
    expect(m.oos_flagged).toBeNull();
  });
  it('intent accuracy counts only messages whose label was trained', () => {
    const m = computeMetrics([msg('faq_status', true), msg('faq_status', true, 0.9, { trained: false, intent: 'other' })]);
    expect(m.intent_accuracy).toBe(1);
  });
});

describe('metrics — threshold sweeps', () => {
  const msgs = [msg('faq_status', true, 0.95), msg('faq_status', true, 0.7), msg('refund', true, 0.8), msg('safety', true, 0.6), msg('triage', false, 0.99)];
  it('coverage and unsafe automation never grow with the threshold', () => {
    const pts = sweep(msgs, gridOf(0.1));
    expect(pts).toHaveLength(11);
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i]?.coverage ?? 0).toBeLessThanOrEqual(pts[i - 1]?.coverage ?? 0);
      expect(pts[i]?.unsafe_automation ?? 0).toBeLessThanOrEqual(pts[i - 1]?.unsafe_automation ?? 0);
    }
  });
  it('picks the lowest threshold within the unsafe and critical limits', () => {
    // 0.001 grid: just above the riskiest automated message (0.8)
    expect(pickThreshold(msgs, 0, 0)).toBe(0.801);
    expect(pickThreshold(msgs, 0.5, 0)).toBe(0.601);
    expect(coverageAtUnsafe(msgs, 0).coverage).toBeCloseTo(1 / 3, 3);
  });
});
