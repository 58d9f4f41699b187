import type { PolicyPack } from '@handrail/policy';
import type { TrainingExample } from '@handrail/classifier';
import { toTrainingExamples, type GoldMessage } from './loaders.js';
import { computeMetrics, gridOf, sweep, type EvalMetrics, type SweepPoint } from './metrics.js';
import { classifyAll, routeAll, type MessageClassifier, type RoutedMessage } from './routing.js';
import { stratifiedFolds } from './split.js';

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
  onProgress?: (fold: number, folds: number) => void;
}

export interface AutoThreshold {
  threshold: number;
  folds: number;
  /** Metrics on the pooled held-out training folds at the chosen threshold. */
  crossValidation: EvalMetrics;
  crossValidationSweep: SweepPoint[];
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
  return {
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
