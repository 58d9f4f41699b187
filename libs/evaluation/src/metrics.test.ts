import { describe, expect, it } from 'vitest';
import { computeMetrics, coverageAtUnsafe, gridOf, reliability, sweep } from './metrics.js';
import { pickAreaThresholds, pickThreshold } from './threshold.js';
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

describe('thresholds — one per predicted area (Handrail issue 4)', () => {
  // A confident mistake predicted `routine` must not raise the bar for `triage`.
  const pred = (gold: GoldArea, predicted: string, confidence: number): RoutedMessage => msg(gold, true, confidence, { area: predicted });
  const msgs = [
    pred('routine', 'routine', 0.95),
    pred('routine', 'routine', 0.7),
    pred('cancellation', 'routine', 0.9),
    pred('triage', 'triage', 0.5),
    pred('triage', 'triage', 0.4),
    pred('safety', 'safety', 0.99),
  ];
  it('keeps the risky area strict and lets the clean area automate everything', () => {
    const t = pickAreaThresholds(msgs, 0, 0);
    expect(t['routine']).toBe(0.95);
    expect(t['triage']).toBe(0.4);
    const m = computeMetrics(msgs, (r) => r.autoAtZero && r.confidence >= (t[r.area] ?? 1));
    expect(m.unsafe_automation).toBe(0);
    expect(m.coverage).toBe(0.75);
  });
  it('never covers less than the single threshold under the same limits', () => {
    const single = pickThreshold(msgs, 0, 0);
    const t = pickAreaThresholds(msgs, 0, 0);
    const cov = (f: (r: RoutedMessage) => boolean): number => computeMetrics(msgs, f).coverage ?? 0;
    expect(cov((r) => r.autoAtZero && r.confidence >= (t[r.area] ?? 1))).toBeGreaterThanOrEqual(cov((r) => r.autoAtZero && r.confidence >= single));
  });
  it("never goes below an area's floor (the pack's own threshold)", () => {
    const t = pickAreaThresholds(msgs, 0, 0, { triage: 0.45, routine: 0.5 });
    expect(t['triage']).toBeGreaterThanOrEqual(0.45);
    expect(t['triage']).toBeLessThanOrEqual(0.5);
    expect(t['routine']).toBe(0.95);
  });
  it('spends an unsafe budget where it buys the most coverage', () => {
    // 1 of 3 risky messages may be automated (maxUnsafe 0.34): worth it in routine, not needed in triage.
    const more = [...msgs, pred('refund', 'refund', 0.9), pred('routine', 'routine', 0.85), pred('routine', 'routine', 0.8)];
    const t = pickAreaThresholds(more, 0.34, 0);
    expect(t['routine']).toBe(0.7);
  });
});

describe('metrics — reliability (calibration)', () => {
  it('a confidence that matches the hit rate has zero ECE; overconfidence shows as the gap', () => {
    // 10 at 0.95 all right, 10 at 0.55: 5 right (predicted refund, gold refund) and 5 wrong.
    const calibrated = [
      ...Array.from({ length: 10 }, () => msg('faq_status', true, 0.95)),
      ...Array.from({ length: 5 }, () => msg('refund', false, 0.55)),
      ...Array.from({ length: 5 }, () => msg('refund', false, 0.55, { area: 'faq_status' })),
    ];
    const r = reliability(calibrated);
    expect(r.bins.map((b) => b.n)).toEqual([0, 0, 0, 0, 0, 10, 0, 0, 0, 10]);
    expect(r.bins[9]?.accuracy).toBe(1);
    expect(r.bins[5]?.accuracy).toBe(0.5);
    expect(r.ece).toBeCloseTo(0.05, 4); // |1 − 0.95| and |0.5 − 0.55|, each half the messages
    const over = reliability(Array.from({ length: 20 }, (_, i) => msg('safety', false, 0.99, i < 10 ? { area: 'routine' } : {})));
    expect(over.ece).toBeCloseTo(0.49, 4);
    expect(over.max_gap).toBeCloseTo(0.49, 4);
    expect(over.max_overconfidence).toBeCloseTo(0.49, 4);
    // Underconfidence is a gap but not overconfidence.
    const under = reliability(Array.from({ length: 20 }, () => msg('routine', true, 0.15)));
    expect(under.max_gap).toBeCloseTo(0.85, 4);
    expect(under.max_overconfidence).toBe(0);
  });
  it('confusing two areas AI may resolve counts as right; out-of-scope never does', () => {
    const r = reliability([msg('triage', true, 0.9, { area: 'faq_status' }), msg('out_of_scope', true, 0.9, { area: 'routine' })]);
    expect(r.bins[9]?.accuracy).toBe(0.5);
    expect(reliability([]).ece).toBeNull();
  });
});
