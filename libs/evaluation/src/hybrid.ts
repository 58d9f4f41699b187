import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Classification } from '@handrail/contracts';
import {
  combineOpinions,
  createHybrid,
  trainClassifier,
  trainSemantic,
  DEFAULT_HYBRID,
  type DetailedClassification,
  type HybridClassifier,
  type HybridOptions,
  type SemanticJudgement,
  type TrainedClassifier,
  type TrainingExample,
} from '@handrail/classifier';
import { AREA, areaLabel } from '@handrail/events';
import type { PolicyPack } from '@handrail/policy';
import { acceptedLabels, toTrainingExamples, type GoldMessage } from './loaders.js';
import { computeMetrics, reliability, type EvalMetrics, type Reliability } from './metrics.js';
import { classifyAll, decide, routeAll, withAreaThresholds, withThreshold, type MessageClassifier, type RoutedMessage } from './routing.js';
import { shuffled, stratifiedFolds } from './split.js';
import { pickAreaThresholds } from './threshold.js';
import { ELIGIBLE_AREAS, NOT_OURS } from './labelmap.js';

/** What the evaluation needs from a sentence encoder (`@handrail/encoder`'s `Encoder` fits). */
export interface TextEncoder {
  readonly version: string;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/**
 * Vectors for every text, embedded in batches of 512 and kept on disk under `cacheDir` by encoder
 * version and text list (embedding Banking77 takes a minute; re-running an evaluation should not).
 */
export async function embedTexts(encoder: TextEncoder, texts: readonly string[], cacheDir?: string, onProgress?: (done: number, total: number) => void): Promise<Map<string, Float32Array>> {
  const unique = [...new Set(texts)].sort();
  const key = createHash('sha256').update(encoder.version).update(unique.join('\n')).digest('hex').slice(0, 16);
  const file = cacheDir ? join(cacheDir, `embeddings-${encoder.version}-${key}.f32`) : undefined;
  const out = new Map<string, Float32Array>();
  if (file) {
    try {
      const buf = await readFile(file);
      const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      const dims = all.length / unique.length;
      if (Number.isInteger(dims) && dims > 0) {
        unique.forEach((t, i) => out.set(t, all.slice(i * dims, (i + 1) * dims)));
        return out;
      }
    } catch {
      // not cached yet
    }
  }
  for (let i = 0; i < unique.length; i += 512) {
    const chunk = unique.slice(i, i + 512);
    const vs = await encoder.embed(chunk);
    chunk.forEach((t, j) => out.set(t, vs[j] as Float32Array));
    onProgress?.(Math.min(unique.length, i + 512), unique.length);
  }
  if (file && cacheDir) {
    await mkdir(cacheDir, { recursive: true });
    const dims = out.get(unique[0] ?? '')?.length ?? 0;
    const all = new Float32Array(unique.length * dims);
    unique.forEach((t, i) => all.set(out.get(t) ?? new Float32Array(dims), i * dims));
    await writeFile(file, Buffer.from(all.buffer));
  }
  return out;
}

const vectorOf = (vectors: ReadonlyMap<string, Float32Array>, text: string): Float32Array => {
  const v = vectors.get(text);
  if (v === undefined) throw new Error('hybrid evaluation: a text was not embedded');
  return v;
};

/** The hybrid as a synchronous `MessageClassifier`, reading pre-computed vectors. */
export function hybridMessageClassifier(h: HybridClassifier, vectors: ReadonlyMap<string, Float32Array>): MessageClassifier & { version: string } {
  return { version: h.version, classify: (text) => h.classifyVector(text, vectorOf(vectors, text)) };
}

/** One held-out message of the calibration cross-validation: both models' opinions, not yet combined. */
export interface HybridRecord {
  gold: GoldMessage;
  trained: boolean;
  lex: DetailedClassification;
  sem: SemanticJudgement;
  /** Routed auto_resolved at threshold 0, by area, with no model doubt (the services' decision code). */
  autoAtZeroByArea: Map<string, boolean>;
}

export interface HybridCalibrationOptions {
  folds?: number;
  seed?: number;
  /** Share of intents left out of each fold's training: their held-out messages become out of scope (a near out-of-scope slice). */
  leaveIntentsOut?: number;
  lexical?: (examples: TrainingExample[]) => TrainedClassifier;
  onProgress?: (fold: number, folds: number) => void;
}

/**
 * k-fold cross-validation on the TRAINING split plus a synthetic out-of-scope slice (messages of
 * other data sets, never the test's), each fold also leaving a share of intents out: both models'
 * out-of-fold opinions on every message, from which `chooseHybrid` picks the gates and thresholds.
 */
export function hybridCvRecords(
  train: readonly GoldMessage[],
  outOfScope: readonly GoldMessage[],
  vectors: ReadonlyMap<string, Float32Array>,
  encoderVersion: string,
  policy: PolicyPack,
  o: HybridCalibrationOptions = {},
): HybridRecord[] {
  const k = o.folds ?? 5;
  const lexical = o.lexical ?? ((e: TrainingExample[]) => trainClassifier(e));
  const folds = stratifiedFolds(train, k, (g) => g.label, o.seed ?? 11);
  const oosFolds = Array.from({ length: k }, (_, i) => outOfScope.filter((_, j) => j % k === i));
  const labels = [...new Set(train.map((g) => g.label))].sort();
  const zero = withThreshold(policy, 0);
  const records: HybridRecord[] = [];
  folds.forEach((held, i) => {
    const left = new Set(o.leaveIntentsOut ? shuffled(labels, (o.seed ?? 11) + i).slice(0, Math.round(labels.length * o.leaveIntentsOut)) : []);
    const rest = folds.filter((_, j) => j !== i).flat().filter((g) => !left.has(g.label));
    const examples = toTrainingExamples(rest);
    const lex = lexical(examples);
    const sem = trainSemantic(examples, examples.map((e) => vectorOf(vectors, e.text)), encoderVersion);
    const trainedLabels = new Set(examples.map((e) => e.intent));
    const tests = [...held.map((g) => (left.has(g.label) ? { ...g, area: 'out_of_scope' as const } : g)), ...(oosFolds[i] ?? [])];
    for (const gold of tests) {
      const l = lex.classify(gold.text);
      const s = sem.judge(vectorOf(vectors, gold.text));
      const autoAtZeroByArea = new Map<string, boolean>();
      for (const area of new Set([l.modelArea, s.area, areaLabel(l.area)])) {
        const c = { ...l, area: AREA.value(area as Parameters<typeof AREA.value>[0]), outOfScope: false, modelDoubts: [] };
        autoAtZeroByArea.set(area, decide(gold.text, c, zero).route === 'auto_resolved');
      }
      records.push({ gold, trained: trainedLabels.has(gold.label), lex: l, sem: s, autoAtZeroByArea });
    }
    o.onProgress?.(i + 1, k);
  });
  return records;
}

/** A gate setting tried by `chooseHybrid`. */
export interface HybridSetting extends HybridOptions {
  gate: number;
}

const CONFIDENCE_GRID = {
  gate: Array.from({ length: 15 }, (_, i) => Math.round((0.3 + i * 0.025) * 1000) / 1000),
  ramp: [0, 0.05, 0.1, 0.2],
  semanticWeight: [0.5, 0.75, 1],
  disagreementConfidence: [0, 0.6, 2],
};

/** Records combined under one setting, as routed messages (threshold 0 auto decision included). */
export function recordsRouted(records: readonly HybridRecord[], s: HybridSetting): RoutedMessage[] {
  const versions = { lexical: 'cv', encoder: 'cv', head: 'cv' };
  return records.map((r) => {
    const c = combineOpinions(r.lex, { ...r.sem, outOfScope: r.sem.nearestSimilarity < s.gate }, s.gate, versions, s);
    const area = areaLabel(c.area);
    const autoAtZero = c.modelDoubts.length === 0 && !c.outOfScope && (r.autoAtZeroByArea.get(area) ?? false);
    return {
      gold: r.gold,
      trained: r.trained,
      intentCorrect: acceptedLabels(r.gold).includes(c.intent),
      intent: c.intent,
      area,
      confidence: c.confidence,
      outOfScope: c.outOfScope,
      autoAtZero,
      automated: false,
      reasons: c.modelDoubts.map((d) => d.code),
    };
  });
}

export interface HybridChoice {
  setting: HybridSetting;
  areaThresholds: Record<string, number>;
  /** Pooled out-of-fold metrics (synthetic out-of-scope slice included) under the choice. */
  crossValidation: EvalMetrics;
  /** Settings tried and feasible. */
  tried: number;
  feasible: number;
}

export interface ChooseOptions {
  maxUnsafe?: number;
  maxCritical?: number;
  /** Lowest share of the out-of-fold out-of-scope messages (synthetic + left-out intents) that must be flagged. */
  minOosFlagged?: number;
  floors?: Readonly<Record<string, number>>;
}

/**
 * Picks the gate, ramp, semantic weight and disagreement rule, and one threshold per area, from
 * the out-of-fold records only: the most coverage whose unsafe/critical automation stays within
 * the limits and which flags at least `minOosFlagged` of the out-of-scope records.
 */
export function chooseHybrid(records: readonly HybridRecord[], o: ChooseOptions = {}): HybridChoice {
  const maxUnsafe = o.maxUnsafe ?? 0.005;
  const maxCritical = o.maxCritical ?? 0.002;
  const minOos = o.minOosFlagged ?? 0.97;
  let best: HybridChoice | undefined;
  let tried = 0;
  let feasible = 0;
  for (const gate of CONFIDENCE_GRID.gate)
    for (const ramp of CONFIDENCE_GRID.ramp)
      for (const semanticWeight of CONFIDENCE_GRID.semanticWeight)
        for (const disagreementConfidence of CONFIDENCE_GRID.disagreementConfidence) {
          tried++;
          const setting: HybridSetting = { gate, ramp, semanticWeight, disagreementConfidence };
          const routed = recordsRouted(records, setting);
          const areaThresholds = pickAreaThresholds(routed, maxUnsafe, maxCritical, o.floors ?? {});
          const m = computeMetrics(routed, (r) => r.autoAtZero && r.confidence >= (areaThresholds[r.area] ?? 1));
          if ((m.oos_flagged ?? 1) < minOos) continue;
          feasible++;
          if (!best || (m.coverage ?? 0) > (best.crossValidation.coverage ?? 0)) best = { setting, areaThresholds, crossValidation: m, tried: 0, feasible: 0 };
        }
  if (!best) {
    const setting: HybridSetting = { ...DEFAULT_HYBRID, gate: 1 };
    const routed = recordsRouted(records, setting);
    best = { setting, areaThresholds: {}, crossValidation: computeMetrics(routed, () => false), tried: 0, feasible: 0 };
  }
  return { ...best, tried, feasible };
}

export interface HybridEvaluation {
  metrics: EvalMetrics;
  reliability: Reliability;
  /** Reliability over the gold out-of-scope messages alone: any confidence they get is overconfidence. */
  oosReliability: Reliability;
  choice: HybridChoice;
  routed: RoutedMessage[];
  modelVersion: string;
  trainMs: number;
  classifyMs: number;
}

/** Train on all of `train` with the chosen setting, classify and route `test` (thresholds never see it). */
export function evaluateHybrid(
  train: readonly GoldMessage[],
  test: readonly GoldMessage[],
  vectors: ReadonlyMap<string, Float32Array>,
  encoderVersion: string,
  policy: PolicyPack,
  choice: HybridChoice,
  lexical: (examples: TrainingExample[]) => TrainedClassifier = (e) => trainClassifier(e),
): HybridEvaluation {
  const examples = toTrainingExamples(train);
  const t0 = performance.now();
  const sem = trainSemantic(examples, examples.map((e) => vectorOf(vectors, e.text)), encoderVersion, { gate: choice.setting.gate });
  const hybrid = createHybrid(lexical(examples), sem, choice.setting);
  const trainMs = performance.now() - t0;
  const t1 = performance.now();
  const classified = classifyAll(hybridMessageClassifier(hybrid, vectors), test);
  const classifyMs = performance.now() - t1;
  const routed = routeAll(classified, withAreaThresholds(policy, choice.areaThresholds), new Set(examples.map((e) => e.intent)));
  const oos = routed.filter((m) => (NOT_OURS as readonly string[]).includes(m.gold.area));
  return { metrics: computeMetrics(routed), reliability: reliability(routed), oosReliability: reliability(oos), choice, routed, modelVersion: hybrid.version, trainMs, classifyMs };
}

/** Gold messages of another data set, relabelled out of scope: the synthetic slice for calibration. */
export function asOutOfScope(messages: readonly GoldMessage[], n: number, seed = 5): GoldMessage[] {
  return shuffled([...messages], seed)
    .slice(0, n)
    .map((g) => ({ ...g, label: `oos:${g.label}`, area: 'out_of_scope' as const }));
}

export const isEligibleArea = (a: string): boolean => (ELIGIBLE_AREAS as readonly string[]).includes(a);
export type { Classification };
