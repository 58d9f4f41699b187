import { bootstrapInterval, fleissKappa, krippendorffAlphaNominal, weightedRate, wilson, type Interval, type RateEstimate } from './stats.js';

/**
 * The QA loop's judgements as plain functions over plain records (issue 13): defect-rate estimates
 * from weighted samples, the circuit-breaker rule, pilot verdicts, reviewer catch rates on seeded
 * defects, the automation-bias and automation-creep alarms, calibration agreement, and the
 * improvement backlog. The projection turns ticket views into these records; the qa-sampler, the
 * console and the CLI call the same functions, so "is this area over its bound?" has one answer.
 */

export interface UnitReview {
  reviewer: string;
  reviewerName: string;
  /** Categories found, with severities. */
  findings: ReadonlyArray<{ category: string; severity: string }>;
  time: string;
  reviewMs: number;
  session: string;
}

/** One decision as the QA loop sees it. */
export interface QaUnit {
  ticketId: string;
  area: string;
  route: string;
  channel: string;
  intent: string;
  week: string;
  concludedAt: string;
  /** Inclusion probability when drawn by the sample design; undefined when not sampled or outside it. */
  pi: number | undefined;
  /** A seeded known defect: never counted in estimates; used for catch rates. */
  seed: { expected: readonly string[] } | undefined;
  reviews: readonly UnitReview[];
  /** What produced it, for the backlog: cited passages, the drafter and template, reason codes. */
  citations: ReadonlyArray<{ articleId: string; passageId: string; articleVersion: string }>;
  drafter: string;
  template: string;
  promptVersion: string;
  reasons: readonly string[];
  /** Human decision, if any. */
  decision: { actor: string; actorName: string; action: string; reviewMs: number; edited: boolean; overridden: boolean } | undefined;
  /** Helpdesk outcome: solved, reopened, or unknown when the helpdesk never said. */
  outcome: 'solved' | 'reopened' | 'unknown';
  repeat: boolean;
}

export interface DefectFilter {
  category?: string | undefined;
  severities?: readonly string[] | undefined;
}

/** A review's verdict on one unit under a filter: 1 defect, 0 not. */
function reviewDefective(r: UnitReview, f: DefectFilter): boolean {
  return r.findings.some((x) => (!f.category || x.category === f.category) && (!f.severities || f.severities.includes(x.severity)));
}

/** The unit's value for the estimators: the share of its reviewers who found a (matching) defect. */
export function defectValue(u: QaUnit, f: DefectFilter = {}): number {
  if (u.reviews.length === 0) return 0;
  return u.reviews.filter((r) => reviewDefective(r, f)).length / u.reviews.length;
}

/** Units that count for estimates: drawn by the design, reviewed, not seeded. */
export function estimable(units: Iterable<QaUnit>): QaUnit[] {
  return [...units].filter((u) => u.pi !== undefined && u.reviews.length > 0 && !u.seed);
}

/** The estimated defect rate of the population the units were drawn from, weighted by 1/π. */
export function defectRate(units: Iterable<QaUnit>, f: DefectFilter = {}, o: { confidence?: number; sided?: 'two' | 'one'; populationSize?: number } = {}): RateEstimate {
  const xs = estimable(units);
  return weightedRate(
    xs.map((u) => ({ y: defectValue(u, f), pi: u.pi ?? 1 })),
    o,
  );
}

export interface BreakerRule {
  max_defect_rate: number;
  confidence: number;
  min_reviews: number;
  severities: readonly string[];
}

export interface BreakerVerdict {
  trip: boolean;
  estimate: RateEstimate;
  /** The one-sided lower confidence bound compared with the bound. */
  lowerBound: number;
  bound: number;
  reason: string;
}

/**
 * Demote only when the estimated defect rate exceeds the bound with statistical confidence: at least
 * `min_reviews` reviewed decisions and the one-sided lower confidence bound above `max_defect_rate`.
 * One bad ticket never trips it.
 */
export function breakerVerdict(units: Iterable<QaUnit>, rule: BreakerRule): BreakerVerdict {
  const xs = estimable(units);
  const estimate = defectRate(xs, { severities: rule.severities }, { confidence: rule.confidence, sided: 'one' });
  const enough = xs.length >= rule.min_reviews;
  const trip = enough && estimate.lower > rule.max_defect_rate;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const reason = !enough
    ? `${xs.length} of ${rule.min_reviews} reviews needed`
    : `estimated defect rate ${pct(estimate.rate)} over ${xs.length} reviews (n_eff ${estimate.effectiveN.toFixed(1)}), ${Math.round(rule.confidence * 100)}% lower bound ${pct(estimate.lower)} ${trip ? '>' : '≤'} bound ${pct(rule.max_defect_rate)}`;
  return { trip, estimate, lowerBound: estimate.lower, bound: rule.max_defect_rate, reason };
}

export interface PilotCriteria {
  defect_rate?: number | undefined;
  escalation_rate?: number | undefined;
  unresolved_rate?: number | undefined;
  min_tickets: number;
  min_reviews: number;
}

export interface PilotMetric {
  name: 'defect_rate' | 'escalation_rate' | 'unresolved_rate';
  estimate: Interval & { n: number };
  success?: { max: number; met: boolean | null } | undefined;
  stop?: { limit: number; hit: boolean } | undefined;
}

export interface PilotVerdict {
  verdict: 'pass' | 'fail' | 'not_yet_decided';
  /** A stop condition is met (the pilot stops itself). */
  stop: boolean;
  tickets: number;
  reviews: number;
  metrics: PilotMetric[];
  reasons: string[];
}

/**
 * A pilot against its pre-registered criteria. Stop: once a rate's sample size is reached, its
 * one-sided lower bound is above the stop limit. Pass: every success rate's upper bound is below its
 * maximum with the success sample sizes reached. Fail: a stop condition met. Otherwise not yet decided.
 * Unresolved counts only tickets whose helpdesk outcome is known.
 */
export function pilotVerdict(units: readonly QaUnit[], p: { success: PilotCriteria; stop: PilotCriteria; confidence: number }): PilotVerdict {
  const tickets = units.filter((u) => !u.seed);
  const reviewed = estimable(tickets);
  const known = tickets.filter((u) => u.outcome !== 'unknown');
  const defect = defectRate(reviewed, {}, { confidence: p.confidence });
  const defectOne = defectRate(reviewed, {}, { confidence: p.confidence, sided: 'one' });
  const esc = tickets.filter((u) => u.route === 'escalated').length;
  const unres = known.filter((u) => u.outcome === 'reopened').length;
  const two = (k: number, n: number) => wilson(k, n, p.confidence);
  const one = (k: number, n: number) => wilson(k, n, p.confidence, 'one');
  const rows: Array<{ name: PilotMetric['name']; est: Interval; lowerOne: number; upperOne: number; n: number; nStop: number; nSuccess: number }> = [
    { name: 'defect_rate', est: defect, lowerOne: defectOne.lower, upperOne: defectOne.upper, n: reviewed.length, nStop: p.stop.min_reviews, nSuccess: p.success.min_reviews },
    { name: 'escalation_rate', est: two(esc, tickets.length), lowerOne: one(esc, tickets.length).lower, upperOne: one(esc, tickets.length).upper, n: tickets.length, nStop: p.stop.min_tickets, nSuccess: p.success.min_tickets },
    { name: 'unresolved_rate', est: two(unres, known.length), lowerOne: one(unres, known.length).lower, upperOne: one(unres, known.length).upper, n: known.length, nStop: p.stop.min_tickets, nSuccess: p.success.min_tickets },
  ];
  const metrics: PilotMetric[] = [];
  const reasons: string[] = [];
  let stop = false;
  let allMet = true;
  let anySuccess = false;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  for (const r of rows) {
    const m: PilotMetric = { name: r.name, estimate: { ...r.est, n: r.n } };
    const limit = p.stop[r.name];
    if (limit !== undefined) {
      const hit = r.n >= Math.max(1, r.nStop) && r.lowerOne > limit;
      m.stop = { limit, hit };
      if (hit) {
        stop = true;
        reasons.push(`stop: ${r.name} ${pct(r.est.rate)} (lower bound ${pct(r.lowerOne)}) above ${pct(limit)} over ${r.n}`);
      }
    }
    const max = p.success[r.name];
    if (max !== undefined) {
      anySuccess = true;
      const decided = r.n >= Math.max(1, r.nSuccess);
      const met = decided ? r.upperOne < max : null;
      m.success = { max, met };
      if (met !== true) allMet = false;
      if (met === null) reasons.push(`${r.name}: ${r.n} of ${r.nSuccess} needed`);
      else if (!met) reasons.push(`${r.name}: upper bound ${pct(r.upperOne)} not below ${pct(max)} yet`);
    }
    metrics.push(m);
  }
  const verdict = stop ? 'fail' : anySuccess && allMet ? 'pass' : 'not_yet_decided';
  return { verdict, stop, tickets: tickets.length, reviews: reviewed.length, metrics, reasons };
}

export interface CatchRate {
  reviewer: string;
  name: string;
  seeded: number;
  caught: number;
  rate: Interval;
  /** Share of the real decisions they reviewed that they passed. */
  passRate: number;
  reviews: number;
}

/** Per reviewer: how many seeded defects they caught (found at least one of the expected categories). */
export function catchRates(units: Iterable<QaUnit>): CatchRate[] {
  const by = new Map<string, { name: string; seeded: number; caught: number; reviews: number; passed: number }>();
  for (const u of units) {
    for (const r of u.reviews) {
      const s = by.get(r.reviewer) ?? { name: r.reviewerName, seeded: 0, caught: 0, reviews: 0, passed: 0 };
      if (u.seed) {
        s.seeded++;
        if (r.findings.some((f) => u.seed?.expected.includes(f.category))) s.caught++;
      } else {
        s.reviews++;
        if (r.findings.length === 0) s.passed++;
      }
      by.set(r.reviewer, s);
    }
  }
  return [...by.entries()]
    .map(([reviewer, s]) => ({ reviewer, name: s.name, seeded: s.seeded, caught: s.caught, rate: wilson(s.caught, s.seeded), passRate: s.reviews ? s.passed / s.reviews : 0, reviews: s.reviews }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface Alarm {
  kind: 'automation_creep' | 'fast_approvals' | 'reviewer_passes_seeded';
  area: string;
  subject: string;
  detail: string;
  value: number;
  threshold: number;
}

/** Automation bias, people who approve: a share of approvals with near-zero review time above the limit. */
export function fastApprovalAlarms(units: Iterable<QaUnit>, o: { fastMs: number; maxShare: number; minDecisions: number; confidence: number }): Alarm[] {
  const by = new Map<string, { name: string; n: number; fast: number }>();
  for (const u of units) {
    const d = u.decision;
    if (!d || (d.action !== 'approve' && d.action !== 'edit') || d.reviewMs <= 0) continue;
    const s = by.get(d.actor) ?? { name: d.actorName, n: 0, fast: 0 };
    s.n++;
    if (d.reviewMs < o.fastMs) s.fast++;
    by.set(d.actor, s);
  }
  const out: Alarm[] = [];
  for (const [actor, s] of by) {
    if (s.n < o.minDecisions) continue;
    const w = wilson(s.fast, s.n, o.confidence, 'one');
    if (w.lower > o.maxShare) {
      out.push({ kind: 'fast_approvals', area: '', subject: actor, detail: `${s.name} approved ${s.fast} of ${s.n} drafts in under ${o.fastMs / 1000} s (lower bound ${(w.lower * 100).toFixed(0)}% > ${(o.maxShare * 100).toFixed(0)}%)`, value: w.rate, threshold: o.maxShare });
    }
  }
  return out;
}

/** Automation bias, reviewers: someone passing nearly everything while the seeded defects slip past them. */
export function reviewerAlarms(units: Iterable<QaUnit>, o: { minCatchRate: number; minSeeded: number }): Alarm[] {
  return catchRates(units)
    .filter((c) => c.seeded >= o.minSeeded && c.caught / c.seeded <= o.minCatchRate)
    .map((c) => ({
      kind: 'reviewer_passes_seeded' as const,
      area: '',
      subject: c.reviewer,
      detail: `${c.name} caught ${c.caught} of ${c.seeded} seeded defects (${(c.rate.rate * 100).toFixed(0)}%) and passed ${(c.passRate * 100).toFixed(0)}% of ${c.reviews} real decisions`,
      value: c.rate.rate,
      threshold: o.minCatchRate,
    }));
}

/** Automation creep: an area's share resolved by AI alone grows past what the pack approved (with confidence). */
export function automationCreepAlarms(units: Iterable<QaUnit>, approved: Readonly<Partial<Record<string, number>>>, o: { confidence: number; minDecisions: number }): Alarm[] {
  const by = new Map<string, { n: number; auto: number }>();
  for (const u of units) {
    if (u.seed) continue;
    const s = by.get(u.area) ?? { n: 0, auto: 0 };
    s.n++;
    if (u.route === 'auto_resolved') s.auto++;
    by.set(u.area, s);
  }
  const out: Alarm[] = [];
  for (const [area, s] of by) {
    const max = approved[area];
    if (max === undefined || s.n < o.minDecisions) continue;
    const w = wilson(s.auto, s.n, o.confidence, 'one');
    if (w.lower > max) out.push({ kind: 'automation_creep', area, subject: '', detail: `${area}: ${s.auto} of ${s.n} resolved by AI alone (${(w.rate * 100).toFixed(0)}%, lower bound ${(w.lower * 100).toFixed(0)}%) — the pack approved ${(max * 100).toFixed(0)}%`, value: w.rate, threshold: max });
  }
  return out;
}

export interface CategoryAgreement {
  category: string;
  items: number;
  fleissKappa: number | null;
  kappaInterval: { lower: number; upper: number } | null;
  krippendorffAlpha: number | null;
  alphaInterval: { lower: number; upper: number } | null;
  /** Share of items on which every reviewer agreed. */
  unanimous: number;
}

export interface CalibrationReport {
  items: number;
  reviewers: string[];
  perCategory: CategoryAgreement[];
  disagreements: Array<{ ticketId: string; category: string; yes: string[]; no: string[] }>;
}

/**
 * Agreement in a calibration session, per category ("pass" and each defect category, each a yes/no
 * rating per reviewer per item): Fleiss' kappa and Krippendorff's alpha with percentile bootstrap
 * intervals over items, and every item × category the reviewers split on, for discussion.
 */
export function calibrationReport(items: ReadonlyArray<{ ticketId: string; reviews: readonly UnitReview[] }>, categories: readonly string[], o: { resamples?: number; seed?: number } = {}): CalibrationReport {
  const rated = items.filter((i) => i.reviews.length >= 2);
  const reviewers = [...new Set(rated.flatMap((i) => i.reviews.map((r) => r.reviewerName || r.reviewer)))].sort();
  const perCategory: CategoryAgreement[] = [];
  const disagreements: CalibrationReport['disagreements'] = [];
  for (const category of ['pass', ...categories]) {
    const says = (r: UnitReview) => (category === 'pass' ? r.findings.length === 0 : r.findings.some((f) => f.category === category));
    const votes = rated.map((i) => i.reviews.map(says));
    const kappa = (vs: ReadonlyArray<readonly boolean[]>) => fleissKappa(vs.map((v) => [v.filter(Boolean).length, v.filter((x) => !x).length]));
    const alpha = (vs: ReadonlyArray<readonly boolean[]>) => krippendorffAlphaNominal(vs);
    perCategory.push({
      category,
      items: rated.length,
      fleissKappa: kappa(votes),
      kappaInterval: bootstrapInterval(votes, kappa, o),
      krippendorffAlpha: alpha(votes),
      alphaInterval: bootstrapInterval(votes, alpha, o),
      unanimous: rated.length ? votes.filter((v) => v.every((x) => x === v[0])).length / rated.length : 0,
    });
    rated.forEach((i) => {
      const yes = i.reviews.filter(says).map((r) => r.reviewerName || r.reviewer);
      const no = i.reviews.filter((r) => !says(r)).map((r) => r.reviewerName || r.reviewer);
      if (yes.length && no.length) disagreements.push({ ticketId: i.ticketId, category, yes, no });
    });
  }
  return { items: rated.length, reviewers, perCategory, disagreements };
}

export interface BacklogEntry {
  kind: 'article' | 'intent' | 'template' | 'rule';
  /** e.g. `returns-policy#p2@v3`, `order_status`, `llm:v1`, `by_area.refund`. */
  key: string;
  /** Weighted defect count (Σ defect share / π over the reviewed decisions that point here). */
  weight: number;
  defects: number;
  categories: Record<string, number>;
  tickets: string[];
  action: string;
}

/**
 * The improvement backlog: each reviewed defect linked to what produced it — the KB passages and
 * versions its reply cited, its intent, its drafter and prompt/template version, the reason codes —
 * and ranked by weighted count (1/π, so a defect in a rarely sampled stratum counts for what it
 * stands for). Articles to fix first; intents with hallucinations or incomplete answers need examples.
 */
export function improvementBacklog(units: Iterable<QaUnit>, top = 20): BacklogEntry[] {
  const entries = new Map<string, BacklogEntry>();
  const add = (kind: BacklogEntry['kind'], key: string, action: string, u: QaUnit, w: number, cats: readonly string[]) => {
    const id = `${kind}:${key}`;
    const e = entries.get(id) ?? { kind, key, weight: 0, defects: 0, categories: {}, tickets: [], action };
    e.weight += w;
    e.defects++;
    for (const c of cats) e.categories[c] = (e.categories[c] ?? 0) + 1;
    if (!e.tickets.includes(u.ticketId)) e.tickets.push(u.ticketId);
    entries.set(id, e);
  };
  for (const u of units) {
    if (u.seed || u.reviews.length === 0) continue;
    const share = defectValue(u);
    if (share === 0) continue;
    const w = share / (u.pi ?? 1);
    const cats = [...new Set(u.reviews.flatMap((r) => r.findings.map((f) => f.category)))];
    for (const c of u.citations) add('article', `${c.articleId}#${c.passageId}@${c.articleVersion}`, 'fix or clarify the passage', u, w, cats);
    if (u.intent) add('intent', `${u.area}/${u.intent}`, cats.some((c) => c === 'hallucination' || c === 'incomplete_resolution') ? 'add examples and a grounded article for this intent' : 'add examples', u, w, cats);
    if (u.drafter || u.template) add('template', `${u.drafter}${u.template ? `:${u.template}` : ''}${u.promptVersion ? `@prompt ${u.promptVersion}` : ''}`, 'revise the template or prompt', u, w, cats);
    for (const r of u.reasons) add('rule', r, 'review the rule', u, w, cats);
  }
  const rank = { article: 0, intent: 1, template: 2, rule: 3 } as const;
  return [...entries.values()].sort((a, b) => b.weight - a.weight || rank[a.kind] - rank[b.kind] || a.key.localeCompare(b.key)).slice(0, top);
}
