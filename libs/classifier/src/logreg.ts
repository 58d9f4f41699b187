import type { SparseVector } from './features.js';

/** Multinomial logistic regression over sparse vectors. Weights are feature-major: `w[f * classes + c]`. */
export interface SoftmaxModel {
  classes: number;
  features: number;
  weights: Float64Array;
  bias: Float64Array;
}

export interface SoftmaxTrainOptions {
  epochs: number;
  learningRate: number;
  /** L2 penalty per example step; keeps rare n-grams from dominating. */
  l2: number;
  seed: number;
  /**
   * Class re-weighting exponent: each example's step is scaled by (mean class size / its class size)^power.
   * 0 = plain; 0.5 keeps a dominant catch-all class from swallowing rare risky ones.
   */
  balance?: number;
}

export const DEFAULT_SOFTMAX: SoftmaxTrainOptions = { epochs: 6, learningRate: 2.0, l2: 1e-5, seed: 7 };

/** Small deterministic PRNG so training is reproducible run to run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function logits(m: SoftmaxModel, x: SparseVector, out: Float64Array = new Float64Array(m.classes)): Float64Array {
  const C = m.classes;
  for (let c = 0; c < C; c++) out[c] = m.bias[c] ?? 0;
  const w = m.weights;
  for (let i = 0; i < x.idx.length; i++) {
    const v = x.val[i] ?? 0;
    const base = (x.idx[i] ?? 0) * C;
    for (let c = 0; c < C; c++) out[c] = (out[c] ?? 0) + v * (w[base + c] ?? 0);
  }
  return out;
}

/** Softmax of `z / temperature`, in place. */
export function softmaxInPlace(z: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let c = 0; c < z.length; c++) {
    const e = Math.exp(((z[c] ?? 0) - max) / temperature);
    z[c] = e;
    sum += e;
  }
  for (let c = 0; c < z.length; c++) z[c] = (z[c] ?? 0) / sum;
  return z;
}

/** Plain SGD on the cross-entropy with a decaying step; L2 is applied lazily through a global scale. */
export function trainSoftmax(
  xs: readonly SparseVector[],
  ys: readonly number[],
  classes: number,
  features: number,
  o: SoftmaxTrainOptions = DEFAULT_SOFTMAX,
): SoftmaxModel {
  const C = classes;
  const v = new Float64Array(features * C);
  const bias = new Float64Array(C);
  let scale = 1;
  const rand = mulberry32(o.seed);
  const order = xs.map((_, i) => i);
  const z = new Float64Array(C);
  const n = xs.length;
  let step = 0;
  const counts = new Array<number>(C).fill(0);
  for (const y of ys) counts[y] = (counts[y] ?? 0) + 1;
  const present = counts.filter((c) => c > 0).length || 1;
  const classWeight = counts.map((c) => (c > 0 ? Math.pow(n / present / c, o.balance ?? 0) : 1));
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i] ?? 0;
      order[i] = order[j] ?? 0;
      order[j] = t;
    }
    for (const k of order) {
      const x = xs[k];
      const y = ys[k] ?? 0;
      if (!x) continue;
      const lr = (o.learningRate * (classWeight[y] ?? 1)) / (1 + (2 * step) / n);
      step++;
      for (let c = 0; c < C; c++) z[c] = bias[c] ?? 0;
      for (let i = 0; i < x.idx.length; i++) {
        const xv = (x.val[i] ?? 0) * scale;
        const base = (x.idx[i] ?? 0) * C;
        for (let c = 0; c < C; c++) z[c] = (z[c] ?? 0) + xv * (v[base + c] ?? 0);
      }
      softmaxInPlace(z);
      scale *= 1 - lr * o.l2;
      const g = lr / scale;
      for (let c = 0; c < C; c++) {
        const err = (c === y ? 1 : 0) - (z[c] ?? 0);
        z[c] = err;
        bias[c] = (bias[c] ?? 0) + lr * err;
      }
      for (let i = 0; i < x.idx.length; i++) {
        const xv = (x.val[i] ?? 0) * g;
        const base = (x.idx[i] ?? 0) * C;
        for (let c = 0; c < C; c++) v[base + c] = (v[base + c] ?? 0) + xv * (z[c] ?? 0);
      }
      if (scale < 1e-6) {
        for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) * scale;
        scale = 1;
      }
    }
  }
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) * scale;
  return { classes: C, features, weights: v, bias };
}

/**
 * Temperature minimising the negative log-likelihood of held-out logits (log grid). With `groups`
 * (class → group), the likelihood is that of the true class's group: probabilities summed per group.
 */
export function fitTemperature(heldOut: ReadonlyArray<{ z: Float64Array; y: number }>, groups?: readonly number[]): number {
  if (heldOut.length === 0) return 1;
  const nll = (t: number): number => {
    let s = 0;
    for (const { z, y } of heldOut) {
      const p = softmaxInPlace(Float64Array.from(z), t);
      let q = p[y] ?? 0;
      if (groups) {
        const g = groups[y];
        q = 0;
        for (let c = 0; c < p.length; c++) if (groups[c] === g) q += p[c] ?? 0;
      }
      s -= Math.log(Math.max(q, 1e-12));
    }
    return s / heldOut.length;
  };
  let best = 1;
  let bestLoss = Infinity;
  for (let t = 0.05; t <= 5; t *= 1.1) {
    const l = nll(t);
    if (l < bestLoss) {
      bestLoss = l;
      best = t;
    }
  }
  return best;
}
