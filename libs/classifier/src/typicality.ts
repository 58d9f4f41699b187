import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/**
 * How typical a message vector is of the trained intents, by the relative Mahalanobis distance
 * (Ren et al., 2021): the distance to the closest intent under the intents' shared covariance, less
 * the distance to the whole training cloud under its own covariance. The plain nearest-neighbour
 * cosine sees "close to some example"; this also sees "in the directions along which the intents
 * vary", which is where a message of an intent never taught (near out of scope) shows itself.
 *
 * Measured on Banking77 training data only (12 intents left out of an 80 % fit, three draws; the
 * test split was not used to choose): AUROC for the left-out intents 0.75–0.81 with the nearest
 * neighbour, 0.83–0.89 with this score; the other-data-set slice stays at 0.96–0.97 for both.
 */
export interface TypicalityModel {
  /** Relative Mahalanobis distance: lower is more typical. */
  distance(unitVector: ArrayLike<number>): number;
  /**
   * Split-conformal typicality in [0, 1]: the share of held-out in-scope calibration messages at
   * least as far as this one. 0.05 means 95 % of held-out training messages were more typical.
   */
  typicality(unitVector: ArrayLike<number>): number;
}

/** Shrinkage of each covariance towards a scaled identity (it keeps small packs invertible). */
export const TYPICALITY_SHRINKAGE = 0.01;

/**
 * The Cholesky factor L (row-major, lower) of the covariance shrunk towards a scaled identity:
 * a Mahalanobis distance is then ‖L⁻¹(x − μ)‖², one forward substitution (d²/2) per vector.
 */
function shrunkCholesky(cov: Float64Array, d: number, shrinkage: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < d; i++) trace += cov[i * d + i] as number;
  const ridge = (shrinkage * trace) / d || 1e-6;
  const rows: number[][] = [];
  for (let i = 0; i < d; i++) {
    const row = new Array<number>(d);
    for (let j = 0; j < d; j++) row[j] = (1 - shrinkage) * (cov[i * d + j] as number) + (i === j ? ridge : 0);
    rows.push(row);
  }
  const chol = new CholeskyDecomposition(new Matrix(rows));
  if (!chol.isPositiveDefinite()) throw new Error('typicality: the shrunk covariance is not positive definite');
  const l = chol.lowerTriangularMatrix;
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) out[i * d + j] = l.get(i, j);
  return out;
}

/** y = L⁻¹ x for the lower-triangular L (forward substitution), into `y`. */
function forward(l: Float64Array, x: ArrayLike<number>, y: Float64Array, d: number): Float64Array {
  for (let i = 0; i < d; i++) {
    const base = i * d;
    let t = x[i] as number;
    for (let j = 0; j < i; j++) t -= (l[base + j] as number) * (y[j] as number);
    y[i] = t / (l[base + i] as number);
  }
  return y;
}

/** Covariance (biased) of the rows' deviations from their class mean, upper triangle mirrored. */
function withinCovariance(vectors: readonly ArrayLike<number>[], classes: readonly number[], means: readonly Float64Array[], d: number): Float64Array {
  const cov = new Float64Array(d * d);
  const r = new Float64Array(d);
  vectors.forEach((v, row) => {
    const c = means[classes[row] ?? 0] as Float64Array;
    for (let i = 0; i < d; i++) r[i] = (v[i] as number) - (c[i] as number);
    for (let i = 0; i < d; i++) {
      const ri = r[i] as number;
      if (ri === 0) continue;
      const base = i * d;
      for (let j = i; j < d; j++) cov[base + j] = (cov[base + j] as number) + ri * (r[j] as number);
    }
  });
  const n = vectors.length || 1;
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) {
      const x = (cov[i * d + j] as number) / n;
      cov[i * d + j] = x;
      cov[j * d + i] = x;
    }
  return cov;
}

const squaredNorm = (y: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] as number) * (y[i] as number);
  return s;
};

/**
 * Fits the class means, the shared within-class covariance and the background covariance on
 * `vectors` (unit length, one class index each), and takes `calibration` (held-out in-scope
 * vectors, not in `vectors`) as the reference distribution of distances.
 */
export function fitTypicality(vectors: readonly ArrayLike<number>[], classes: readonly number[], calibration: readonly ArrayLike<number>[], shrinkage = TYPICALITY_SHRINKAGE): TypicalityModel {
  const d = vectors[0]?.length ?? 0;
  const nClasses = Math.max(0, ...classes) + 1;
  const means = Array.from({ length: nClasses }, () => new Float64Array(d));
  const counts = new Float64Array(nClasses);
  const mean0 = new Float64Array(d);
  vectors.forEach((v, row) => {
    const c = classes[row] ?? 0;
    const m = means[c] as Float64Array;
    counts[c] = (counts[c] as number) + 1;
    for (let i = 0; i < d; i++) {
      m[i] = (m[i] as number) + (v[i] as number);
      mean0[i] = (mean0[i] as number) + (v[i] as number);
    }
  });
  means.forEach((m, c) => {
    const n = counts[c] || 1;
    for (let i = 0; i < d; i++) m[i] = (m[i] as number) / n;
  });
  for (let i = 0; i < d; i++) mean0[i] = (mean0[i] as number) / (vectors.length || 1);
  // The background covariance is the within-class one plus the between-class scatter: one pass over the rows.
  const withinCov = withinCovariance(vectors, classes, means, d);
  const totalCov = Float64Array.from(withinCov);
  const n = vectors.length || 1;
  means.forEach((m, c) => {
    const w = (counts[c] as number) / n;
    if (w === 0) return;
    for (let i = 0; i < d; i++) {
      const di = ((m[i] as number) - (mean0[i] as number)) * w;
      for (let j = i; j < d; j++) totalCov[i * d + j] = (totalCov[i * d + j] as number) + di * ((m[j] as number) - (mean0[j] as number));
    }
  });
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) totalCov[j * d + i] = totalCov[i * d + j] as number;
  const within = shrunkCholesky(withinCov, d, shrinkage);
  const background = shrunkCholesky(totalCov, d, shrinkage);
  // ‖L⁻¹(x − μ_c)‖² = ‖y‖² − 2 y·m_c + ‖m_c‖² with y = L⁻¹x and m_c = L⁻¹μ_c: one substitution per message.
  const whitenedMeans = means.flatMap((m, c) => ((counts[c] as number) > 0 ? [forward(within, m, new Float64Array(d), d)] : []));
  const meanNorms = whitenedMeans.map(squaredNorm);
  const y = new Float64Array(d);
  const x = new Float64Array(d);
  const distance = (v: ArrayLike<number>): number => {
    if (v.length !== d) throw new Error(`typicality: vector has ${v.length} dimensions, expected ${d}`);
    forward(within, v, y, d);
    const yy = squaredNorm(y);
    let best = Infinity;
    whitenedMeans.forEach((m, c) => {
      let t = 0;
      for (let i = 0; i < d; i++) t += (m[i] as number) * (y[i] as number);
      const dist = yy - 2 * t + (meanNorms[c] as number);
      if (dist < best) best = dist;
    });
    for (let i = 0; i < d; i++) x[i] = (v[i] as number) - (mean0[i] as number);
    return best - squaredNorm(forward(background, x, y, d));
  };
  const reference = calibration.map(distance).sort((a, b) => a - b);
  return {
    distance,
    typicality: (v) => {
      if (reference.length === 0) return 1;
      const dist = distance(v);
      // share of reference distances ≥ dist (binary search for the first one ≥ dist)
      let lo = 0;
      let hi = reference.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((reference[mid] as number) < dist) lo = mid + 1;
        else hi = mid;
      }
      return (reference.length - lo) / reference.length;
    },
  };
}
