import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { loadMessages, toGold, type GoldMessage } from './loaders.js';
import { DatasetError } from './errors.js';
import { parseLabelMap, type LabelMap } from './labelmap.js';
import { splitTrainTest } from './split.js';

/** One train/test evaluation over the shared data sets. */
export interface SharedSplit {
  name: string;
  dataset: string;
  train: GoldMessage[];
  test: GoldMessage[];
}

export const SPLIT_SEED = 42;

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * The fixed evaluations: Banking77 and Bitext 80/20 by a fixed seed; NLU++ per domain with
 * the official folds 0–9 for training and 10–19 for testing.
 */
export async function loadSharedDatasets(dir: string, only?: readonly string[]): Promise<{ labelMap: LabelMap; splits: SharedSplit[] }> {
  const mapFile = join(dir, 'label-map.json');
  let mapText: string;
  try {
    mapText = await readFile(mapFile, 'utf8');
  } catch (e) {
    throw new DatasetError(mapFile, 0, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const labelMap = parseLabelMap(mapText, mapFile);
  const want = (n: string): boolean => !only || only.length === 0 || only.includes(n);
  const mapOf = (name: string) => {
    const m = labelMap.maps[name];
    if (!m) throw new Error(`label map has no ${name}`);
    return m;
  };
  const splits: SharedSplit[] = [];
  const flat = async (name: string, dataset: string, file: string): Promise<void> => {
    if (!want(name)) return;
    const gold = toGold(await loadMessages(join(dir, file)), mapOf(dataset), labelMap);
    const { train, test } = splitTrainTest(gold, 0.8, SPLIT_SEED);
    splits.push({ name, dataset, train, test });
  };
  await flat('banking77', 'banking77', 'banking77-train/train.csv');
  await flat('bitext', 'bitext-customer-support', 'bitext-customer-support/Bitext_Sample_Customer_Support_Training_Dataset.csv');
  for (const domain of ['banking', 'hotels']) {
    const name = `nlupp-${domain}`;
    if (!want(name)) continue;
    const files = (folds: number[]): string => folds.map((f) => join(dir, 'nlupp', domain, `fold${f}.json`)).join(',');
    const map = mapOf('nlupp');
    splits.push({
      name,
      dataset: 'nlupp',
      train: toGold(await loadMessages(files(range(0, 9))), map, labelMap),
      test: toGold(await loadMessages(files(range(10, 19))), map, labelMap),
    });
  }
  return { labelMap, splits };
}
