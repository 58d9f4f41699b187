import { createHash } from 'node:crypto';
import { AREA, type AreaName } from '@handrail/events';
import { DEFAULT_FEATURES, Vectorizer, type FeatureOptions, type SparseVector } from './features.js';
import { DEFAULT_SOFTMAX, fitTemperature, logits, mulberry32, softmaxInPlace, trainSoftmax, type SoftmaxModel, type SoftmaxTrainOptions } from './logreg.js';
import { NearestNeighbours } from './knn.js';
import { normalizeText, stem, tokenize } from './normalize.js';
import { detectRisk, forcedArea } from './risk.js';
import { sentiment } from './sentiment.js';
import { extractEntities } from './entities.js';
import { Lexicon, contentWords } from './lexicon.js';
import type { Classification, Classifier, TrainingExample } from './types.js';

/** Bump when features, training or scoring change, so decisions cite a different model version. */
export const ALGORITHM_VERSION = 'tfidf-lr-knn/3';

export interface TrainOptions {
  features?: Partial<FeatureOptions>;
  softmax?: Partial<SoftmaxTrainOptions>;
  /** Share of the training data held out (stratified) to fit the temperature and the OOS cut-off. */
  calibrationFraction?: number;
  /** Quantile of held-out in-domain nearest-neighbour similarity below which a message is out of scope. */
  oosQuantile?: number;
  /** Weight of the k-nearest-neighbour area vote in the area confidence (0 = linear model only). */
  knnWeight?: number;
  knnK?: number;
  /**
   * Quantile of held-out in-domain `unknownShare` (see `Lexicon`) the model takes as normal; a message
   * with more unknown content than that has its confidence capped at 1 − the excess. Calibrated on
   * the training hold-out, so a small vocabulary (a policy pack's phrases) tolerates more than a
   * large one. 1 turns the cap off.
   */
  unknownQuantile?: number;
  seed?: number;
  /**
   * Areas whose probability is pooled into `confidence` when the answer is one of them: areas the
   * policy treats alike (e.g. every area AI may resolve), so that doubt between them — which changes
   * nothing about who handles the message — does not read as doubt about whether AI may act.
   */
  confidenceGroups?: readonly (readonly AreaName[])[];
}

interface ResolvedOptions {
  features: FeatureOptions;
  softmax: SoftmaxTrainOptions;
  calibrationFraction: number;
  oosQuantile: number;
  knnWeight: number;
  knnK: number;
  unknownQuantile: number;
  seed: number;
  confidenceGroups: AreaName[][];
}

function resolve(o: TrainOptions = {}): ResolvedOptions {
  return {
    features: { ...DEFAULT_FEATURES, ...o.features },
    softmax: { ...DEFAULT_SOFTMAX, ...o.softmax },
    calibrationFraction: o.calibrationFraction ?? 0.2,
    oosQuantile: o.oosQuantile ?? 0.01,
    knnWeight: o.knnWeight ?? 0.3,
    knnK: o.knnK ?? 10,
    unknownQuantile: o.unknownQuantile ?? 0.95,
    seed: o.seed ?? 7,
    confidenceGroups: (o.confidenceGroups ?? []).map((g) => [...g].sort()),
  };
}

/** A trained classifier with its extra diagnostics. */
export interface TrainedClassifier extends Classifier {
  readonly intents: readonly string[];
  readonly intentAreas: readonly AreaName[];
  readonly temperature: number;
  /** Temperature calibrated for area probabilities (what `confidence` reports). */
  readonly areaTemperature: number;
  readonly oosSimilarity: number;
  /** Unknown-content share tolerated before the confidence is capped (`TrainOptions.unknownQuantile`). */
  readonly unknownAllowance: number;
  /** Calibrated probability of every intent, in `intents` order. */
  probabilities(text: string): Float64Array;
  classify(text: string): DetailedClassification;
}

export interface DetailedClassification extends Classification {
  /** Calibrated probability of the single predicted intent (`confidence` is the area's). */
  intentConfidence: number;
  /** Cosine similarity to the closest training example. */
  nearestSimilarity: number;
  /** IDF-weighted share of the message's content words never seen in training (0 without content words). */
  unknownShare: number;
  /** The area the model predicted before any risk detector forced one. */
  modelArea: AreaName;
  /** Top three intents with calibrated probabilities. */
  alternatives: Array<{ intent: string; area: AreaName; probability: number }>;
}

export interface SerializedClassifier {
  format: 'handrail-classifier';
  algorithm: string;
  version: string;
  options: ResolvedOptions;
  intents: string[];
  intentAreas: AreaName[];
  temperature: number;
  areaTemperature: number;
  oosSimilarity: number;
  unknownAllowance: number;
  examples: Array<[string, string, AreaName]>;
  /** Weights as Float32 little-endian, base64 (half the size; the precision loss is far below calibration noise). */
  weights: string;
  bias: number[];
}

/** Short content hash of the training data plus algorithm and options: what decisions cite. */
export function modelVersionFor(examples: readonly TrainingExample[], options: TrainOptions = {}): string {
  const h = createHash('sha256');
  h.update(ALGORITHM_VERSION);
  h.update(JSON.stringify(resolve(options)));
  const lines = examples.map((e) => `${e.intent}\t${e.area}\t${e.text}`).sort();
  for (const l of lines) h.update(l + '\n');
  return `hr-${h.digest('hex').slice(0, 12)}`;
}

function intentTable(examples: readonly TrainingExample[]): { intents: string[]; intentAreas: AreaName[] } {
  const votes = new Map<string, Map<AreaName, number>>();
  for (const e of examples) {
    const m = votes.get(e.intent) ?? new Map<AreaName, number>();
    m.set(e.area, (m.get(e.area) ?? 0) + 1);
    votes.set(e.intent, m);
  }
  const intents = [...votes.keys()].sort();
  const intentAreas = intents.map((i) => {
    const m = votes.get(i);
    const best = m ? [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] : undefined;
    if (!best) throw new Error(`intent ${i} has no area`);
    return best[0];
  });
  return { intents, intentAreas };
}

/** Stratified split by intent with a seeded shuffle. */
function stratifiedSplit(examples: readonly TrainingExample[], fraction: number, seed: number): [TrainingExample[], TrainingExample[]] {
  const rand = mulberry32(seed);
  const byIntent = new Map<string, TrainingExample[]>();
  for (const e of examples) byIntent.set(e.intent, [...(byIntent.get(e.intent) ?? []), e]);
  const fit: TrainingExample[] = [];
  const held: TrainingExample[] = [];
  for (const key of [...byIntent.keys()].sort()) {
    const group = [...(byIntent.get(key) ?? [])];
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = group[i];
      const u = group[j];
      if (t && u) {
        group[i] = u;
        group[j] = t;
      }
    }
    const nHeld = group.length >= 3 ? Math.max(1, Math.round(group.length * fraction)) : 0;
    held.push(...group.slice(0, nHeld));
    fit.push(...group.slice(nHeld));
  }
  return [fit, held];
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const pos = Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1))));
  return s[pos] ?? 0;
}

interface Parts {
  opts: ResolvedOptions;
  version: string;
  intents: string[];
  intentAreas: AreaName[];
  vectorizer: Vectorizer;
  model: SoftmaxModel;
  temperature: number;
  areaTemperature: number;
  oosSimilarity: number;
  unknownAllowance: number;
  examples: readonly TrainingExample[];
}

function fitCore(examples: readonly TrainingExample[], intents: readonly string[], opts: ResolvedOptions): { vectorizer: Vectorizer; xs: SparseVector[]; model: SoftmaxModel } {
  const index = new Map(intents.map((i, k) => [i, k]));
  const vectorizer = Vectorizer.fit(examples.map((e) => e.text), opts.features);
  const xs = examples.map((e) => vectorizer.transform(e.text));
  const ys = examples.map((e) => index.get(e.intent) ?? 0);
  const model = trainSoftmax(xs, ys, intents.length, vectorizer.size, opts.softmax);
  return { vectorizer, xs, model };
}

/**
 * Trains TF-IDF (stemmed word uni/bi-grams + char 3–5-grams) multinomial logistic regression.
 * A stratified hold-out of the training data fits the softmax temperature and the out-of-scope
 * similarity cut-off; the final model is then trained on everything.
 */
export function trainClassifier(examples: readonly TrainingExample[], options: TrainOptions = {}): TrainedClassifier {
  if (examples.length === 0) throw new Error('trainClassifier needs at least one example');
  const opts = resolve(options);
  const { intents, intentAreas } = intentTable(examples);
  const index = new Map(intents.map((i, k) => [i, k]));
  let temperature = 1;
  let areaTemperature = 1;
  let oosSimilarity = 0;
  let unknownAllowance = 1;
  const areaIds = [...new Set(intentAreas)];
  const groups = intentAreas.map((a) => areaIds.indexOf(a));
  const [fit, held] = stratifiedSplit(examples, opts.calibrationFraction, opts.seed);
  if (held.length > 0 && fit.length > 0) {
    const cal = fitCore(fit, intents, opts);
    const nn = new NearestNeighbours(cal.xs, cal.vectorizer.size, []);
    const zs = held.map((e) => {
      const x = cal.vectorizer.transform(e.text);
      return { x, z: logits(cal.model, x), y: index.get(e.intent) ?? 0 };
    });
    temperature = fitTemperature(zs);
    areaTemperature = fitTemperature(zs, groups);
    oosSimilarity = quantile(
      zs.map(({ x }) => nn.nearest(x, 1)[0]?.[1] ?? 0),
      opts.oosQuantile,
    );
    const lexicon = Lexicon.fit(fit.map((e) => e.text));
    unknownAllowance = opts.unknownQuantile >= 1 ? 1 : quantile(held.map((e) => lexicon.unknownShare(e.text) ?? 0), opts.unknownQuantile);
  }
  const final = fitCore(examples, intents, opts);
  return build({
    opts,
    version: modelVersionFor(examples, options),
    intents,
    intentAreas,
    vectorizer: final.vectorizer,
    model: final.model,
    temperature,
    areaTemperature,
    oosSimilarity,
    unknownAllowance,
    examples,
  }, final.xs);
}

function build(p: Parts, xs: readonly SparseVector[]): TrainedClassifier {
  const nn = new NearestNeighbours(xs, p.vectorizer.size, []);
  const intentIndex = new Map(p.intents.map((x, i) => [x, i]));
  const docArea = p.examples.map((e) => p.intentAreas[intentIndex.get(e.intent) ?? 0] ?? e.area);
  const knownWords = new Set(p.examples.flatMap((e) => tokenize(normalizeText(e.text)).map(stem)));
  const lexicon = Lexicon.fit(p.examples.map((e) => e.text));
  const probabilities = (text: string): Float64Array => softmaxInPlace(logits(p.model, p.vectorizer.transform(text)), p.temperature);
  const classify = (text: string): DetailedClassification => {
    const x = p.vectorizer.transform(text);
    const z = logits(p.model, x);
    const areaProbs = softmaxInPlace(Float64Array.from(z), p.areaTemperature);
    const probs = softmaxInPlace(z, p.temperature);
    const areaProb = new Map<AreaName, number>();
    areaProbs.forEach((v, c) => {
      const a = p.intentAreas[c];
      if (a) areaProb.set(a, (areaProb.get(a) ?? 0) + v);
    });
    // The most probable area first, then its most probable intent: several near-identical intents of
    // one area should not lose to a single intent of another.
    let topArea: AreaName | undefined;
    for (const [a, v] of areaProb) if (topArea === undefined || v > (areaProb.get(topArea) ?? 0)) topArea = a;
    let best = -1;
    for (let c = 0; c < probs.length; c++) {
      if (p.intentAreas[c] === topArea && (best < 0 || (probs[c] ?? 0) > (probs[best] ?? 0))) best = c;
    }
    if (best < 0) best = 0;
    const modelArea = p.intentAreas[best] ?? 'triage';
    const neighbours = x.idx.length === 0 ? [] : nn.nearest(x, Math.max(1, p.opts.knnK));
    const nearestSimilarity = neighbours[0]?.[1] ?? 0;
    // Neighbour vote per area (similarity-weighted): disagreement among close examples lowers confidence.
    const vote = new Map<AreaName, number>();
    let voteTotal = 0;
    for (const [d, sim] of neighbours) {
      const a = docArea[d];
      const w = sim * sim;
      if (a) vote.set(a, (vote.get(a) ?? 0) + w);
      voteTotal += w;
    }
    const known = knownContentShare(text, knownWords);
    const outOfScope = x.idx.length === 0 || nearestSimilarity < p.oosSimilarity || (known !== undefined && known < MIN_KNOWN_CONTENT);
    const riskFlags = detectRisk(text);
    const area = forcedArea(riskFlags) ?? modelArea;
    const kw = voteTotal > 0 ? p.opts.knnWeight : 0;
    const pooled = (p.opts.confidenceGroups ?? []).find((g) => g.includes(area)) ?? [area];
    const sum = (m: ReadonlyMap<AreaName, number>): number => pooled.reduce((t, a) => t + (m.get(a) ?? 0), 0);
    let confidence = (1 - kw) * sum(areaProb) + kw * (sum(vote) / (voteTotal || 1));
    // Out of scope caps the confidence so no threshold can let such a message through.
    if (outOfScope) confidence = Math.min(confidence, nearestSimilarity, known ?? 1);
    // Mostly about things never taught: a few familiar words ("not working", "how much") must not
    // carry a confident answer about an unknown topic ("the wifi is not working").
    const unknownShare = lexicon.unknownShare(text) ?? 0;
    if (unknownShare > p.unknownAllowance) confidence = Math.min(confidence, 1 - (unknownShare - p.unknownAllowance));
    const order = Array.from(probs.keys()).sort((a, b) => (probs[b] ?? 0) - (probs[a] ?? 0)).slice(0, 3);
    return {
      area: AREA.value(area),
      intent: p.intents[best] ?? '',
      confidence,
      sentiment: sentiment(text),
      entities: extractEntities(text),
      riskFlags,
      outOfScope,
      modelVersion: p.version,
      models: [{ role: 'lexical', version: p.version }],
      opinions: [],
      modelDoubts: [],
      intentConfidence: probs[best] ?? 0,
      nearestSimilarity,
      unknownShare,
      modelArea,
      alternatives: order.map((c) => ({ intent: p.intents[c] ?? '', area: p.intentAreas[c] ?? 'triage', probability: probs[c] ?? 0 })),
    };
  };
  const serializable = p;
  const t: TrainedClassifier & { [SERIAL]: Parts } = {
    version: p.version,
    intents: p.intents,
    intentAreas: p.intentAreas,
    temperature: p.temperature,
    areaTemperature: p.areaTemperature,
    oosSimilarity: p.oosSimilarity,
    unknownAllowance: p.unknownAllowance,
    probabilities,
    classify,
    [SERIAL]: serializable,
  };
  return t;
}

const SERIAL = Symbol('handrail.classifier.parts');

/** Share of content words seen in training, or undefined when the message has none. */
function knownContentShare(text: string, known: ReadonlySet<string>): number | undefined {
  const content = contentWords(text);
  if (content.length === 0) return undefined;
  return content.filter((t) => known.has(t)).length / content.length;
}

/** Below this share of known content words a message is about something the model was never taught. */
const MIN_KNOWN_CONTENT = 0.34;

export function serializeClassifier(c: TrainedClassifier): SerializedClassifier {
  const p = (c as TrainedClassifier & { [SERIAL]?: Parts })[SERIAL];
  if (!p) throw new Error('serializeClassifier needs a classifier made by trainClassifier or deserializeClassifier');
  return {
    format: 'handrail-classifier',
    algorithm: ALGORITHM_VERSION,
    version: p.version,
    options: p.opts,
    intents: p.intents,
    intentAreas: p.intentAreas,
    temperature: p.temperature,
    areaTemperature: p.areaTemperature,
    oosSimilarity: p.oosSimilarity,
    unknownAllowance: p.unknownAllowance,
    examples: p.examples.map((e) => [e.text, e.intent, e.area]),
    weights: Buffer.from(Float32Array.from(p.model.weights).buffer).toString('base64'),
    bias: Array.from(p.model.bias),
  };
}

/** Rebuilds a classifier without retraining: the vocabulary is refitted (deterministic), the weights loaded. */
export function deserializeClassifier(s: SerializedClassifier): TrainedClassifier {
  if (s.format !== 'handrail-classifier' || s.algorithm !== ALGORITHM_VERSION) {
    throw new Error(`cannot load model ${s.algorithm}: this build runs ${ALGORITHM_VERSION}`);
  }
  const examples: TrainingExample[] = s.examples.map(([text, intent, area]) => ({ text, intent, area }));
  const vectorizer = Vectorizer.fit(examples.map((e) => e.text), s.options.features);
  const buf = Buffer.from(s.weights, 'base64');
  const weights = Float64Array.from(new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
  if (weights.length !== vectorizer.size * s.intents.length) throw new Error('serialized weights do not match the vocabulary');
  const xs = examples.map((e) => vectorizer.transform(e.text));
  return build(
    {
      opts: s.options,
      version: s.version,
      intents: s.intents,
      intentAreas: s.intentAreas,
      vectorizer,
      model: { classes: s.intents.length, features: vectorizer.size, weights, bias: Float64Array.from(s.bias) },
      temperature: s.temperature,
      areaTemperature: s.areaTemperature,
      oosSimilarity: s.oosSimilarity,
      unknownAllowance: s.unknownAllowance,
      examples,
    },
    xs,
  );
}

/** Convenience for services: train with defaults and return the contract interface. */
export function createClassifier(examples: readonly TrainingExample[], options?: TrainOptions): TrainedClassifier {
  return trainClassifier(examples, options);
}
