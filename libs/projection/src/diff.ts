/** A word-level diff between the AI draft and the text a person sent: what QA reads, and the edit rate. */
export type DiffOp = { op: 'same' | 'added' | 'removed'; text: string };

export interface EditStats {
  draftWords: number;
  wordsAdded: number;
  wordsRemoved: number;
  /** (added + removed) / (draft words + sent words): 0 unchanged, 1 rewritten. */
  changeRatio: number;
}

const tokens = (s: string) => s.split(/\s+/).filter(Boolean);
/** Longer texts are compared line by line from the edges inwards; this caps the quadratic part. */
const MAX_CELLS = 4_000_000;

export function wordDiff(before: string, after: string): DiffOp[] {
  const a = tokens(before);
  const b = tokens(after);
  // Common prefix and suffix first: most edits touch a sentence or two.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: DiffOp[] = [];
  const push = (op: DiffOp['op'], word: string) => {
    const last = ops[ops.length - 1];
    if (last && last.op === op) last.text += ` ${word}`;
    else ops.push({ op, text: word });
  };
  for (let k = 0; k < start; k++) push('same', a[k] ?? '');
  const ma = a.slice(start, endA);
  const mb = b.slice(start, endB);
  if ((ma.length + 1) * (mb.length + 1) > MAX_CELLS) {
    for (const w of ma) push('removed', w);
    for (const w of mb) push('added', w);
  } else {
    // Longest common subsequence over the middle.
    const n = ma.length;
    const m = mb.length;
    const L = new Uint32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        L[i * (m + 1) + j] = ma[i] === mb[j] ? (L[(i + 1) * (m + 1) + j + 1] ?? 0) + 1 : Math.max(L[(i + 1) * (m + 1) + j] ?? 0, L[i * (m + 1) + j + 1] ?? 0);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (ma[i] === mb[j]) {
        push('same', ma[i] ?? '');
        i++;
        j++;
      } else if ((L[(i + 1) * (m + 1) + j] ?? 0) >= (L[i * (m + 1) + j + 1] ?? 0)) push('removed', ma[i++] ?? '');
      else push('added', mb[j++] ?? '');
    }
    while (i < n) push('removed', ma[i++] ?? '');
    while (j < m) push('added', mb[j++] ?? '');
  }
  for (let k = endA; k < a.length; k++) push('same', a[k] ?? '');
  return ops;
}

export function editStats(before: string, after: string): EditStats {
  const ops = wordDiff(before, after);
  const count = (op: DiffOp['op']) => ops.filter((o) => o.op === op).reduce((n, o) => n + tokens(o.text).length, 0);
  const added = count('added');
  const removed = count('removed');
  const total = tokens(before).length + tokens(after).length;
  return { draftWords: tokens(before).length, wordsAdded: added, wordsRemoved: removed, changeRatio: total === 0 ? 0 : Math.round(((added + removed) / total) * 1000) / 1000 };
}
