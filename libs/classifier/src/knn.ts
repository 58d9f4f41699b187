import type { SparseVector } from './features.js';

/**
 * Inverted index over training vectors for cosine nearest-neighbour look-ups. Used for
 * out-of-scope detection: a message whose best neighbour is far from every training example is
 * unlike anything the model was taught, however confident the linear model happens to be.
 */
export class NearestNeighbours {
  private readonly starts: Int32Array;
  private readonly docs: Int32Array;
  private readonly vals: Float32Array;
  private readonly acc: Float32Array;
  private readonly touched: Int32Array;

  constructor(
    vectors: readonly SparseVector[],
    features: number,
    readonly labels: readonly number[],
  ) {
    const counts = new Int32Array(features + 1);
    for (const v of vectors) for (const f of v.idx) counts[f + 1] = (counts[f + 1] ?? 0) + 1;
    for (let f = 0; f < features; f++) counts[f + 1] = (counts[f + 1] ?? 0) + (counts[f] ?? 0);
    this.starts = counts;
    const total = counts[features] ?? 0;
    this.docs = new Int32Array(total);
    this.vals = new Float32Array(total);
    const fill = Int32Array.from(counts.subarray(0, features));
    vectors.forEach((v, d) => {
      for (let i = 0; i < v.idx.length; i++) {
        const f = v.idx[i] ?? 0;
        const at = fill[f] ?? 0;
        this.docs[at] = d;
        this.vals[at] = v.val[i] ?? 0;
        fill[f] = at + 1;
      }
    });
    this.acc = new Float32Array(vectors.length);
    this.touched = new Int32Array(vectors.length);
  }

  /** The k most similar training vectors as [doc, cosine] pairs, best first. */
  nearest(x: SparseVector, k: number, exclude = -1): Array<[number, number]> {
    let nTouched = 0;
    for (let i = 0; i < x.idx.length; i++) {
      const f = x.idx[i] ?? 0;
      const xv = x.val[i] ?? 0;
      const end = this.starts[f + 1] ?? 0;
      for (let p = this.starts[f] ?? 0; p < end; p++) {
        const d = this.docs[p] ?? 0;
        if (this.acc[d] === 0) this.touched[nTouched++] = d;
        this.acc[d] = (this.acc[d] ?? 0) + xv * (this.vals[p] ?? 0);
      }
    }
    const best: Array<[number, number]> = [];
    for (let t = 0; t < nTouched; t++) {
      const d = this.touched[t] ?? 0;
      const s = this.acc[d] ?? 0;
      this.acc[d] = 0;
      if (d === exclude) continue;
      if (best.length < k || s > (best[best.length - 1]?.[1] ?? -Infinity)) {
        best.push([d, s]);
        best.sort((a, b) => b[1] - a[1]);
        if (best.length > k) best.pop();
      }
    }
    return best;
  }
}
