import { catchRates, defectRate, stratifiedRate, wilson, type CatchRate, type Interval, type QaUnit, type RateEstimate } from '@handrail/qa';
import type { TicketView } from './projection.js';
import { qaUnitOf } from './qa.js';

/**
 * The weekly report's estimated sections (issue 13): each a function of the week's tickets, so a
 * new section (say, shadow vs production) is one more function and one more field.
 */

export const BUILTIN_CATEGORIES = ['hallucination', 'tone_mismatch', 'policy_misapplication', 'incomplete_resolution'] as const;

export interface DefectEstimates {
  /** Reviewed decisions drawn by the sample design (seeded items and out-of-design samples excluded). */
  reviewedDecisions: number;
  /** Any defect: the Hájek form of Horvitz–Thompson with a Wilson interval at Kish's effective n. */
  overall: RateEstimate;
  /** The same rate by the stratified estimator (strata area/route, sizes from the week's decisions). */
  stratified: RateEstimate & { unsampledShare: number };
  byCategory: Record<string, RateEstimate>;
  byArea: Record<string, RateEstimate & { decisions: number }>;
}

export function defectEstimates(tickets: readonly TicketView[], categories: readonly string[] = BUILTIN_CATEGORIES): DefectEstimates {
  const units = tickets.filter((t) => t.route && !t.seed).map(qaUnitOf);
  const reviewed = units.filter((u) => u.pi !== undefined && u.reviews.length > 0);
  const strata = new Map<string, { size: number; values: number[] }>();
  for (const u of units) {
    const key = `${u.area}/${u.route}`;
    const s = strata.get(key) ?? { size: 0, values: [] };
    s.size++;
    if (u.pi !== undefined && u.reviews.length > 0) s.values.push(u.reviews.some((r) => r.findings.length > 0) ? u.reviews.filter((r) => r.findings.length > 0).length / u.reviews.length : 0);
    strata.set(key, s);
  }
  const byArea: DefectEstimates['byArea'] = {};
  for (const area of [...new Set(units.map((u) => u.area))].sort()) {
    const inArea = units.filter((u) => u.area === area);
    byArea[area] = { ...defectRate(inArea), decisions: inArea.length };
  }
  return {
    reviewedDecisions: reviewed.length,
    overall: defectRate(units),
    stratified: stratifiedRate([...strata.values()].map((s) => ({ populationSize: s.size, values: s.values }))),
    byCategory: Object.fromEntries(categories.map((c) => [c, defectRate(units, { category: c })])),
    byArea,
  };
}

export interface EscalationSection {
  rate: Interval & { n: number };
  /** Which triggers fired on the escalated tickets, most frequent first (a ticket counts once per trigger). */
  triggers: Array<{ code: string; count: number; share: number }>;
}

export function escalationSection(tickets: readonly TicketView[]): EscalationSection {
  const concluded = tickets.filter((t) => t.route && !t.seed);
  const escalated = concluded.filter((t) => t.route === 'escalated');
  const counts = new Map<string, number>();
  for (const t of escalated) for (const c of new Set(t.reasons.map((r) => r.code))) counts.set(c, (counts.get(c) ?? 0) + 1);
  return {
    rate: { ...wilson(escalated.length, concluded.length), n: concluded.length },
    triggers: [...counts.entries()].map(([code, count]) => ({ code, count, share: escalated.length ? count / escalated.length : 0 })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
  };
}

export interface AutomationSection {
  /** Share resolved by AI alone. */
  rate: Interval & { n: number };
  byArea: Record<string, { decisions: number; automated: number; rate: Interval }>;
}

export function automationSection(tickets: readonly TicketView[]): AutomationSection {
  const concluded = tickets.filter((t) => t.route && !t.seed);
  const byArea: AutomationSection['byArea'] = {};
  for (const area of [...new Set(concluded.map((t) => t.area))].sort()) {
    const xs = concluded.filter((t) => t.area === area);
    const auto = xs.filter((t) => t.route === 'auto_resolved').length;
    byArea[area] = { decisions: xs.length, automated: auto, rate: wilson(auto, xs.length) };
  }
  const auto = concluded.filter((t) => t.route === 'auto_resolved').length;
  return { rate: { ...wilson(auto, concluded.length), n: concluded.length }, byArea };
}

export interface OutcomeSection {
  /** Tickets whose helpdesk outcome came back (solved or reopened). */
  known: number;
  /** Tickets the helpdesk never reported on: unknown, never counted as unresolved. */
  unknown: number;
  solved: number;
  reopened: number;
  /** Reopened among the known; null when none is known. */
  unresolvedRate: Interval | null;
  repeatContacts: number;
  /** Awaiting approval or escalated with no human decision yet (work in progress, not an outcome). */
  openWithoutDecision: number;
}

export function outcomeSection(tickets: readonly TicketView[]): OutcomeSection {
  const units = tickets.filter((t) => t.route && !t.seed).map(qaUnitOf);
  const known = units.filter((u) => u.outcome !== 'unknown');
  const reopened = known.filter((u) => u.outcome === 'reopened').length;
  return {
    known: known.length,
    unknown: units.length - known.length,
    solved: known.length - reopened,
    reopened,
    unresolvedRate: known.length ? wilson(reopened, known.length) : null,
    repeatContacts: units.filter((u) => u.repeat).length,
    openWithoutDecision: tickets.filter((t) => !t.seed && t.decisions.length === 0 && (t.route === 'awaiting_approval' || t.route === 'escalated')).length,
  };
}

export interface HumanSection {
  /** Drafts people sent (approve or edit). */
  sent: number;
  editRate: Interval;
  /** Replies sent over failed checks (a supervisor's override) among everything people sent. */
  overrideRate: Interval & { n: number };
  /** Human decisions with a measured review time, and the median of it. */
  timed: number;
  medianReviewMs: number;
}

export function humanSection(tickets: readonly TicketView[]): HumanSection {
  const decisions = tickets.filter((t) => !t.seed).flatMap((t) => (t.decisions[0] ? [t.decisions[0]] : []));
  const sentDrafts = decisions.filter((d) => (d.action === 'approve' || d.action === 'edit') && d.draftText);
  const edited = sentDrafts.filter((d) => (d.edit?.changeRatio ?? 0) > 0).length;
  const sending = decisions.filter((d) => d.action !== 'reject');
  const overrides = sending.filter((d) => d.override).length;
  const times = decisions.map((d) => d.reviewMs).filter((x) => x > 0).sort((a, b) => a - b);
  return {
    sent: sentDrafts.length,
    editRate: wilson(edited, sentDrafts.length),
    overrideRate: { ...wilson(overrides, sending.length), n: sending.length },
    timed: times.length,
    medianReviewMs: times.length ? (times[Math.floor((times.length - 1) / 2)] ?? 0) : 0,
  };
}

export interface SlaSection {
  /** Tickets waiting for a person (awaiting approval or escalated). */
  withSla: number;
  /** Whose first human action came after the queue's service level, or who are still waiting past it. */
  breached: number;
  rate: Interval;
  byQueue: Record<string, { tickets: number; breached: number }>;
}

export function slaSection(tickets: readonly TicketView[], slaMinutes: (queue: string) => number, now: Date = new Date()): SlaSection {
  const waiting = tickets.filter((t) => !t.seed && (t.route === 'awaiting_approval' || t.route === 'escalated'));
  const byQueue: SlaSection['byQueue'] = {};
  let breached = 0;
  for (const t of waiting) {
    const start = Date.parse(t.times.received || t.times.concluded);
    const sla = slaMinutes(t.queue || 'unassigned');
    const q = (byQueue[t.queue || 'unassigned'] ??= { tickets: 0, breached: 0 });
    q.tickets++;
    if (!Number.isFinite(start) || sla <= 0) continue;
    const due = start + sla * 60_000;
    const acted = t.times.decided ? Date.parse(t.times.decided) : now.getTime();
    if (acted > due) {
      breached++;
      q.breached++;
    }
  }
  return { withSla: waiting.length, breached, rate: wilson(breached, waiting.length), byQueue };
}

export function reviewerSection(tickets: readonly TicketView[]): CatchRate[] {
  return catchRates(tickets.filter((t) => t.route).map(qaUnitOf));
}

/** Units for callers that want the raw records (e.g. the improvement backlog). */
export function weekUnits(tickets: readonly TicketView[]): QaUnit[] {
  return tickets.filter((t) => t.route).map(qaUnitOf);
}
