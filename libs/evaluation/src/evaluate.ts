import type { PolicyPack } from '@handrail/policy';
import type { TrainingExample } from '@handrail/classifier';
import { toTrainingExamples, type GoldMessage } from './loaders.js';
import { computeMetrics, sweep, type EvalMetrics, type SweepPoint } from './metrics.js';
import { classifyAll, routeAll, withThreshold, type MessageClassifier, type RoutedMessage } from './routing.js';
import { autoThreshold, type AutoThreshold, type AutoThresholdOptions } from './threshold.js';

/** `policy`: the pack's own per-area thresholds; a number: one threshold for every area; `auto`: cross-validated. */
export type ThresholdMode = 'policy' | 'auto' | number;

export interface EvaluationInput {
  train: readonly GoldMessage[];
  test: readonly GoldMessage[];
  policy: PolicyPack;
  trainFn: (examples: TrainingExample[]) => MessageClassifier;
  threshold: ThresholdMode;
  autoOptions?: AutoThresholdOptions;
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
  if (i.threshold === 'auto') {
    i.onPhase?.('choosing threshold by cross-validation on the training file');
    auto = autoThreshold(i.train, i.trainFn, i.policy, {
      ...i.autoOptions,
      onProgress: (f, k) => i.onProgress?.(f, k),
    });
    threshold = auto.threshold;
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
  const policy = threshold === undefined ? i.policy : withThreshold(i.policy, threshold);
  i.onPhase?.('classifying and routing the test file');
  const t1 = performance.now();
  const classified = classifyAll(clf, i.test, i.onProgress);
  const classifyMs = performance.now() - t1;
  const routed = routeAll(classified, policy, new Set(examples.map((e) => e.intent)));
  const version = (clf as { version?: unknown }).version;
  return {
    metrics: computeMetrics(routed),
    threshold,
    ...(auto ? { auto } : {}),
    ...(i.withSweep ? { sweep: sweep(routed) } : {}),
    routed,
    modelVersion: typeof version === 'string' ? version : undefined,
    trainMs,
    classifyMs,
    heapDeltaBytes,
  };
}
