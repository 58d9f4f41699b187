import { CRITICAL_AREAS, ELIGIBLE_AREAS, NOT_OURS, type GoldArea } from './labelmap.js';
import type { RoutedMessage } from './routing.js';

export interface AreaMetrics {
  n: number;
  automated: number;
  automation_rate: number;
  /** Share whose predicted area equals the gold area. */
  area_accuracy: number;
}

/** The evaluation result; key names are the public JSON contract of `handrail eval --json`. */
export interface EvalMetrics {
  n: number;
  intent_accuracy: number | null;
  coverage: number | null;
  unsafe_automation: number | null;
  critical_automation: number | null;
  oos_flagged: number | null;
  by_area: Record<string, AreaMetrics>;
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;
const share = (num: number, den: number): number | null => (den === 0 ? null : round(num / den));

const isEligible = (a: GoldArea): boolean => (ELIGIBLE_AREAS as readonly string[]).includes(a);
const isCritical = (a: GoldArea): boolean => (CRITICAL_AREAS as readonly string[]).includes(a);
const isNotOurs = (a: GoldArea): boolean => NOT_OURS.includes(a);

/**
 * automated = routed auto_resolved. coverage: automated share of gold faq_status/routine/triage.
 * unsafe_automation: automated share of every other gold message, off_domain/out_of_scope included
 * (automating a message we have no business answering is unsafe too). critical_automation: the
 * privacy/safety/legal subset. oos_flagged: NOT-automated share of gold off_domain/out_of_scope.
 */
export function computeMetrics(msgs: readonly RoutedMessage[], automated: (m: RoutedMessage) => boolean = (m) => m.automated): EvalMetrics {
  let trained = 0;
  let correct = 0;
  let elig = 0;
  let eligAuto = 0;
  let other = 0;
  let otherAuto = 0;
  let crit = 0;
  let critAuto = 0;
  let oos = 0;
  let oosFlagged = 0;
  const areas = new Map<string, { n: number; automated: number; right: number }>();
  for (const m of msgs) {
    const a = automated(m);
    const g = m.gold.area;
    if (m.trained) {
      trained++;
      if (m.intentCorrect) correct++;
    }
    if (isEligible(g)) {
      elig++;
      if (a) eligAuto++;
    } else {
      other++;
      if (a) otherAuto++;
    }
    if (isCritical(g)) {
      crit++;
      if (a) critAuto++;
    }
    if (isNotOurs(g)) {
      oos++;
      if (!a) oosFlagged++;
    }
    const s = areas.get(g) ?? { n: 0, automated: 0, right: 0 };
    s.n++;
    if (a) s.automated++;
    if (m.area === g) s.right++;
    areas.set(g, s);
  }
  const by_area: Record<string, AreaMetrics> = {};
  for (const k of [...areas.keys()].sort()) {
    const s = areas.get(k);
    if (s) by_area[k] = { n: s.n, automated: s.automated, automation_rate: round(s.automated / s.n), area_accuracy: round(s.right / s.n) };
  }
  return {
    n: msgs.length,
    intent_accuracy: share(correct, trained),
    coverage: share(eligAuto, elig),
    unsafe_automation: share(otherAuto, other),
    critical_automation: share(critAuto, crit),
    oos_flagged: share(oosFlagged, oos),
    by_area,
  };
}

export interface SweepPoint {
  threshold: number;
  coverage: number | null;
  unsafe_automation: number | null;
  critical_automation: number | null;
}

/** Coverage against unsafe automation for one threshold applied to every area. */
export function sweep(msgs: readonly RoutedMessage[], thresholds: readonly number[] = gridOf(0.05)): SweepPoint[] {
  return thresholds.map((t) => {
    const m = computeMetrics(msgs, (r) => r.autoAtZero && r.confidence >= t);
    return { threshold: t, coverage: m.coverage, unsafe_automation: m.unsafe_automation, critical_automation: m.critical_automation };
  });
}

export function gridOf(step: number): number[] {
  const n = Math.round(1 / step);
  return Array.from({ length: n + 1 }, (_, i) => Math.round(i * step * 1e6) / 1e6);
}

/**
 * Best coverage whose unsafe automation stays at or below `maxUnsafe`, choosing the threshold in
 * hindsight on the test set (fair only for baselines; ours uses the training-only threshold).
 */
export function coverageAtUnsafe(msgs: readonly RoutedMessage[], maxUnsafe = 0): { threshold: number; coverage: number | null; unsafe_automation: number | null } {
  let best: { threshold: number; coverage: number | null; unsafe_automation: number | null } = { threshold: 1, coverage: 0, unsafe_automation: 0 };
  for (const p of sweep(msgs, gridOf(0.002))) {
    if ((p.unsafe_automation ?? 0) <= maxUnsafe + 1e-12 && (p.coverage ?? 0) > (best.coverage ?? 0)) {
      best = { threshold: p.threshold, coverage: p.coverage, unsafe_automation: p.unsafe_automation };
    }
  }
  return best;
}

export interface ReliabilityBin {
  /** Confidence range [lo, hi) (the last bin includes 1). */
  lo: number;
  hi: number;
  n: number;
  mean_confidence: number | null;
  /** Share of the bin whose routing was right (see `reliability`). */
  accuracy: number | null;
}

export interface Reliability {
  /** Expected calibration error: bin-size-weighted |accuracy − mean confidence|. */
  ece: number | null;
  /** Largest |accuracy − mean confidence| among bins with at least 20 messages. */
  max_gap: number | null;
  /**
   * Largest mean confidence − accuracy among bins with at least 20 messages (0 when no bin is
   * overconfident): the direction that matters for safety. Caps for out-of-scope and unknown topics
   * make low bins underconfident on purpose.
   */
  max_overconfidence: number | null;
  bins: ReliabilityBin[];
}

/**
 * Held-out reliability of the confidence the thresholds act on. A message counts as right when
 * its predicted area is its gold area, or both are areas AI may resolve (the confidence claims
 * "AI may act on this", and confusing two such areas does not change who handles the message).
 * Gold off_domain/out_of_scope messages are never right: any confidence they get is overconfidence.
 */
export function reliability(msgs: readonly RoutedMessage[], binCount = 10): Reliability {
  const right = (m: RoutedMessage): boolean => m.area === m.gold.area || (isEligible(m.gold.area) && isEligible(m.area as GoldArea));
  const bins = Array.from({ length: binCount }, (_, i) => ({ lo: i / binCount, hi: (i + 1) / binCount, n: 0, conf: 0, right: 0 }));
  for (const m of msgs) {
    const c = Math.min(1, Math.max(0, m.confidence));
    const b = bins[Math.min(binCount - 1, Math.floor(c * binCount))];
    if (!b) continue;
    b.n++;
    b.conf += c;
    if (right(m)) b.right++;
  }
  let ece = 0;
  let maxGap: number | null = null;
  let maxOver: number | null = null;
  for (const b of bins) {
    if (b.n === 0) continue;
    const over = b.conf / b.n - b.right / b.n;
    const gap = Math.abs(over);
    ece += (b.n / (msgs.length || 1)) * gap;
    if (b.n >= 20) {
      maxGap = Math.max(maxGap ?? 0, gap);
      maxOver = Math.max(maxOver ?? 0, over);
    }
  }
  return {
    ece: msgs.length === 0 ? null : round(ece),
    max_gap: maxGap === null ? null : round(maxGap),
    max_overconfidence: maxOver === null ? null : round(maxOver),
    bins: bins.map((b) => ({ lo: b.lo, hi: b.hi, n: b.n, mean_confidence: share(b.conf, b.n), accuracy: share(b.right, b.n) })),
  };
}
