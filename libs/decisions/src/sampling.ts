import { createHash } from 'node:crypto';
import type { AreaName, RouteName } from '@handrail/events';
import type { PolicyPack } from '@handrail/policy';

/**
 * The QA sample design (issue 13). Every decision gets a known inclusion probability π and is
 * sampled when its ticket's uniform draw is below π, so estimators can weight each reviewed decision
 * by 1/π (Horvitz–Thompson) and rates come out unbiased even though some strata are sampled far more
 * than others. The draw is a hash of the ticket id: a redelivery never samples twice or differently,
 * and draws of different tickets behave as independent uniforms (Poisson sampling).
 */
export interface SamplingDecision {
  sampled: boolean;
  /** The stratum's base rate. */
  rate: number;
  /** Which rule set the base rate: `by_area_route.refund.escalated`, `by_area.refund`, `by_route.auto_resolved` or `default_rate`. */
  rule: string;
  /** The probability this decision had of being sampled, every factor included. */
  inclusionProbability: number;
  /** base, low_margin, first_after_revision:<kind>:<rev>, weekly_minimum:<area>:<week>, human_edit. */
  factors: string[];
  draw: number;
  /** `<area>/<route>` */
  stratum: string;
  /** Counters this decision uses up (the certainty selections): the caller records them. */
  claims: string[];
}

/** A uniform number in [0, 1) from the ticket id: the same ticket always draws the same number. */
export function ticketDraw(ticketId: string, salt = 'qa'): number {
  const h = createHash('sha256').update(`${salt}:${ticketId}`).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

/** ISO 8601 week (`YYYY-Www`) of a timestamp, in UTC; `unknown` for an unreadable one. */
export function isoWeekOf(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'unknown';
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * How many decisions have used each certainty counter: the first N after a revision, an area's weekly
 * minimum. Every such decision is sampled (π = 1), so the counts can be rebuilt from the retained
 * samples' factors after a restart (`recordFactors`).
 */
export class SamplingCounters {
  private readonly counts = new Map<string, number>();
  seen(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  record(keys: readonly string[]): void {
    for (const k of keys) this.counts.set(k, this.seen(k) + 1);
  }
  /** From a retained sample: the certainty factors it used. */
  recordFactors(factors: readonly string[]): void {
    this.record(factors.filter(isCertaintyFactor));
  }
  /** What a shared ledger says is used (issue 15: the sampler's replicas share their slots); never lowers a count. */
  set(key: string, n: number): void {
    if (n > this.seen(key)) this.counts.set(key, n);
  }
  clone(): SamplingCounters {
    const c = new SamplingCounters();
    for (const [k, n] of this.counts) c.counts.set(k, n);
    return c;
  }
}

/** A factor that is a certainty selection (π = 1): one slot of a first-after-revision or weekly-minimum quota. */
export const isCertaintyFactor = (f: string): boolean => f.startsWith('first_after_revision:') || f.startsWith('weekly_minimum:');

/** The size of a certainty selection's quota under a pack. */
export function certaintyQuota(policy: PolicyPack, factor: string): number {
  if (factor.startsWith('first_after_revision:')) return policy.sampling.first_after_revision;
  if (factor.startsWith('weekly_minimum:')) return policy.sampling.weekly_minimum_per_area;
  return 0;
}

export interface SamplingContext {
  /** The classifier's confidence behind the decision (low margin to the threshold weighs more). */
  confidence?: number | undefined;
  /** The revisions the decision was made under; an empty one is not counted. */
  revisions?: { policy?: string | undefined; model?: string | undefined; kb?: string | undefined } | undefined;
  /** When the ticket arrived (its ISO week for the weekly minimum). */
  receivedAt?: string | undefined;
  counters?: SamplingCounters | undefined;
}

/** The base rate of a stratum: the most specific wins (area × route, area, route, default). */
export function baseRate(policy: PolicyPack, area: AreaName | undefined, route: RouteName): { rate: number; rule: string } {
  const s = policy.sampling;
  const byAreaRoute = area ? s.by_area_route[area]?.[route] : undefined;
  if (area && byAreaRoute !== undefined) return { rate: byAreaRoute, rule: `by_area_route.${area}.${route}` };
  const byArea = area ? s.by_area[area] : undefined;
  if (area && byArea !== undefined) return { rate: byArea, rule: `by_area.${area}` };
  const byRoute = s.by_route[route];
  if (byRoute !== undefined) return { rate: byRoute, rule: `by_route.${route}` };
  return { rate: s.default_rate, rule: 'default_rate' };
}

/** The probability a decision would have had without certainty selections: base rate, raised for a low margin. */
function weightedBase(policy: PolicyPack, area: AreaName | undefined, route: RouteName, confidence: number | undefined): { pi: number; rate: number; rule: string; factors: string[] } {
  const { rate, rule } = baseRate(policy, area, route);
  let pi = rate;
  const factors = ['base'];
  const lm = policy.sampling.low_margin;
  const threshold = area ? policy.areas[area]?.confidence_threshold : undefined;
  if (lm && confidence !== undefined && threshold !== undefined && Math.abs(confidence - threshold) < lm.within) {
    pi = Math.min(1, pi * lm.weight);
    factors.push('low_margin');
  }
  return { pi, rate, rule, factors };
}

/**
 * Whether a concluded decision is reviewed, and with what probability. The certainty selections come
 * first: one of the first `first_after_revision` decisions under its policy, KB or model revision, or
 * one of the first `weekly_minimum_per_area` of its area's week.
 */
export function decideSample(policy: PolicyPack, ticketId: string, area: AreaName | undefined, route: RouteName, ctx: SamplingContext = {}): SamplingDecision {
  const w = weightedBase(policy, area, route, ctx.confidence);
  const draw = ticketDraw(ticketId);
  const stratum = `${area ?? 'unknown'}/${route}`;
  const claims: string[] = [];
  const firstN = policy.sampling.first_after_revision;
  const counters = ctx.counters;
  if (counters && firstN > 0) {
    for (const kind of ['policy', 'kb', 'model'] as const) {
      const rev = ctx.revisions?.[kind];
      if (!rev) continue;
      const key = `first_after_revision:${kind}:${rev}`;
      if (counters.seen(key) < firstN) claims.push(key);
    }
  }
  const weekly = policy.sampling.weekly_minimum_per_area;
  if (counters && weekly > 0 && area && ctx.receivedAt) {
    const key = `weekly_minimum:${area}:${isoWeekOf(ctx.receivedAt)}`;
    if (counters.seen(key) < weekly) claims.push(key);
  }
  if (claims.length > 0) {
    return { sampled: true, rate: w.rate, rule: w.rule, inclusionProbability: 1, factors: [...w.factors, ...claims], draw, stratum, claims };
  }
  return { sampled: draw < w.pi, rate: w.rate, rule: w.rule, inclusionProbability: w.pi, factors: w.factors, draw, stratum, claims };
}

/**
 * After a person edited the draft: the decision's inclusion probability becomes
 * max(π at conclusion, human_edit_rate) under the same draw, so a ticket already sampled stays
 * sampled (its weight is revised) and one that was not is sampled with the difference.
 * Undefined when edits carry no extra weight.
 */
export function decideEditSample(policy: PolicyPack, ticketId: string, area: AreaName | undefined, route: RouteName, atConclusion: number | undefined, confidence?: number): SamplingDecision | undefined {
  const editRate = policy.sampling.human_edit_rate;
  if (editRate === undefined) return undefined;
  const w = weightedBase(policy, area, route, confidence);
  const prior = atConclusion ?? w.pi;
  const pi = Math.max(prior, editRate);
  const draw = ticketDraw(ticketId);
  return { sampled: draw < pi, rate: w.rate, rule: w.rule, inclusionProbability: pi, factors: [...w.factors, 'human_edit'], draw, stratum: `${area ?? 'unknown'}/${route}`, claims: [] };
}
