import type { PolicyPack } from '@handrail/policy';
import type { TrainingExample } from '@handrail/classifier';
import { toTrainingExamples, type GoldMessage } from './loaders.js';
import { computeMetrics, reliability, sweep, type EvalMetrics, type Reliability, type SweepPoint } from './metrics.js';
import { classifyAll, routeAll, withAreaThresholds, withThreshold, type MessageClassifier, type RoutedMessage } from './routing.js';
import { autoThreshold, type AutoThreshold, type AutoThresholdOptions } from './threshold.js';

/**
 * `policy`: the pack's own per-area thresholds; a number: one threshold for every area; `auto` (and
 * its older name `auto-area`): model selection among `candidates` and one threshold per predicted
 * area, both by cross-validation on the training data; `auto-single`: one cross-validated threshold
 * for every area, `trainFn` only.
 */
export type ThresholdMode = 'policy' | 'auto' | 'auto-area' | 'auto-single' | number;

export interface EvaluationInput {
  train: readonly GoldMessage[];
  test: readonly GoldMessage[];
  policy: PolicyPack;
  trainFn: (examples: TrainingExample[]) => MessageClassifier;
  /** With `auto`: ways to train, one chosen by cross-validation on `train` (default: `trainFn` alone). */
  candidates?: readonly TrainingCandidate[];
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
  /** With `auto` and candidates: the training chosen and every candidate's cross-validated coverage. */
  selection?: { name: string; coverageByCandidate: Record<string, number | null> };
  sweep?: SweepPoint[];
  /** Held-out reliability of the confidence on the test file (calibration). */
  reliability: Reliability;
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
  let trainFn = i.trainFn;
  let selection: EvaluationResult['selection'];
  const perArea = i.threshold === 'auto' || i.threshold === 'auto-area';
  if (perArea && !i.precomputedAuto && i.candidates && i.candidates.length > 0) {
    const candidates = i.candidates;
    let done = 0;
    const k = i.autoOptions?.folds ?? 5;
    i.onPhase?.(`choosing the training (${candidates.map((c) => c.name).join(', ')}) and thresholds by cross-validation on the training file`);
    const chosen = selectTraining(i.train, candidates, i.policy, { ...i.autoOptions, onProgress: () => i.onProgress?.(++done, k * candidates.length) });
    auto = chosen.auto;
    trainFn = chosen.candidate.trainFn;
    selection = { name: chosen.candidate.name, coverageByCandidate: chosen.coverageByCandidate };
  }
  if (perArea || i.threshold === 'auto-single') {
    if (!auto) {
      if (!i.precomputedAuto) i.onPhase?.('choosing thresholds by cross-validation on the training file');
      auto =
        i.precomputedAuto ??
        autoThreshold(i.train, trainFn, i.policy, {
          ...i.autoOptions,
          perArea,
          onProgress: (f, k) => i.onProgress?.(f, k),
        });
    }
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
  const clf = trainFn(examples);
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
    ...(selection ? { selection } : {}),
    ...(i.withSweep ? { sweep: sweep(routed) } : {}),
    reliability: reliability(routed),
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
