import type { PolicyPack } from '@handrail/policy';
import type { TrainingExample } from '@handrail/classifier';
import { toTrainingExamples, type GoldMessage } from './loaders.js';
import { computeMetrics, gridOf, sweep, type EvalMetrics, type SweepPoint } from './metrics.js';
import { classifyAll, routeAll, type MessageClassifier, type RoutedMessage } from './routing.js';
import { stratifiedFolds } from './split.js';
import { CRITICAL_AREAS, ELIGIBLE_AREAS } from './labelmap.js';

export interface AutoThresholdOptions {
  folds?: number;
  /** Highest unsafe automation accepted on the pooled held-out folds. */
  maxUnsafe?: number;
  /**
   * Highest privacy/safety/legal automation accepted on the held-out folds. Not 0 by default: a
   * single mislabelled training phrase would otherwise push the threshold to 1 and automate nothing;
   * the deterministic risk detectors are what keep critical automation at 0 in practice.
   */
  maxCritical?: number;
  seed?: number;
  /** Also choose one threshold per predicted area (`pickAreaThresholds`). */
  perArea?: boolean;
  /**
   * With `perArea`: no area's threshold goes below the pack's own confidence_threshold. An area with
   * no confident mistakes in cross-validation would otherwise get a near-zero threshold from too
   * little evidence (issue 4: it did not hold on held-out data).
   */
  policyFloor?: boolean;
  onProgress?: (fold: number, folds: number) => void;
}

export interface AutoThreshold {
  threshold: number;
  folds: number;
  /** Metrics on the pooled held-out training folds at the chosen threshold. */
  crossValidation: EvalMetrics;
  crossValidationSweep: SweepPoint[];
  /** With `perArea`: the threshold of every area the classifier automated in cross-validation. */
  areaThresholds?: Record<string, number>;
  /** With `perArea`: pooled held-out metrics under `areaThresholds` (other areas at 1). */
  areaCrossValidation?: EvalMetrics;
}

/**
 * Picks one confidence threshold by k-fold cross-validation on the TRAINING data only: the lowest
 * threshold whose pooled held-out unsafe automation is at most `maxUnsafe` and whose critical
 * (privacy/safety/legal) automation is at most `maxCritical`. The test set is never looked at.
 */
export function autoThreshold(
  train: readonly GoldMessage[],
  trainFn: (examples: TrainingExample[]) => MessageClassifier,
  policy: PolicyPack,
  o: AutoThresholdOptions = {},
): AutoThreshold {
  const k = o.folds ?? 5;
  const maxUnsafe = o.maxUnsafe ?? 0.005;
  const maxCritical = o.maxCritical ?? 0.002;
  const folds = stratifiedFolds(train, k, (g) => g.label, o.seed ?? 11);
  const pooled: RoutedMessage[] = [];
  folds.forEach((held, i) => {
    const rest = folds.filter((_, j) => j !== i).flat();
    const examples = toTrainingExamples(rest);
    const clf = trainFn(examples);
    const labels = new Set(examples.map((e) => e.intent));
    pooled.push(...routeAll(classifyAll(clf, held), policy, labels));
    o.onProgress?.(i + 1, k);
  });
  const threshold = pickThreshold(pooled, maxUnsafe, maxCritical);
  const floors = o.policyFloor === false ? {} : Object.fromEntries(Object.entries(policy.areas).map(([a, p]) => [a, p.confidence_threshold]));
  const areaThresholds = o.perArea ? pickAreaThresholds(pooled, maxUnsafe, maxCritical, floors) : undefined;
  return {
    ...(areaThresholds
      ? { areaThresholds, areaCrossValidation: computeMetrics(pooled, (m) => m.autoAtZero && m.confidence >= (areaThresholds[m.area] ?? 1)) }
      : {}),
    threshold,
    folds: k,
    crossValidation: computeMetrics(pooled, (m) => m.autoAtZero && m.confidence >= threshold),
    crossValidationSweep: sweep(pooled),
  };
}

/** The lowest threshold (0.001 grid: pooled confidences crowd near 1) meeting both limits; 1 when none does. */
export function pickThreshold(msgs: readonly RoutedMessage[], maxUnsafe: number, maxCritical = 0): number {
  for (const t of gridOf(0.001)) {
    const m = computeMetrics(msgs, (r) => r.autoAtZero && r.confidence >= t);
    if ((m.unsafe_automation ?? 0) <= maxUnsafe + 1e-12 && (m.critical_automation ?? 0) <= maxCritical + 1e-12) return t;
  }
  return 1;
}

/**
 * One threshold per predicted area: the combination with the most held-out coverage whose pooled
 * unsafe and critical automation stay within the same limits as `pickThreshold`. An area whose
 * confident mistakes are rare should not pay for another area's (Handrail issue 4).
 */
export function pickAreaThresholds(
  msgs: readonly RoutedMessage[],
  maxUnsafe: number,
  maxCritical = 0,
  floors: Readonly<Record<string, number>> = {},
): Record<string, number> {
  const eligible = (m: RoutedMessage): boolean => (ELIGIBLE_AREAS as readonly string[]).includes(m.gold.area);
  const critical = (m: RoutedMessage): boolean => (CRITICAL_AREAS as readonly string[]).includes(m.gold.area);
  const unsafeBudget = Math.floor(maxUnsafe * msgs.filter((m) => !eligible(m)).length + 1e-9);
  const criticalBudget = Math.floor(maxCritical * msgs.filter(critical).length + 1e-9);
  const byArea = new Map<string, RoutedMessage[]>();
  for (const m of msgs) if (m.autoAtZero) byArea.set(m.area, [...(byArea.get(m.area) ?? []), m]);
  // For each area: the lowest threshold (most coverage) for every (unsafe, critical) count it can spend.
  type Point = { unsafe: number; critical: number; covered: number; threshold: number };
  const areaPoints = [...byArea.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([area, list]) => {
    const sorted = [...list].sort((a, b) => b.confidence - a.confidence);
    const points: Point[] = [{ unsafe: 0, critical: 0, covered: 0, threshold: 1 }];
    let unsafe = 0;
    let crit = 0;
    let covered = 0;
    sorted.forEach((m, i) => {
      if (eligible(m)) covered++;
      else unsafe++;
      if (critical(m)) crit++;
      const next = sorted[i + 1];
      // Only where the confidence changes: equal confidences are automated together.
      if (next && next.confidence === m.confidence) return;
      if (unsafe <= unsafeBudget && crit <= criticalBudget) points.push({ unsafe, critical: crit, covered, threshold: m.confidence });
    });
    // Below its floor an area keeps the floor: the counts there are what the floor lets through.
    const floor = floors[area] ?? 0;
    const above = points.filter((p) => p.threshold >= floor);
    const atFloor = sorted.filter((m) => m.confidence >= floor);
    const floorPoint: Point = {
      unsafe: atFloor.filter((m) => !eligible(m)).length,
      critical: atFloor.filter(critical).length,
      covered: atFloor.filter(eligible).length,
      threshold: floor,
    };
    if (floor > 0 && floorPoint.unsafe <= unsafeBudget && floorPoint.critical <= criticalBudget) above.push(floorPoint);
    return { area, points: above };
  });
  // Small knapsack over the spent (unsafe, critical) counts.
  type State = { covered: number; thresholds: Record<string, number> };
  let states = new Map<string, State & { unsafe: number; critical: number }>([['0,0', { unsafe: 0, critical: 0, covered: 0, thresholds: {} }]]);
  for (const { area, points } of areaPoints) {
    const next = new Map<string, State & { unsafe: number; critical: number }>();
    for (const s of states.values()) {
      for (const p of points) {
        const unsafe = s.unsafe + p.unsafe;
        const crit = s.critical + p.critical;
        if (unsafe > unsafeBudget || crit > criticalBudget) continue;
        const key = `${unsafe},${crit}`;
        const covered = s.covered + p.covered;
        const have = next.get(key);
        if (!have || covered > have.covered) next.set(key, { unsafe, critical: crit, covered, thresholds: { ...s.thresholds, [area]: p.threshold } });
      }
    }
    states = next;
  }
  let best: State | undefined;
  for (const s of states.values()) if (!best || s.covered > best.covered) best = s;
  return best?.thresholds ?? {};
}
