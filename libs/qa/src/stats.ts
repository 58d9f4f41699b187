import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/**
 * The statistics of the QA loop: proportions with Wilson intervals, the Horvitz–Thompson and
 * stratified estimators for rates from samples drawn with known inclusion probabilities, and
 * chance-corrected agreement (Fleiss' kappa, Krippendorff's alpha) with bootstrap intervals.
 * Normal quantiles come from `@stdlib/stats-base-dists-normal-quantile` (accurate to double
 * precision; simple-statistics' probit is off by 0.003 at 97.5%); the formulas are the textbook ones and
 * the unit tests check each against a worked example computed by hand.
 */

export interface Interval {
  rate: number;
  lower: number;
  upper: number;
}

export interface RateEstimate extends Interval {
  /** Samples the estimate rests on. */
  samples: number;
  /** Kish's effective sample size (equal to `samples` when every weight is the same). */
  effectiveN: number;
  confidence: number;
}

/** The normal quantile for a two-sided interval (or a one-sided bound) at `confidence`. */
export function zFor(confidence: number, sided: 'two' | 'one' = 'two'): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return normalQuantile(sided === 'two' ? 1 - (1 - confidence) / 2 : confidence, 0, 1);
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * Wilson score interval for `successes` out of `n`. Both may be fractional (an effective count from
 * weighted samples). n = 0 gives the uninformative [0, 1].
 */
export function wilson(successes: number, n: number, confidence = 0.95, sided: 'two' | 'one' = 'two'): Interval {
  if (n <= 0) return { rate: 0, lower: 0, upper: 1 };
  const p = clamp01(successes / n);
  const z = zFor(confidence, sided);
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { rate: p, lower: clamp01(centre - half), upper: clamp01(centre + half) };
}

/** One sampled unit: its value (1 defective, 0 not, or a share of reviewers who found a defect) and its inclusion probability. */
export interface WeightedSample {
  y: number;
  pi: number;
}

function checkPi(s: WeightedSample): void {
  if (!(s.pi > 0 && s.pi <= 1)) throw new RangeError(`inclusion probability must be in (0, 1], got ${s.pi}`);
}

/**
 * Horvitz–Thompson estimate of a population total, Σ y/π, with its variance under Poisson sampling
 * (each unit drawn independently with probability π): Σ (1 − π) y² / π².
 */
export function horvitzThompsonTotal(samples: readonly WeightedSample[]): { total: number; variance: number } {
  let total = 0;
  let variance = 0;
  for (const s of samples) {
    checkPi(s);
    total += s.y / s.pi;
    variance += ((1 - s.pi) * s.y * s.y) / (s.pi * s.pi);
  }
  return { total, variance };
}

/** Kish's effective sample size of weights w = 1/π: (Σw)² / Σw². */
export function effectiveSampleSize(samples: readonly WeightedSample[]): number {
  let sw = 0;
  let sw2 = 0;
  for (const s of samples) {
    checkPi(s);
    sw += 1 / s.pi;
    sw2 += 1 / (s.pi * s.pi);
  }
  return sw2 === 0 ? 0 : (sw * sw) / sw2;
}

/**
 * A rate from samples drawn with known, unequal probabilities. The point estimate is the Hájek
 * (ratio) form of Horvitz–Thompson, Σ(y/π) / Σ(1/π) — or Σ(y/π) / N when the population size N is
 * known — and the interval is Wilson's at Kish's effective sample size, which keeps it inside [0, 1]
 * and honest when a few heavily weighted samples carry the estimate.
 */
export function weightedRate(samples: readonly WeightedSample[], o: { populationSize?: number; confidence?: number; sided?: 'two' | 'one' } = {}): RateEstimate {
  const confidence = o.confidence ?? 0.95;
  if (samples.length === 0) return { rate: 0, lower: 0, upper: 1, samples: 0, effectiveN: 0, confidence };
  const { total } = horvitzThompsonTotal(samples);
  const weightSum = samples.reduce((a, s) => a + 1 / s.pi, 0);
  const rate = clamp01(total / (o.populationSize && o.populationSize > 0 ? o.populationSize : weightSum));
  const nEff = effectiveSampleSize(samples);
  const w = wilson(rate * nEff, nEff, confidence, o.sided ?? 'two');
  return { rate, lower: w.lower, upper: w.upper, samples: samples.length, effectiveN: nEff, confidence };
}

export interface Stratum {
  /** Units in the stratum's population (e.g. decisions in this area and route this week). */
  populationSize: number;
  /** The sampled units' values. */
  values: readonly number[];
}

/**
 * The stratified estimator: p̂ = Σ W_h p̂_h with W_h = N_h / N, and variance
 * Σ W_h² (1 − n_h/N_h) s_h² / n_h (s_h² the sample variance). Strata with no sample contribute
 * nothing to the estimate and are reported as `unsampledShare` (their weight): the estimate then
 * covers only the sampled part of the population.
 */
export function stratifiedRate(strata: readonly Stratum[], confidence = 0.95): RateEstimate & { variance: number; unsampledShare: number } {
  const N = strata.reduce((a, s) => a + s.populationSize, 0);
  let est = 0;
  let variance = 0;
  let covered = 0;
  let samples = 0;
  for (const s of strata) {
    const n = s.values.length;
    if (n === 0 || s.populationSize === 0) continue;
    samples += n;
    const W = s.populationSize / N;
    covered += W;
    const mean = s.values.reduce((a, v) => a + v, 0) / n;
    est += W * mean;
    const s2 = n > 1 ? s.values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
    const fpc = Math.max(0, 1 - n / s.populationSize);
    variance += W * W * fpc * (s2 / n);
  }
  // Renormalise to the sampled strata, so the rate is a rate of what was observed.
  const rate = covered > 0 ? est / covered : 0;
  const v = covered > 0 ? variance / (covered * covered) : 0;
  const z = zFor(confidence);
  const half = z * Math.sqrt(v);
  const nEff = v > 0 ? (rate * (1 - rate)) / v : samples;
  return { rate, lower: clamp01(rate - half), upper: clamp01(rate + half), samples, effectiveN: nEff, confidence, variance: v, unsampledShare: N > 0 ? 1 - covered : 0 };
}

/** A small, fast, seedable PRNG (mulberry32): bootstrap intervals are reproducible run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Percentile bootstrap over units: resample the units with replacement, recompute, take quantiles. */
export function bootstrapInterval<T>(units: readonly T[], statistic: (sample: readonly T[]) => number | null, o: { resamples?: number; confidence?: number; seed?: number } = {}): { lower: number; upper: number; resamples: number } | null {
  const B = o.resamples ?? 1000;
  const confidence = o.confidence ?? 0.95;
  const rnd = seededRandom(o.seed ?? 13);
  if (units.length < 2) return null;
  const values: number[] = [];
  const sample: T[] = new Array<T>(units.length);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < units.length; i++) sample[i] = units[Math.floor(rnd() * units.length)] as T;
    const v = statistic(sample);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (values.length < B / 2) return null;
  values.sort((a, b) => a - b);
  const q = (p: number) => values[Math.min(values.length - 1, Math.max(0, Math.floor(p * (values.length - 1))))] ?? NaN;
  return { lower: q((1 - confidence) / 2), upper: q(1 - (1 - confidence) / 2), resamples: values.length };
}

/**
 * Fleiss' kappa for items rated by several raters into categories. `counts[i][j]` is how many raters
 * put item i in category j. Items may have different numbers of raters (at least two each; others
 * are skipped): P_i = Σ_j n_ij (n_ij − 1) / (n_i (n_i − 1)), p_j = Σ_i n_ij / Σ_i n_i.
 * Null when chance agreement is total (everyone always used one category).
 */
export function fleissKappa(counts: ReadonlyArray<readonly number[]>): number | null {
  const rows = counts.filter((r) => r.reduce((a, b) => a + b, 0) >= 2);
  if (rows.length === 0) return null;
  const k = Math.max(...rows.map((r) => r.length));
  const totals = new Array<number>(k).fill(0);
  let ratings = 0;
  let pBar = 0;
  for (const r of rows) {
    const n = r.reduce((a, b) => a + b, 0);
    ratings += n;
    let agree = 0;
    r.forEach((nij, j) => {
      agree += nij * (nij - 1);
      totals[j] = (totals[j] ?? 0) + nij;
    });
    pBar += agree / (n * (n - 1));
  }
  pBar /= rows.length;
  const pe = totals.reduce((a, t) => a + (t / ratings) ** 2, 0);
  if (pe >= 1) return null;
  return (pBar - pe) / (1 - pe);
}

/**
 * Krippendorff's alpha for nominal data. `units[u]` holds the values the coders gave unit u
 * (missing values simply left out). Only units with two or more values are pairable. α = 1 − D_o/D_e
 * from the coincidence matrix. Null when there is no disagreement to expect (a single value used).
 */
export function krippendorffAlphaNominal(units: ReadonlyArray<ReadonlyArray<string | number | boolean>>): number | null {
  const pairable = units.filter((u) => u.length >= 2);
  const nTotal = pairable.reduce((a, u) => a + u.length, 0);
  if (nTotal < 2) return null;
  // Observed disagreement: per unit, ordered pairs of different values weighted 1/(m_u − 1).
  let observed = 0;
  const marginals = new Map<string, number>();
  for (const u of pairable) {
    const m = u.length;
    const counts = new Map<string, number>();
    for (const v of u) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    let same = 0;
    for (const [v, c] of counts) {
      same += c * (c - 1);
      marginals.set(v, (marginals.get(v) ?? 0) + c);
    }
    observed += (m * (m - 1) - same) / (m - 1);
  }
  let expectedSame = 0;
  for (const c of marginals.values()) expectedSame += c * (c - 1);
  const expected = (nTotal * (nTotal - 1) - expectedSame) / (nTotal - 1);
  if (expected === 0) return null;
  return 1 - observed / expected;
}
