import { normalizeText, stem, tokenize } from './normalize.js';

/** A sparse, L2-normalised feature vector: parallel arrays of feature ids and weights. */
export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

export interface FeatureOptions {
  wordNgrams: 1 | 2;
  charNgrams: boolean;
  charMin: number;
  charMax: number;
  /** Features seen in fewer training texts than this are dropped (keeps the model small). */
  minDf: number;
}

export const DEFAULT_FEATURES: FeatureOptions = { wordNgrams: 2, charNgrams: true, charMin: 3, charMax: 5, minDf: 2 };

/** Raw feature strings with counts, grouped so word and char features can be weighted apart. */
export function rawFeatures(text: string, o: FeatureOptions): { word: Map<string, number>; char: Map<string, number> } {
  const norm = normalizeText(text);
  const toks = tokenize(norm);
  const stems = toks.map(stem);
  const word = new Map<string, number>();
  const add = (m: Map<string, number>, k: string): void => {
    m.set(k, (m.get(k) ?? 0) + 1);
  };
  for (let i = 0; i < stems.length; i++) {
    add(word, `w:${stems[i]}`);
    if (o.wordNgrams >= 2 && i + 1 < stems.length) add(word, `b:${stems[i]}_${stems[i + 1]}`);
  }
  const char = new Map<string, number>();
  if (o.charNgrams && norm.length > 0) {
    const s = ` ${norm} `;
    for (let n = o.charMin; n <= o.charMax; n++) {
      for (let i = 0; i + n <= s.length; i++) add(char, `c:${s.slice(i, i + n)}`);
    }
  }
  return { word, char };
}

/** TF-IDF vectoriser with a fixed vocabulary learnt from training texts. */
export class Vectorizer {
  private readonly index: Map<string, number>;
  /** Char n-gram features by their n-gram alone (no `c:` prefix to build per look-up). */
  private readonly charIndex: Map<string, number>;
  /** Term counts of the text being transformed, by feature id; zeroed again after each use. */
  private readonly counts: Float64Array;

  constructor(
    readonly options: FeatureOptions,
    readonly vocab: readonly string[],
    readonly idf: Float32Array,
  ) {
    this.index = new Map(vocab.map((f, i) => [f, i]));
    this.charIndex = new Map(vocab.flatMap((f, i) => (f.startsWith('c:') ? [[f.slice(2), i] as const] : [])));
    this.counts = new Float64Array(vocab.length);
  }

  static fit(texts: readonly string[], options: FeatureOptions = DEFAULT_FEATURES): Vectorizer {
    const df = new Map<string, number>();
    for (const t of texts) {
      const { word, char } = rawFeatures(t, options);
      for (const k of word.keys()) df.set(k, (df.get(k) ?? 0) + 1);
      for (const k of char.keys()) df.set(k, (df.get(k) ?? 0) + 1);
    }
    const vocab = [...df.entries()].filter(([, d]) => d >= options.minDf).map(([k]) => k).sort();
    const n = texts.length;
    const idf = new Float32Array(vocab.length);
    vocab.forEach((k, i) => {
      idf[i] = Math.log((n + 1) / ((df.get(k) ?? 0) + 1)) + 1;
    });
    return new Vectorizer(options, vocab, idf);
  }

  get size(): number {
    return this.vocab.length;
  }

  /**
   * Sublinear TF-IDF; word and char groups are each L2-normalised, then the whole vector is. Counts
   * only features in the vocabulary, in order of first occurrence — the same vector, float for float,
   * as counting every feature of `rawFeatures` and dropping the unknown ones, without the strings.
   */
  transform(text: string): SparseVector {
    const o = this.options;
    const norm = normalizeText(text);
    const stems = tokenize(norm).map(stem);
    const idx: number[] = [];
    const val: number[] = [];
    const counts = this.counts;
    const count = (id: number | undefined): void => {
      if (id === undefined) return;
      if (counts[id] === 0) idx.push(id);
      counts[id] = (counts[id] ?? 0) + 1;
    };
    const groups: number[] = [];
    for (let i = 0; i < stems.length; i++) {
      count(this.index.get(`w:${stems[i]}`));
      if (o.wordNgrams >= 2 && i + 1 < stems.length) count(this.index.get(`b:${stems[i]}_${stems[i + 1]}`));
    }
    groups.push(idx.length);
    if (o.charNgrams && norm.length > 0) {
      const s = ` ${norm} `;
      for (let n = o.charMin; n <= o.charMax; n++) {
        for (let i = 0; i + n <= s.length; i++) count(this.charIndex.get(s.slice(i, i + n)));
      }
    }
    groups.push(idx.length);
    let start = 0;
    for (const end of groups) {
      let sq = 0;
      for (let i = start; i < end; i++) {
        const id = idx[i] ?? 0;
        const w = (1 + Math.log(counts[id] ?? 1)) * (this.idf[id] ?? 1);
        counts[id] = 0;
        val.push(w);
        sq += w * w;
      }
      const s = sq > 0 ? 1 / Math.sqrt(sq) : 0;
      for (let i = start; i < end; i++) val[i] = (val[i] ?? 0) * s;
      start = end;
    }
    let total = 0;
    for (const v of val) total += v * v;
    const s = total > 0 ? 1 / Math.sqrt(total) : 0;
    return { idx: Int32Array.from(idx), val: Float32Array.from(val, (v) => v * s) };
  }
}

export function dot(a: SparseVector, dense: Float32Array, offset: number): number {
  let s = 0;
  for (let i = 0; i < a.idx.length; i++) s += (a.val[i] ?? 0) * (dense[offset + (a.idx[i] ?? 0)] ?? 0);
  return s;
}
