import { ROUTE, type RouteName } from '@handrail/events';
import type { CatchRate } from '@handrail/qa';
import type { TicketView } from './projection.js';
import { shadowSection, type ShadowSection } from './report-shadow.js';
import {
  automationSection,
  defectEstimates,
  escalationSection,
  humanSection,
  outcomeSection,
  reviewerSection,
  slaSection,
  type AutomationSection,
  type DefectEstimates,
  type EscalationSection,
  type HumanSection,
  type OutcomeSection,
  type SlaSection,
} from './report-qa.js';

/** The QA defect taxonomy a reviewer picks from. */
export const DEFECTS = ['hallucination', 'tone_mismatch', 'policy_misapplication', 'incomplete_resolution'] as const;
export type Defect = (typeof DEFECTS)[number];


export interface Agreement {
  /** Number of review pairs compared. */
  pairs: number;
  /** Share of pairs that agree. */
  agreement: number | null;
  /** Cohen's kappa; null when chance agreement is total (every rating the same), where it is undefined. */
  kappa: number | null;
}

export interface Calibration {
  ticketsWithMultipleReviews: number;
  passFail: Agreement;
  perDefect: Record<Defect, Agreement>;
}

/** How often people changed the AI draft before sending it, and by how much. */
export interface EditRate {
  /** Drafts people sent (approve or edit). */
  sent: number;
  /** Of those, sent with changes. */
  edited: number;
  editRate: number;
  /** Mean change ratio of the edited ones (0..1). */
  meanChange: number;
}

export interface EditReport extends EditRate {
  byArea: Record<string, EditRate>;
  byAgent: Array<EditRate & { agent: string; name: string }>;
  /** Replies sent over failed checks, with a supervisor's recorded reason. */
  overrides: number;
  /** Replies refused by the checks (not sent). */
  blocked: number;
  /** Actions refused for a missing permission. */
  denied: number;
}

export interface WeekReport {
  /** ISO week, e.g. `2025-W07`, of the ticket's arrival. */
  week: string;
  tickets: number;
  concluded: number;
  routes: Record<RouteName, { count: number; share: number }>;
  escalationRate: number;
  qa: { sampled: number; reviewed: number; reviews: number; passed: number };
  defects: Record<Defect, number>;
  toneIssues: { toneViolations: number; toneMismatchReviews: number; total: number };
  /**
   * Escalated or awaiting approval with no human decision yet; once a helpdesk reports an outcome,
   * its word counts instead: solved there is resolved, reopened there is unresolved (AI's answers too).
   */
  unresolved: number;
  /** Outcomes the helpdesk connectors reported for the week's tickets. */
  helpdesk: { solved: number; reopened: number; satisfaction: { rated: number; good: number; bad: number } };
  /** Tickets that were a repeat contact (the trigger fired) or were reopened in the helpdesk. */
  repeatContacts: number;
  humanDecisions: Record<string, number>;
  topReasons: Array<{ code: string; count: number }>;
  calibration: Calibration;
  edits: EditReport;
  /** Estimated defect rates with intervals, weighted by each sample's inclusion probability (issue 13). */
  estimates: DefectEstimates;
  escalation: EscalationSection;
  automation: AutomationSection;
  /** Outcomes the helpdesk reported; tickets it never reported on are unknown, not unresolved. */
  outcomes: OutcomeSection;
  human: HumanSection;
  sla: SlaSection;
  /** Each reviewer's catch rate on seeded known defects. */
  reviewers: CatchRate[];
  /** Seeded known defects in the week (never counted in any other figure). */
  seeded: number;
  /** Shadow mode (issue 15): production's conclusions against each candidate's decisions. */
  shadow: ShadowSection;
}

export interface WeekReportOptions {
  topN?: number;
  /** The pack's service level per queue, in minutes (0: none). */
  slaMinutes?: (queue: string) => number;
  /** Defect categories to estimate (the built-in four plus the pack's). */
  categories?: readonly string[];
  now?: Date;
}

/** ISO 8601 week (`YYYY-Www`) of a timestamp, in UTC. */
export function isoWeek(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'unknown';
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = day.getUTCDay() || 7;
  // The ISO week belongs to the year of its Thursday.
  day.setUTCDate(day.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const ratio = (n: number, d: number) => (d === 0 ? 0 : n / d);

/**
 * Agreement and Cohen's kappa over pairs of binary ratings. Each pair is ordered by reviewer name,
 * so with two reviewers this is exactly Cohen's kappa between them; with more, it pools every pair.
 */
export function cohensKappa(pairs: ReadonlyArray<readonly [boolean, boolean]>): Agreement {
  const n = pairs.length;
  if (n === 0) return { pairs: 0, agreement: null, kappa: null };
  let agree = 0;
  let firstYes = 0;
  let secondYes = 0;
  for (const [a, b] of pairs) {
    if (a === b) agree++;
    if (a) firstYes++;
    if (b) secondYes++;
  }
  const po = agree / n;
  const pa = firstYes / n;
  const pb = secondYes / n;
  const pe = pa * pb + (1 - pa) * (1 - pb);
  return { pairs: n, agreement: po, kappa: pe >= 1 ? null : (po - pe) / (1 - pe) };
}

/** Pass/fail and per-defect agreement between reviewers who reviewed the same ticket. */
export function calibration(tickets: Iterable<TicketView>): Calibration {
  let multi = 0;
  const passPairs: Array<[boolean, boolean]> = [];
  const defectPairs = Object.fromEntries(DEFECTS.map((d) => [d, [] as Array<[boolean, boolean]>])) as Record<Defect, Array<[boolean, boolean]>>;
  for (const t of tickets) {
    if (t.reviews.length < 2) continue;
    multi++;
    const rs = [...t.reviews].sort((a, b) => a.reviewer.localeCompare(b.reviewer));
    for (let i = 0; i < rs.length; i++) {
      for (let j = i + 1; j < rs.length; j++) {
        const a = rs[i];
        const b = rs[j];
        if (!a || !b) continue;
        passPairs.push([a.passed, b.passed]);
        for (const d of DEFECTS) defectPairs[d].push([a.defects.includes(d), b.defects.includes(d)]);
      }
    }
  }
  return {
    ticketsWithMultipleReviews: multi,
    passFail: cohensKappa(passPairs),
    perDefect: Object.fromEntries(DEFECTS.map((d) => [d, cohensKappa(defectPairs[d])])) as Record<Defect, Agreement>,
  };
}

function rate(changes: readonly number[]): EditRate {
  const edited = changes.filter((c) => c > 0);
  return {
    sent: changes.length,
    edited: edited.length,
    editRate: ratio(edited.length, changes.length),
    meanChange: edited.length ? Math.round((edited.reduce((a, b) => a + b, 0) / edited.length) * 1000) / 1000 : 0,
  };
}

/** Edit rate overall, by area and by agent, from the drafts people sent (the diff kept in each decision). */
export function editReport(tickets: readonly TicketView[]): EditReport {
  const all: number[] = [];
  const byArea = new Map<string, number[]>();
  const byAgent = new Map<string, { name: string; changes: number[] }>();
  let overrides = 0;
  let blocked = 0;
  let denied = 0;
  for (const t of tickets) {
    blocked += t.blocked.length;
    denied += t.denied.length;
    const d = t.decisions[0];
    if (!d) continue;
    if (d.override) overrides++;
    if (!d.draftText || (d.action !== 'approve' && d.action !== 'edit')) continue;
    const change = d.edit?.changeRatio ?? 0;
    all.push(change);
    byArea.set(t.area, [...(byArea.get(t.area) ?? []), change]);
    const a = byAgent.get(d.actor) ?? { name: d.actorName, changes: [] };
    a.changes.push(change);
    byAgent.set(d.actor, a);
  }
  return {
    ...rate(all),
    byArea: Object.fromEntries([...byArea.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([area, cs]) => [area, rate(cs)])),
    byAgent: [...byAgent.entries()].map(([agent, a]) => ({ agent, name: a.name, ...rate(a.changes) })).sort((x, y) => x.name.localeCompare(y.name)),
    overrides,
    blocked,
    denied,
  };
}

/** The week's numbers for the tickets that arrived in it; seeded known defects count only as `seeded` and in the reviewers' catch rates. */
export function weekReport(week: string, allTickets: readonly TicketView[], o: WeekReportOptions = {}): WeekReport {
  const topN = o.topN ?? 5;
  const tickets = allTickets.filter((t) => !t.seed);
  const routes = Object.fromEntries(ROUTE.names.map((r) => [r, { count: 0, share: 0 }])) as Record<RouteName, { count: number; share: number }>;
  const defects = Object.fromEntries(DEFECTS.map((d) => [d, 0])) as Record<Defect, number>;
  const reasons = new Map<string, number>();
  const decisions: Record<string, number> = {};
  let concluded = 0;
  let sampled = 0;
  let reviewed = 0;
  let reviews = 0;
  let passed = 0;
  let toneViolations = 0;
  let toneMismatch = 0;
  let unresolved = 0;
  let solved = 0;
  let reopened = 0;
  let repeatContacts = 0;
  const satisfaction = { rated: 0, good: 0, bad: 0 };
  for (const t of tickets) {
    const state = t.outcomes.filter((o) => o.kind === 'solved' || o.kind === 'reopened').at(-1)?.kind;
    if (state === 'solved') solved++;
    if (t.outcomes.some((o) => o.kind === 'reopened')) reopened++;
    const rating = t.outcomes.filter((o) => o.kind === 'satisfaction').at(-1)?.rating;
    if (rating) {
      satisfaction.rated++;
      if (rating === 'good') satisfaction.good++;
      if (rating === 'bad') satisfaction.bad++;
    }
    if (t.reasons.some((r) => r.code === 'repeat_contact') || t.outcomes.some((o) => o.kind === 'reopened')) repeatContacts++;
    if (t.route) {
      concluded++;
      routes[t.route].count++;
      // Unresolved only by the helpdesk's word (issue 13): a ticket it never reported on is unknown.
      if (state === 'reopened') unresolved++;
    }
    if (t.qaSampled) sampled++;
    if (t.reviews.length) reviewed++;
    for (const r of t.reviews) {
      reviews++;
      if (r.passed) passed++;
      for (const d of r.defects) if (d in defects) defects[d as Defect]++;
      if (r.defects.includes('tone_mismatch')) toneMismatch++;
    }
    for (const r of t.reasons) {
      reasons.set(r.code, (reasons.get(r.code) ?? 0) + 1);
      if (r.code === 'tone_violation') toneViolations++;
    }
    const d = t.decisions[0];
    if (d) decisions[d.action] = (decisions[d.action] ?? 0) + 1;
  }
  for (const r of ROUTE.names) routes[r].share = ratio(routes[r].count, concluded);
  return {
    week,
    tickets: tickets.length,
    concluded,
    routes,
    escalationRate: ratio(routes.escalated.count, concluded),
    qa: { sampled, reviewed, reviews, passed },
    defects,
    toneIssues: { toneViolations, toneMismatchReviews: toneMismatch, total: toneViolations + toneMismatch },
    unresolved,
    helpdesk: { solved, reopened, satisfaction },
    repeatContacts,
    humanDecisions: decisions,
    topReasons: [...reasons.entries()]
      .map(([code, count]) => ({ code, count }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
      .slice(0, topN),
    calibration: calibration(tickets),
    edits: editReport(tickets),
    estimates: defectEstimates(tickets, o.categories),
    escalation: escalationSection(tickets),
    automation: automationSection(tickets),
    outcomes: outcomeSection(tickets),
    human: humanSection(tickets),
    sla: slaSection(tickets, o.slaMinutes ?? (() => 0), o.now),
    reviewers: reviewerSection(allTickets),
    seeded: allTickets.length - tickets.length,
    shadow: shadowSection(tickets),
  };
}

/** One report per ISO week of arrival, oldest first. */
export function weeklyReport(tickets: Iterable<TicketView>, o: WeekReportOptions = {}): WeekReport[] {
  const byWeek = new Map<string, TicketView[]>();
  for (const t of tickets) {
    const w = isoWeek(t.times.received || t.times.concluded || t.times.last);
    const list = byWeek.get(w);
    if (list) list.push(t);
    else byWeek.set(w, [t]);
  }
  return [...byWeek.keys()].sort().map((w) => weekReport(w, byWeek.get(w) ?? [], o));
}
