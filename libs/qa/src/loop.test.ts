import { describe, expect, it } from 'vitest';
import { breakerVerdict, calibrationReport, catchRates, fastApprovalAlarms, improvementBacklog, pilotVerdict, reviewerAlarms, automationCreepAlarms, type QaUnit, type UnitReview } from './loop.js';

const review = (reviewer: string, categories: string[] = [], severity = 'major'): UnitReview => ({ reviewer, reviewerName: reviewer, findings: categories.map((category) => ({ category, severity })), time: '', reviewMs: 20_000, session: '' });
let n = 0;
function unit(o: Partial<QaUnit> = {}): QaUnit {
  n++;
  return { ticketId: `t-${n}`, area: 'faq_status', route: 'auto_resolved', channel: 'chat', intent: 'order_status', week: '2026-W49', concludedAt: '', pi: 0.2, seed: undefined, reviews: [], citations: [], drafter: 'template', template: 'order_status', promptVersion: '', reasons: [], decision: undefined, outcome: 'unknown', repeat: false, ...o };
}
const rule = { max_defect_rate: 0.1, confidence: 0.95, min_reviews: 10, severities: ['minor', 'major', 'critical'] };

describe('qa loop', () => {
  it('breaker — one bad ticket never trips it; a burst of defects in the area does', () => {
    expect(breakerVerdict([unit({ reviews: [review('q', ['hallucination'])] })], rule).trip).toBe(false);
    const clean = Array.from({ length: 20 }, () => unit({ reviews: [review('q')] }));
    expect(breakerVerdict([...clean, unit({ reviews: [review('q', ['hallucination'])] })], rule).trip).toBe(false);
    const burst = Array.from({ length: 8 }, () => unit({ reviews: [review('q', ['hallucination'])] }));
    const v = breakerVerdict([...clean.slice(0, 6), ...burst], rule);
    // 8 of 14 defective: p = .571, one-sided 95% Wilson lower bound ≈ .35 > .10.
    expect(v.trip).toBe(true);
    expect(v.lowerBound).toBeGreaterThan(0.3);
    expect(v.reason).toMatch(/lower bound .* > bound 10.0%/);
    // Minor findings do not count when the pack says only major and critical do.
    const minors = Array.from({ length: 14 }, () => unit({ reviews: [review('q', ['tone_mismatch'], 'minor')] }));
    expect(breakerVerdict(minors, { ...rule, severities: ['major', 'critical'] }).trip).toBe(false);
    // Seeded items never count.
    expect(breakerVerdict(Array.from({ length: 20 }, () => unit({ seed: { expected: ['hallucination'] }, reviews: [review('q', ['hallucination'])] })), rule).trip).toBe(false);
  });

  it('pilot — stop when a rate is above its limit with confidence; pass when every upper bound is below; otherwise not yet decided', () => {
    const crit = { success: { defect_rate: 0.2, escalation_rate: 0.5, min_tickets: 20, min_reviews: 10 }, stop: { defect_rate: 0.4, min_tickets: 5, min_reviews: 5 }, confidence: 0.95 };
    expect(pilotVerdict([unit({ reviews: [review('q')] })], crit).verdict).toBe('not_yet_decided');
    const bad = Array.from({ length: 8 }, () => unit({ pi: 1, reviews: [review('q', ['policy_misapplication'])] }));
    const v = pilotVerdict(bad, crit);
    expect(v).toMatchObject({ verdict: 'fail', stop: true });
    expect(v.reasons[0]).toMatch(/stop: defect_rate/);
    const good = Array.from({ length: 60 }, (_, i) => unit({ pi: 1, route: i % 10 === 0 ? 'escalated' : 'auto_resolved', reviews: [review('q')] }));
    expect(pilotVerdict(good, crit).verdict).toBe('pass');
    // Unknown helpdesk outcomes are not counted as unresolved.
    const unknown = pilotVerdict(good, { ...crit, stop: { unresolved_rate: 0.1, min_tickets: 5, min_reviews: 0 } });
    expect(unknown.metrics.find((m) => m.name === 'unresolved_rate')?.estimate.n).toBe(0);
  });

  it('reviewers — catch rate on seeded defects, and the alarm for someone passing everything', () => {
    const seeds = Array.from({ length: 4 }, () => unit({ seed: { expected: ['hallucination'] }, reviews: [review('lazy'), review('sharp', ['hallucination'])] }));
    const real = Array.from({ length: 10 }, () => unit({ reviews: [review('lazy'), review('sharp')] }));
    const rates = catchRates([...seeds, ...real]);
    expect(rates.find((r) => r.reviewer === 'sharp')).toMatchObject({ seeded: 4, caught: 4 });
    expect(rates.find((r) => r.reviewer === 'lazy')).toMatchObject({ seeded: 4, caught: 0, passRate: 1 });
    const alarms = reviewerAlarms([...seeds, ...real], { minCatchRate: 0.5, minSeeded: 3 });
    expect(alarms.map((a) => a.subject)).toEqual(['lazy']);
  });

  it('approvals — near-zero review time for most approvals raises the automation-bias alarm', () => {
    const fast = Array.from({ length: 12 }, () => unit({ route: 'awaiting_approval', decision: { actor: 'u-ana', actorName: 'Ana', action: 'approve', reviewMs: 800, edited: false, overridden: false } }));
    const slow = Array.from({ length: 12 }, () => unit({ route: 'awaiting_approval', decision: { actor: 'u-ben', actorName: 'Ben', action: 'approve', reviewMs: 40_000, edited: false, overridden: false } }));
    const a = fastApprovalAlarms([...fast, ...slow], { fastMs: 5000, maxShare: 0.5, minDecisions: 10, confidence: 0.95 });
    expect(a.map((x) => x.subject)).toEqual(['u-ana']);
  });

  it('creep — the share resolved by AI alone beyond what the pack approved', () => {
    const us = Array.from({ length: 40 }, (_, i) => unit({ route: i < 38 ? 'auto_resolved' : 'awaiting_approval' }));
    expect(automationCreepAlarms(us, { faq_status: 0.7 }, { confidence: 0.95, minDecisions: 20 })).toHaveLength(1);
    expect(automationCreepAlarms(us, { faq_status: 0.97 }, { confidence: 0.95, minDecisions: 20 })).toHaveLength(0);
  });

  it('calibration — agreement per category with intervals, disagreements listed', () => {
    const items = [
      { ticketId: 'a', reviews: [review('q', ['hallucination']), review('r', ['hallucination']), review('s', ['hallucination'])] },
      { ticketId: 'b', reviews: [review('q'), review('r'), review('s')] },
      { ticketId: 'c', reviews: [review('q', ['tone_mismatch']), review('r'), review('s', ['tone_mismatch'])] },
      { ticketId: 'd', reviews: [review('q'), review('r'), review('s')] },
    ];
    const r = calibrationReport(items, ['hallucination', 'tone_mismatch']);
    expect(r.items).toBe(4);
    expect(r.perCategory.find((c) => c.category === 'hallucination')?.fleissKappa).toBeCloseTo(1, 10);
    expect(r.disagreements).toEqual([
      { ticketId: 'c', category: 'pass', yes: ['r'], no: ['q', 's'] },
      { ticketId: 'c', category: 'tone_mismatch', yes: ['q', 's'], no: ['r'] },
    ]);
    const tone = r.perCategory.find((c) => c.category === 'tone_mismatch');
    expect(tone?.krippendorffAlpha).not.toBeNull();
    expect(tone?.kappaInterval).not.toBeNull();
  });

  it('backlog — defects link to the cited passage, intent, template and rule, ranked by weight', () => {
    const cite = { articleId: 'returns', passageId: 'p2', articleVersion: 'v3' };
    const us = [
      unit({ pi: 0.1, citations: [cite], reviews: [review('q', ['hallucination'])] }),
      unit({ pi: 1, citations: [{ articleId: 'shipping', passageId: 'p1', articleVersion: 'v1' }], reviews: [review('q', ['incomplete_resolution'])] }),
      unit({ pi: 1, citations: [cite], reviews: [review('q')] }),
    ];
    const b = improvementBacklog(us);
    // The intent collects both defects (10 + 1); among articles, the rarely sampled one's stands for 10.
    expect(b[0]).toMatchObject({ kind: 'intent', key: 'faq_status/order_status', weight: 11, defects: 2 });
    const articles = b.filter((e) => e.kind === 'article');
    expect(articles[0]).toMatchObject({ key: 'returns#p2@v3', weight: 10, defects: 1, categories: { hallucination: 1 } });
    expect(articles[1]).toMatchObject({ key: 'shipping#p1@v1', weight: 1 });
    expect(b.find((e) => e.kind === 'intent')?.action).toMatch(/examples/);
  });
});
