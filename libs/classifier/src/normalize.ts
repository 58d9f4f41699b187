/**
 * Text normalisation shared by training and inference. Kept deliberately light: the model learns
 * from char n-grams too, so aggressive stemming buys little and costs explainability.
 */

const CONTRACTIONS: Array<[RegExp, string]> = [
  [/\bcan't\b/g, 'can not'],
  [/\bwon't\b/g, 'will not'],
  [/\b(\w+)n't\b/g, '$1 not'],
  [/\b(\w+)'re\b/g, '$1 are'],
  [/\b(\w+)'ve\b/g, '$1 have'],
  [/\b(\w+)'ll\b/g, '$1 will'],
  [/\b(\w+)'d\b/g, '$1 would'],
  [/\bi'm\b/g, 'i am'],
];

// One classification normalises the same text several times (features, known-content share,
// unknown-topic share): the last answer is kept. The function is pure, so this changes nothing else.
let lastText: string | undefined;
let lastNormalized = '';

/** Lower-case, strip accents, unify apostrophes, expand contractions, collapse digits to `0`. */
export function normalizeText(text: string): string {
  if (text === lastText) return lastNormalized;
  lastNormalized = normalize(text);
  lastText = text;
  return lastNormalized;
}

function normalize(text: string): string {
  let t = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  t = t.replace(/[\u2018\u2019`´]/g, "'");
  for (const [re, rep] of CONTRACTIONS) t = t.replace(re, rep);
  t = t.replace(/\d+/g, '0');
  t = t.replace(/[^a-z0-9']+/g, ' ').replace(/'/g, '');
  return t.replace(/\s+/g, ' ').trim();
}

/** A light suffix stripper (a small subset of Porter step 1) so "charged"/"charges"/"charging" share a stem. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  let w = word;
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  else if (w.length > 5 && w.endsWith('ly')) w = w.slice(0, -2);
  if (w.length > 3 && /([b-df-hj-np-tv-z])\1$/.test(w) && !/(ll|ss|zz)$/.test(w)) w = w.slice(0, -1);
  return w;
}

export function tokenize(normalized: string): string[] {
  return normalized.length === 0 ? [] : normalized.split(' ');
}
