import { mulberry32 } from '@handrail/classifier';

/** Seeded Fisher–Yates shuffle (copy). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rand = mulberry32(seed);
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    const u = a[j];
    if (t !== undefined && u !== undefined) {
      a[i] = u;
      a[j] = t;
    }
  }
  return a;
}

/** Fixed-seed train/test split: `trainShare` of the shuffled items go to train. */
export function splitTrainTest<T>(items: readonly T[], trainShare: number, seed: number): { train: T[]; test: T[] } {
  const s = shuffled(items, seed);
  const cut = Math.round(s.length * trainShare);
  return { train: s.slice(0, cut), test: s.slice(cut) };
}

/** k folds stratified by `key`: each item lands in exactly one fold. */
export function stratifiedFolds<T>(items: readonly T[], k: number, key: (t: T) => string, seed: number): T[][] {
  const folds: T[][] = Array.from({ length: k }, () => []);
  const groups = new Map<string, T[]>();
  for (const it of items) groups.set(key(it), [...(groups.get(key(it)) ?? []), it]);
  let next = 0;
  for (const g of [...groups.keys()].sort()) {
    for (const it of shuffled(groups.get(g) ?? [], seed)) {
      folds[next % k]?.push(it);
      next++;
    }
  }
  return folds;
}
