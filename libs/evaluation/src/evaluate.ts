import type { PolicyPack } from '@handrail/policy';
import type { TrainingExample } from '@handrail/classifier';
import { toTrainingExamples, type GoldMessage } from './loaders.js';
import { computeMetrics, sweep, type EvalMetrics, type SweepPoint } from './metrics.js';
import { classifyAll, routeAll, withAreaThresholds, withThreshold, type MessageClassifier, type RoutedMessage } from './routing.js';
import { autoThreshold, type AutoThreshold, type AutoThresholdOptions } from './threshold.js';

/**
 * `policy`: the pack's own per-area thresholds; a number: one threshold for every area; `auto`: one
 * cross-validated threshold; `auto-area`: one cross-validated threshold per predicted area.
 */
export type ThresholdMode = 'policy' | 'auto' | 'auto-area' | number;

export interface EvaluationInput {
  train: readonly GoldMessage[];
  test: readonly GoldMessage[];
  policy: PolicyPack;
  trainFn: (examples: TrainingExample[]) => MessageClassifier;
  threshold: ThresholdMode;
  autoOptions?: AutoThresholdOptions;
  /** A cross-validation already run on `train` with `trainFn` (e.g. by `selectTraining`): reused, not repeated. */
  precomputedAuto?: AutoThreshold;
  withSweep?: boolean;
  onPhase?: (phase: string) => void;
  onProgress?: (done: number, total: number) => void;
  /** Bytes in use, for the training memory delta (the bench passes one that forces a GC first). */
  memory?: () => number;
}

export interface EvaluationResult {
  metrics: EvalMetrics;
  /** The single threshold applied, or undefined when the pack's per-area thresholds were used. */
  threshold: number | undefined;
  /** `auto-area`: the threshold applied to each area (areas not listed: 1). */
  areaThresholds?: Record<string, number>;
  auto?: AutoThreshold;
  sweep?: SweepPoint[];
  routed: RoutedMessage[];
  modelVersion: string | undefined;
  trainMs: number;
  classifyMs: number;
  /** Memory growth across training (exact only when `memory` forces a GC; the model is still referenced). */
  heapDeltaBytes: number;
}

/** Heap plus array buffers: model weights live in typed arrays outside the JS heap. */
export function memoryInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Train → (auto threshold) → classify → the services' routing → metrics. */
export function evaluate(i: EvaluationInput): EvaluationResult {
  let auto: AutoThreshold | undefined;
  let threshold: number | undefined;
  let areaThresholds: Record<string, number> | undefined;
  if (i.threshold === 'auto' || i.threshold === 'auto-area') {
    i.onPhase?.('choosing threshold by cross-validation on the training file');
    auto =
      i.precomputedAuto ??
      autoThreshold(i.train, i.trainFn, i.policy, {
        ...i.autoOptions,
        perArea: i.threshold === 'auto-area',
        onProgress: (f, k) => i.onProgress?.(f, k),
      });
    areaThresholds = auto.areaThresholds;
    if (!areaThresholds) threshold = auto.threshold;
  } else if (typeof i.threshold === 'number') {
    threshold = i.threshold;
  }
  i.onPhase?.('training');
  const examples = toTrainingExamples(i.train);
  const memory = i.memory ?? memoryInUse;
  const heap0 = memory();
  const t0 = performance.now();
  const clf = i.trainFn(examples);
  const trainMs = performance.now() - t0;
  const heapDeltaBytes = memory() - heap0;
  const policy = areaThresholds ? withAreaThresholds(i.policy, areaThresholds) : threshold === undefined ? i.policy : withThreshold(i.policy, threshold);
  i.onPhase?.('classifying and routing the test file');
  const t1 = performance.now();
  const classified = classifyAll(clf, i.test, i.onProgress);
  const classifyMs = performance.now() - t1;
  const routed = routeAll(classified, policy, new Set(examples.map((e) => e.intent)));
  const version = (clf as { version?: unknown }).version;
  return {
    metrics: computeMetrics(routed),
    threshold,
    ...(areaThresholds ? { areaThresholds } : {}),
    ...(auto ? { auto } : {}),
    ...(i.withSweep ? { sweep: sweep(routed) } : {}),
    routed,
    modelVersion: typeof version === 'string' ? version : undefined,
    trainMs,
    classifyMs,
    heapDeltaBytes,
  };
}

/** One way to train the classifier, for `selectTraining`. */
export interface TrainingCandidate {
  name: string;
  trainFn: (examples: TrainingExample[]) => MessageClassifier;
}

/**
 * Model selection on the TRAINING data only: cross-validates every candidate with per-area
 * thresholds and keeps the one with the most held-out coverage within the unsafe/critical limits
 * (the first on a tie). The test set is never looked at.
 */
export function selectTraining(
  train: readonly GoldMessage[],
  candidates: readonly TrainingCandidate[],
  policy: PolicyPack,
  o: AutoThresholdOptions = {},
): { candidate: TrainingCandidate; auto: AutoThreshold; coverageByCandidate: Record<string, number | null> } {
  let best: { candidate: TrainingCandidate; auto: AutoThreshold } | undefined;
  const coverageByCandidate: Record<string, number | null> = {};
  for (const candidate of candidates) {
    const auto = autoThreshold(train, candidate.trainFn, policy, { ...o, perArea: true });
    const coverage = auto.areaCrossValidation?.coverage ?? null;
    coverageByCandidate[candidate.name] = coverage;
    if (!best || (coverage ?? 0) > (best.auto.areaCrossValidation?.coverage ?? 0)) best = { candidate, auto };
  }
  if (!best) throw new Error('selectTraining needs at least one candidate');
  return { ...best, coverageByCandidate };
}
