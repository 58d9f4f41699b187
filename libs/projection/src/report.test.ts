import { describe, expect, it } from 'vitest';
import type { RouteName } from '@handrail/events';
import { emptyTicket, type TicketView } from './projection.js';
import { cohensKappa, isoWeek, weeklyReport } from './report.js';

function view(id: string, o: { route?: RouteName; received?: string; reasons?: string[]; sampled?: boolean; decided?: string; reviews?: Array<[string, string[]]> }): TicketView {
  const t = emptyTicket(id);
  return {
    ...t,
    route: o.route,
    reasons: (o.reasons ?? []).map((code) => ({ code, rule: `r.${code}`, detail: '', evidence: [] })),
    qaSampled: o.sampled ? { reason: 'route', rate: 0.1, inclusionProbability: 0.1, factors: ['base'], stage: 'conclusion', stratum: `unknown/${o.route ?? ''}` } : undefined,
    decisions: o.decided ? [{ actor: 'ann', actorName: 'Ann', actorRoles: ['agent'], action: o.decided, finalText: '', note: '', time: '', verdicts: [], citations: [], sentences: [], override: undefined, draftText: '', edit: undefined, exceptions: [], reviewMs: 0 }] : [],
    reviews: (o.reviews ?? []).map(([reviewer, defects]) => ({ reviewer, reviewerName: reviewer, defects, findings: defects.map((category) => ({ category, severity: 'major', note: '' })), passed: defects.length === 0, note: '', time: '', blind: true, reviewMs: 0, session: '' })),
    times: { ...t.times, received: o.received ?? '2025-01-07T10:00:00Z' },
  };
}

describe('weekly report', () => {
  it('iso week — year boundaries follow the Thursday rule', () => {
    expect(isoWeek('2025-01-06T00:00:00Z')).toBe('2025-W02');
    expect(isoWeek('2024-12-30T12:00:00Z')).toBe('2025-W01'); // Monday of the week holding 2 Jan 2025
    expect(isoWeek('2021-01-03T12:00:00Z')).toBe('2020-W53');
    expect(isoWeek('not a date')).toBe('unknown');
  });

  it("cohen's kappa — matches a hand-computed 2×2 table", () => {
    // alice vs bob over 10 tickets: both pass 4, alice pass/bob fail 2, alice fail/bob pass 1, both fail 3.
    // p_o = 7/10 = 0.7; p_e = 0.6·0.5 + 0.4·0.5 = 0.5; kappa = (0.7 − 0.5) / (1 − 0.5) = 0.4.
    const pairs: Array<[boolean, boolean]> = [
      ...Array.from({ length: 4 }, () => [true, true] as [boolean, boolean]),
      ...Array.from({ length: 2 }, () => [true, false] as [boolean, boolean]),
      [false, true],
      ...Array.from({ length: 3 }, () => [false, false] as [boolean, boolean]),
    ];
    const k = cohensKappa(pairs);
    expect(k.pairs).toBe(10);
    expect(k.agreement).toBeCloseTo(0.7, 10);
    expect(k.kappa).toBeCloseTo(0.4, 10);
  });

  it("cohen's kappa — undefined when every rating is the same, empty when there are no pairs", () => {
    expect(cohensKappa([[true, true], [true, true]])).toEqual({ pairs: 2, agreement: 1, kappa: null });
    expect(cohensKappa([])).toEqual({ pairs: 0, agreement: null, kappa: null });
  });

  it('weekly report — routes, escalation rate, QA, defects, tone, unresolved, top reasons and calibration per week', () => {
    const weeks = weeklyReport([
      view('a', { route: 'auto_resolved', sampled: true, reviews: [['alice', []], ['bob', ['tone_mismatch']]] }),
      view('b', { route: 'awaiting_approval', decided: 'approve', reasons: ['refund_needs_approval'], sampled: true, reviews: [['alice', ['hallucination']], ['bob', ['hallucination']]] }),
      view('c', { route: 'awaiting_approval', reasons: ['refund_needs_approval'] }),
      view('d', { route: 'escalated', reasons: ['low_confidence', 'tone_violation'] }),
      view('e', { route: 'escalated', decided: 'resolve', reasons: ['low_confidence', 'human_only_area'], reviews: [['carol', []]] }),
      view('f', {}),
      view('g', { route: 'escalated', received: '2025-01-14T10:00:00Z', reasons: ['risk_keyword'] }),
    ]);
    expect(weeks.map((w) => w.week)).toEqual(['2025-W02', '2025-W03']);
    const w = weeks[0];
    expect(w).toMatchObject({
      tickets: 6,
      concluded: 5,
      routes: { auto_resolved: { count: 1, share: 0.2 }, awaiting_approval: { count: 2, share: 0.4 }, escalated: { count: 2, share: 0.4 } },
      escalationRate: 0.4,
      qa: { sampled: 2, reviewed: 3, reviews: 5, passed: 2 },
      defects: { hallucination: 2, tone_mismatch: 1, policy_misapplication: 0, incomplete_resolution: 0 },
      toneIssues: { toneViolations: 1, toneMismatchReviews: 1, total: 2 },
      // No helpdesk said anything: nothing is unresolved, five outcomes are unknown (issue 13), two are still open.
      unresolved: 0,
      outcomes: { known: 0, unknown: 5, openWithoutDecision: 2, unresolvedRate: null },
      humanDecisions: { approve: 1, resolve: 1 },
    });
    expect(w?.topReasons.slice(0, 2)).toEqual([{ code: 'low_confidence', count: 2 }, { code: 'refund_needs_approval', count: 2 }]);
    // Two tickets reviewed twice (alice before bob): pass/fail pairs (pass,fail) and (fail,fail) agree 1 of 2;
    // p_e = 0.5·0 + 0.5·1 = 0.5, so kappa = 0. Hallucination: (no,no) and (yes,yes) agree fully, kappa 1.
    expect(w?.calibration.ticketsWithMultipleReviews).toBe(2);
    expect(w?.calibration.passFail).toEqual({ pairs: 2, agreement: 0.5, kappa: 0 });
    expect(w?.calibration.perDefect.hallucination).toEqual({ pairs: 2, agreement: 1, kappa: 1 });
    expect(w?.calibration.perDefect.tone_mismatch.agreement).toBe(0.5);
    expect(weeks[1]).toMatchObject({ tickets: 1, escalationRate: 1, unresolved: 0, outcomes: { unknown: 1, openWithoutDecision: 1 } });
    // Estimates: a (π .1, one of two reviewers found a defect: .5) and b (π .1, 1): Hájek (5 + 10)/(10 + 10) = .75.
    expect(w?.estimates.reviewedDecisions).toBe(2);
    expect(w?.estimates.overall.rate).toBeCloseTo(0.75, 10);
    expect(w?.estimates.byCategory['hallucination']?.rate).toBeCloseTo(0.5, 10);
    expect(w?.escalation.rate).toMatchObject({ rate: 0.4, n: 5 });
    expect(w?.escalation.triggers[0]).toEqual({ code: 'low_confidence', count: 2, share: 1 });
  });

  it('weekly report — helpdesk outcomes (issue 14): solved there is resolved, reopened is unresolved and a repeat contact, ratings counted', () => {
    const withOutcomes = (t: TicketView, outcomes: Array<[string, string]>): TicketView => ({ ...t, outcomes: outcomes.map(([kind, rating]) => ({ kind, rating, time: '' })) });
    const [w] = weeklyReport([
      withOutcomes(view('a', { route: 'escalated' }), [['solved', '']]),
      withOutcomes(view('b', { route: 'auto_resolved' }), [['solved', ''], ['reopened', '']]),
      withOutcomes(view('c', { route: 'auto_resolved' }), [['satisfaction', 'good']]),
      withOutcomes(view('d', { route: 'escalated' }), [['satisfaction', 'bad']]),
      view('e', { route: 'escalated', reasons: ['repeat_contact'] }),
    ]);
    // a: solved in the helpdesk; b: AI's answer reopened; c, d, e: the helpdesk never said — unknown, not unresolved (issue 13).
    expect(w).toMatchObject({ unresolved: 1, helpdesk: { solved: 1, reopened: 1, satisfaction: { rated: 2, good: 1, bad: 1 } }, repeatContacts: 2 });
    expect(w?.outcomes).toMatchObject({ known: 2, unknown: 3, solved: 1, reopened: 1 });
    expect(w?.outcomes.unresolvedRate?.rate).toBe(0.5);
  });
});
