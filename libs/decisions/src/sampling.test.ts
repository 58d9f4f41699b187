import { describe, expect, it } from 'vitest';
import { testPolicy } from '@handrail/testing';
import { decideSample, ticketDraw } from './sampling.js';

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
