import { describe, expect, it } from 'vitest';
import { testPolicy } from '@handrail/testing';
import { decideEditSample, decideSample, SamplingCounters, ticketDraw } from './sampling.js';

const policy = testPolicy();

describe('qa sampling', () => {
  it('sampling — the draw is deterministic per ticket and uniform enough', () => {
    expect(ticketDraw('t-1')).toBe(ticketDraw('t-1'));
    const draws = Array.from({ length: 4000 }, (_, i) => ticketDraw(`t-${i}`));
    const share = draws.filter((d) => d < 0.25).length / draws.length;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.28);
  });

  it('sampling — the most specific rate wins: area, then route, then default', () => {
    expect(decideSample(policy, 't-1', 'refund', 'escalated')).toMatchObject({ rate: 1, rule: 'by_area.refund', sampled: true });
    expect(decideSample(policy, 't-1', 'faq_status', 'auto_resolved')).toMatchObject({ rate: 0.25, rule: 'by_route.auto_resolved' });
    expect(decideSample(policy, 't-1', 'faq_status', 'escalated')).toMatchObject({ rate: 0.1, rule: 'default_rate' });
  });

  it('sampling — even work that looks fine is sampled at the configured share', () => {
    const n = 2000;
    const sampled = Array.from({ length: n }, (_, i) => decideSample(policy, `t-${i}`, 'routine', 'auto_resolved')).filter((s) => s.sampled).length;
    expect(sampled / n).toBeGreaterThan(0.2);
    expect(sampled / n).toBeLessThan(0.3);
  });
});

describe('qa sampling — known inclusion probabilities (issue 13)', () => {
  const design = testPolicy((p) => {
    p.sampling = { ...p.sampling, by_area_route: { refund: { awaiting_approval: 0.5 } }, first_after_revision: 3, weekly_minimum_per_area: 2, low_margin: { within: 0.05, weight: 3 }, human_edit_rate: 0.6 };
  });

  it('sampling — area × route beats area, route and default; every decision records its probability and stratum', () => {
    const s = decideSample(design, 't-1', 'refund', 'awaiting_approval');
    expect(s).toMatchObject({ rate: 0.5, rule: 'by_area_route.refund.awaiting_approval', inclusionProbability: 0.5, stratum: 'refund/awaiting_approval', factors: ['base'] });
    expect(s.sampled).toBe(s.draw < 0.5);
  });

  it('sampling — a low margin to the area threshold weighs the rate (capped at 1)', () => {
    // faq_status threshold 0.6; auto_resolved base 0.25 → ×3 = 0.75 within 0.05 of it.
    expect(decideSample(design, 't-1', 'faq_status', 'auto_resolved', { confidence: 0.63 })).toMatchObject({ inclusionProbability: 0.75, factors: ['base', 'low_margin'] });
    expect(decideSample(design, 't-1', 'faq_status', 'auto_resolved', { confidence: 0.9 }).inclusionProbability).toBe(0.25);
  });

  it('sampling — the first N decisions under a revision, and each area-week’s minimum, are certain (π = 1), then base rates resume', () => {
    const counters = new SamplingCounters();
    const ctx = { counters, revisions: { policy: 'p1', model: 'm1', kb: '' }, receivedAt: '2026-12-01T10:00:00Z' };
    const first = Array.from({ length: 5 }, (_, i) => {
      const s = decideSample(design, `t-${i}`, 'faq_status', 'escalated', ctx);
      counters.record(s.claims);
      return s;
    });
    expect(first.slice(0, 3).every((s) => s.sampled && s.inclusionProbability === 1 && s.factors.includes('first_after_revision:policy:p1'))).toBe(true);
    // The weekly minimum (2) was used up by the same decisions; the fourth is a base-rate draw.
    expect(first[3]?.inclusionProbability).toBe(0.1);
    // A new KB revision starts its own first N; another area its own weekly minimum.
    expect(decideSample(design, 't-9', 'faq_status', 'escalated', { ...ctx, revisions: { policy: 'p1', model: 'm1', kb: 'k2' } }).factors).toContain('first_after_revision:kb:k2');
    expect(decideSample(design, 't-9', 'routine', 'escalated', { ...ctx, revisions: { policy: 'p1', model: 'm1', kb: '' } }).factors).toContain('weekly_minimum:routine:2026-W49');
    // Counters come back from the samples' factors after a restart.
    const rebuilt = new SamplingCounters();
    for (const s of first.filter((x) => x.sampled)) rebuilt.recordFactors(s.factors);
    expect(rebuilt.seen('first_after_revision:policy:p1')).toBe(3);
    expect(rebuilt.seen('weekly_minimum:faq_status:2026-W49')).toBe(2);
  });

  it('sampling — a human edit raises the probability to max(π, human_edit_rate) under the same draw', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `t-e${i}`);
    const edited = ids.map((id) => decideEditSample(design, id, 'refund', 'awaiting_approval', undefined));
    expect(edited.every((s) => s?.inclusionProbability === 0.6)).toBe(true);
    const share = edited.filter((s) => s?.sampled).length / ids.length;
    expect(Math.abs(share - 0.6)).toBeLessThan(4 * Math.sqrt((0.6 * 0.4) / ids.length));
    // A ticket already sampled at conclusion keeps being sampled (the same draw).
    for (const id of ids) if (decideSample(design, id, 'refund', 'awaiting_approval').sampled) expect(decideEditSample(design, id, 'refund', 'awaiting_approval', 0.5)?.sampled).toBe(true);
    expect(decideEditSample(testPolicy(), 't-1', 'refund', 'awaiting_approval', undefined)).toBeUndefined();
  });
});
