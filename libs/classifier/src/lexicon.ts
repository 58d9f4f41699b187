import { normalizeText, stem, tokenize } from './normalize.js';

// Function words carry no topic: a message is judged by whether its content words were ever seen.
const STOPWORDS = new Set(
  'the a an and or but if of to in on at for with from by about as is are was were be been being am do does did have has had i me my mine we our you your he she it its they them their this that these those what which who whom when where why how can could would should will shall may might must not no yes so than then there here just also too very please hi hello hey thanks thank any some all get got one'.split(' '),
);

/** Stemmed content words of a message: no function words, digits or one- and two-letter tokens. */
export function contentWords(text: string): string[] {
  return tokenize(normalizeText(text))
    .filter((t) => t.length > 2 && !STOPWORDS.has(t) && t !== '0')
    .map(stem);
}

/** One substitution, insertion, deletion or swap of neighbours apart (a typo). */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diff: number[] = [];
    for (let k = 0; k < a.length && diff.length <= 2; k++) if (a[k] !== b[k]) diff.push(k);
    if (diff.length <= 1) return true;
    const [x = 0, y = 0] = diff;
    return diff.length === 2 && y === x + 1 && a[x] === b[y] && a[y] === b[x];
  }
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/**
 * The training vocabulary with document frequencies. `unknownShare` tells how much of a message is
 * about things the model was never taught: the IDF-weighted share of its content words unseen in
 * training (a word one typo away from a known word of five letters or more counts as known). Topic
 * words are rare, so "the wifi is not working" to a banking model is mostly unknown even though
 * "working" is familiar.
 */
export class Lexicon {
  private readonly byLength = new Map<number, string[]>();

  private constructor(
    private readonly df: ReadonlyMap<string, number>,
    private readonly docs: number,
  ) {
    for (const w of df.keys()) {
      if (w.length < 4) continue;
      const list = this.byLength.get(w.length) ?? [];
      list.push(w);
      this.byLength.set(w.length, list);
    }
  }

  static fit(texts: readonly string[]): Lexicon {
    const df = new Map<string, number>();
    for (const t of texts) for (const w of new Set(contentWords(t))) df.set(w, (df.get(w) ?? 0) + 1);
    return new Lexicon(df, Math.max(1, texts.length));
  }

  private known(w: string): boolean {
    if (this.df.has(w)) return true;
    if (w.length < 5) return false;
    for (const len of [w.length - 1, w.length, w.length + 1]) {
      for (const v of this.byLength.get(len) ?? []) if (withinOneEdit(w, v)) return true;
    }
    return false;
  }

  /** Share in [0, 1], or undefined for a message without content words. */
  unknownShare(text: string): number | undefined {
    const words = contentWords(text);
    if (words.length === 0) return undefined;
    const unseen = Math.log(this.docs + 1);
    let total = 0;
    let unknown = 0;
    for (const w of words) {
      const df = this.df.get(w);
      if (df !== undefined) {
        total += Math.log((this.docs + 1) / df);
      } else if (this.known(w)) {
        total += unseen;
      } else {
        total += unseen;
        unknown += unseen;
      }
    }
    return total === 0 ? 0 : unknown / total;
  }
}
