import { createHash } from 'node:crypto';
import type { AreaName } from '@handrail/events';
import { fitTemperature, logits, mulberry32, softmaxInPlace, trainSoftmax, type SoftmaxModel } from './logreg.js';
import type { SparseVector } from './features.js';
import type { TrainingExample } from './types.js';
import { fitTypicality, type TypicalityModel } from './typicality.js';

/** Bump when the head, the vote or the gate change, so decisions cite a different version. */
export const SEMANTIC_ALGORITHM_VERSION = 'knn-lr-rmaha/3';

export interface SemanticOptions {
  /** Neighbours in the area vote. */
  k: number;
  /** Weight of the neighbour vote against the logistic head in the area probability. */
  voteWeight: number;
  /** Share of the training data held out (stratified) to fit the temperature and the gate. */
  calibrationFraction: number;
  /**
   * Quantile of held-out in-scope nearest-neighbour similarity taken as the out-of-scope gate when no
   * gate is given: a message further from every example than that is out of scope.
   */
  gateQuantile: number;
  /**
   * Fit the typicality model (`typicality.ts`). Off by default, and wherever no typicality gate will
   * read it (a pack without `typicality_gate`): a judgement then costs no substitution and says 1,
   * no opinion. The calibration's cross-validation turns it on to sweep the gate.
   */
  typicality: boolean;
  /** A gate chosen elsewhere (e.g. by cross-validation with a synthetic out-of-scope slice); overrides `gateQuantile`. */
  gate?: number | undefined;
  epochs: number;
  learningRate: number;
  seed: number;
}

export const DEFAULT_SEMANTIC: SemanticOptions = { k: 10, voteWeight: 0.5, calibrationFraction: 0.2, gateQuantile: 0.02, typicality: false, epochs: 12, learningRate: 4, seed: 7 };

/** What the semantic model says about one message vector. */
export interface SemanticJudgement {
  area: AreaName;
  intent: string;
  /** Probability of `area`: the head's calibrated area probability blended with the neighbour vote. */
  confidence: number;
  /** The head's calibrated probability of `intent`: low when the message sits between intents (a novel one, often). */
  intentConfidence: number;
  /** Per-area probability (head and vote blended). */
  areaProbability: ReadonlyMap<AreaName, number>;
  /** Cosine similarity to the closest training example. */
  nearestSimilarity: number;
  /** Mean similarity of the k nearest examples: a steadier distance than the single closest. */
  meanTopSimilarity: number;
  /**
   * Share of held-out in-scope training messages at least as atypical as this one, by relative
   * Mahalanobis distance (`typicality.ts`); 1 (no opinion) when typicality is off (`SemanticOptions.typicality`)
   * or the model had too few examples to hold any out.
   */
  typicality: number;
  outOfScope: boolean;
}

export interface SemanticModel {
  /** `sem-` + hash of encoder version, algorithm, options and training rows. */
  readonly version: string;
  readonly encoderVersion: string;
  readonly intents: readonly string[];
  /** Nearest-neighbour similarity below which a message is out of scope. */
  readonly gate: number;
  readonly temperature: number;
  judge(vector: ArrayLike<number>): SemanticJudgement;
  /** The same model with another gate (calibration sweeps it without retraining). */
  withGate(gate: number): SemanticModel;
}

export function semanticVersionFor(examples: readonly TrainingExample[], encoderVersion: string, options: Partial<SemanticOptions> = {}): string {
  const h = createHash('sha256');
  h.update(SEMANTIC_ALGORITHM_VERSION);
  h.update(encoderVersion);
  h.update(JSON.stringify({ ...DEFAULT_SEMANTIC, ...options }));
  for (const l of examples.map((e) => `${e.intent}\t${e.area}\t${e.text}`).sort()) h.update(l + '\n');
  return `sem-${h.digest('hex').slice(0, 12)}`;
}

/** Unit-length rows in one flat array: cosine becomes one dot product per example. */
class ExampleMatrix {
  readonly rows: number;
  readonly dims: number;
  private readonly data: Float32Array;
  constructor(vectors: readonly ArrayLike<number>[]) {
    this.rows = vectors.length;
    this.dims = vectors[0]?.length ?? 0;
    this.data = new Float32Array(this.rows * this.dims);
    vectors.forEach((v, r) => {
      if (v.length !== this.dims) throw new Error(`semantic: vector ${r} has ${v.length} dimensions, expected ${this.dims}`);
      const n = Math.sqrt(dotArr(v, v)) || 1;
      for (let i = 0; i < this.dims; i++) this.data[r * this.dims + i] = (v[i] as number) / n;
    });
  }
  /** The k most similar rows, most similar first: [row, cosine]. */
  nearest(q: Float32Array, k: number): Array<[number, number]> {
    const top: Array<[number, number]> = [];
    const d = this.dims;
    const data = this.data;
    for (let r = 0; r < this.rows; r++) {
      let s = 0;
      const base = r * d;
      for (let i = 0; i < d; i++) s += (data[base + i] as number) * (q[i] as number);
      if (top.length < k) {
        top.push([r, s]);
        if (top.length === k) top.sort((a, b) => b[1] - a[1]);
      } else if (s > (top[k - 1] as [number, number])[1]) {
        let at = k - 1;
        while (at > 0 && (top[at - 1] as [number, number])[1] < s) at--;
        top.splice(at, 0, [r, s]);
        top.pop();
      }
    }
    if (top.length < k) top.sort((a, b) => b[1] - a[1]);
    return top;
  }
}

function dotArr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function unit(v: ArrayLike<number>): Float32Array {
  const n = Math.sqrt(dotArr(v, v)) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) / n;
  return out;
}

const ALL_DIMS = new Map<number, Int32Array>();
function dense(v: Float32Array): SparseVector {
  let idx = ALL_DIMS.get(v.length);
  if (idx === undefined) {
    idx = Int32Array.from({ length: v.length }, (_, i) => i);
    ALL_DIMS.set(v.length, idx);
  }
  return { idx, val: v };
}

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1))))] ?? 0;
}

function stratifiedHoldOut(n: number, labels: readonly string[], fraction: number, seed: number): { fit: number[]; held: number[] } {
  const rand = mulberry32(seed);
  const by = new Map<string, number[]>();
  for (let i = 0; i < n; i++) by.set(labels[i] ?? '', [...(by.get(labels[i] ?? '') ?? []), i]);
  const fit: number[] = [];
  const held: number[] = [];
  for (const key of [...by.keys()].sort()) {
    const g = [...(by.get(key) ?? [])];
    for (let i = g.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [g[i], g[j]] = [g[j] as number, g[i] as number];
    }
    const h = g.length >= 3 ? Math.max(1, Math.round(g.length * fraction)) : 0;
    held.push(...g.slice(0, h));
    fit.push(...g.slice(h));
  }
  return { fit, held };
}

interface Fitted {
  head: SoftmaxModel;
  matrix: ExampleMatrix;
}

function fit(vectors: readonly Float32Array[], ys: readonly number[], classes: number, o: SemanticOptions): Fitted {
  const xs = vectors.map(dense);
  const head = trainSoftmax(xs, ys, classes, vectors[0]?.length ?? 0, { epochs: o.epochs, learningRate: o.learningRate, l2: 1e-6, seed: o.seed });
  return { head, matrix: new ExampleMatrix(vectors) };
}

/**
 * The meaning-aware model: sentence-encoder vectors of the training examples, a logistic head over
 * them (intents) and a k-nearest-neighbour area vote; the closest example's similarity is the
 * out-of-scope gate. Pure and synchronous: the caller embeds (in batches) and passes vectors in.
 */
export function trainSemantic(examples: readonly TrainingExample[], vectors: readonly ArrayLike<number>[], encoderVersion: string, options: Partial<SemanticOptions> = {}): SemanticModel {
  if (examples.length === 0) throw new Error('trainSemantic needs at least one example');
  if (vectors.length !== examples.length) throw new Error(`trainSemantic: ${vectors.length} vectors for ${examples.length} examples`);
  const o: SemanticOptions = { ...DEFAULT_SEMANTIC, ...options };
  const units = vectors.map(unit);
  const intents = [...new Set(examples.map((e) => e.intent))].sort();
  const index = new Map(intents.map((x, i) => [x, i]));
  const intentArea = intents.map((i) => examples.find((e) => e.intent === i)?.area ?? 'triage');
  const ys = examples.map((e) => index.get(e.intent) ?? 0);
  let temperature = 1;
  let gate = 0;
  let typical: TypicalityModel | undefined;
  const { fit: fitIdx, held } = stratifiedHoldOut(examples.length, examples.map((e) => e.intent), o.calibrationFraction, o.seed);
  if (held.length > 0 && fitIdx.length > 0) {
    const cal = fit(
      fitIdx.map((i) => units[i] as Float32Array),
      fitIdx.map((i) => ys[i] ?? 0),
      intents.length,
      o,
    );
    const zs = held.map((i) => ({ z: logits(cal.head, dense(units[i] as Float32Array)), y: ys[i] ?? 0 }));
    temperature = fitTemperature(zs, intentArea.map((a) => [...new Set(intentArea)].indexOf(a)));
    gate = quantile(
      held.map((i) => cal.matrix.nearest(units[i] as Float32Array, 1)[0]?.[1] ?? 0),
      o.gateQuantile,
    );
    // Split-conformal: fitted on the fit part, its reference distances are the held-out part's.
    if (o.typicality) {
      typical = fitTypicality(
        fitIdx.map((i) => units[i] as Float32Array),
        fitIdx.map((i) => ys[i] ?? 0),
        held.map((i) => units[i] as Float32Array),
      );
    }
  }
  const final = fit(units, ys, intents.length, o);
  const docArea = examples.map((e) => intentArea[index.get(e.intent) ?? 0] ?? e.area);
  const version = semanticVersionFor(examples, encoderVersion, options);
  const make = (g: number): SemanticModel => ({
    version,
    encoderVersion,
    intents,
    gate: g,
    temperature,
    withGate: (next) => make(next),
    judge: (vector) => {
      const q = unit(vector);
      const z = softmaxInPlace(logits(final.head, dense(q)), temperature);
      const area = new Map<AreaName, number>();
      z.forEach((p, c) => {
        const a = intentArea[c] ?? 'triage';
        area.set(a, (area.get(a) ?? 0) + (1 - o.voteWeight) * p);
      });
      const nn = final.matrix.nearest(q, Math.max(1, o.k));
      let wsum = 0;
      for (const [, s] of nn) wsum += Math.max(0, s) ** 2;
      for (const [r, s] of nn) {
        const a = docArea[r] ?? 'triage';
        area.set(a, (area.get(a) ?? 0) + (o.voteWeight * Math.max(0, s) ** 2) / (wsum || 1));
      }
      let topArea: AreaName = 'triage';
      let topP = -1;
      for (const [a, p] of area) if (p > topP) [topArea, topP] = [a, p];
      let best = -1;
      for (let c = 0; c < z.length; c++) if (intentArea[c] === topArea && (best < 0 || (z[c] ?? 0) > (z[best] ?? 0))) best = c;
      const nearestSimilarity = nn[0]?.[1] ?? 0;
      const meanTopSimilarity = nn.reduce((t, [, s]) => t + s, 0) / (nn.length || 1);
      const typicality = typical?.typicality(q) ?? 1;
      return { area: topArea, intent: intents[best] ?? '', confidence: topP, intentConfidence: z[best] ?? 0, areaProbability: area, nearestSimilarity, meanTopSimilarity, typicality, outOfScope: nearestSimilarity < g };
    },
  });
  return make(o.gate ?? gate);
}
