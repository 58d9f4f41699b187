import { AREAS, type AreaName } from '@handrail/policy';
import { DatasetError } from './errors.js';

/** Areas a label can map to: the responsibility table plus the two "not ours" categories. */
export type GoldArea = AreaName | 'off_domain' | 'out_of_scope';
export const NOT_OURS: readonly GoldArea[] = ['off_domain', 'out_of_scope'];
export const ELIGIBLE_AREAS: readonly AreaName[] = ['faq_status', 'routine', 'triage'];
export const CRITICAL_AREAS: readonly AreaName[] = ['privacy', 'safety', 'legal'];

/** One dataset's mapping: a flat label → area table, or multi-label risk labels with a default. */
export type DatasetMap =
  | { kind: 'flat'; labels: Record<string, GoldArea> }
  | { kind: 'multi'; riskLabels: Record<string, GoldArea>; fallback: GoldArea };

export interface LabelMap {
  precedence: GoldArea[];
  maps: Record<string, DatasetMap>;
}

const GOLD = new Set<string>([...AREAS, ...NOT_OURS]);

function asGold(v: unknown, where: string, file: string): GoldArea {
  if (typeof v !== 'string' || !GOLD.has(v)) throw new DatasetError(file, 0, `${where}: ${JSON.stringify(v)} is not an area or off_domain/out_of_scope`);
  return v as GoldArea;
}

/** Parses label-map JSON (`precedence_for_multi_label`, `maps[dataset][label] → area`). */
export function parseLabelMap(json: string, file = '<label-map>'): LabelMap {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new DatasetError(file, 0, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null) throw new DatasetError(file, 0, 'expected an object');
  const obj = raw as Record<string, unknown>;
  const prec = obj['precedence_for_multi_label'];
  if (!Array.isArray(prec)) throw new DatasetError(file, 0, 'missing precedence_for_multi_label list');
  const precedence = prec.map((p, i) => asGold(p, `precedence_for_multi_label[${i}]`, file));
  const mapsRaw = obj['maps'];
  if (typeof mapsRaw !== 'object' || mapsRaw === null) throw new DatasetError(file, 0, 'missing maps object');
  const maps: Record<string, DatasetMap> = {};
  for (const [name, m] of Object.entries(mapsRaw as Record<string, unknown>)) {
    if (typeof m !== 'object' || m === null) throw new DatasetError(file, 0, `maps.${name} must be an object`);
    const mm = m as Record<string, unknown>;
    if (typeof mm['risk_labels'] === 'object' && mm['risk_labels'] !== null) {
      const riskLabels: Record<string, GoldArea> = {};
      for (const [l, a] of Object.entries(mm['risk_labels'] as Record<string, unknown>)) riskLabels[l] = asGold(a, `maps.${name}.risk_labels.${l}`, file);
      maps[name] = { kind: 'multi', riskLabels, fallback: asGold(mm['default'], `maps.${name}.default`, file) };
    } else {
      const labels: Record<string, GoldArea> = {};
      for (const [l, a] of Object.entries(mm)) labels[l] = asGold(a, `maps.${name}.${l}`, file);
      maps[name] = { kind: 'flat', labels };
    }
  }
  return { precedence, maps };
}

/** The single label and gold area of a (possibly multi-label) message; undefined for an unmapped flat label. */
export function resolveLabel(labels: readonly string[], map: DatasetMap, precedence: readonly GoldArea[]): { label: string; area: GoldArea } | undefined {
  if (map.kind === 'flat') {
    const label = labels[0];
    if (label === undefined) return undefined;
    const area = map.labels[label];
    return area ? { label, area } : undefined;
  }
  const risky = labels.filter((l) => map.riskLabels[l] !== undefined);
  const rank = (l: string): number => {
    const a = map.riskLabels[l];
    const r = a ? precedence.indexOf(a) : -1;
    return r < 0 ? Number.MAX_SAFE_INTEGER : r;
  };
  const best = [...risky].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))[0];
  // No risk label: one `other` class in the default area. Tried alternatives (the row's first intent,
  // one example per label) split the default area over dozens of arbitrary classes and made the
  // model under-confident exactly where automation is safe.
  if (best === undefined) return { label: 'other', area: map.fallback };
  return { label: best, area: map.riskLabels[best] ?? map.fallback };
}

/** Every label of a row with its own area; a row with no labels is one `none` row in the default area. */
export function labelAreas(labels: readonly string[], map: DatasetMap): Array<{ label: string; area: GoldArea }> | undefined {
  if (map.kind === 'flat') {
    const label = labels[0];
    const area = label === undefined ? undefined : map.labels[label];
    return label !== undefined && area ? [{ label, area }] : undefined;
  }
  if (labels.length === 0) return [{ label: 'none', area: map.fallback }];
  return labels.map((label) => ({ label, area: map.riskLabels[label] ?? map.fallback }));
}

/** Picks the dataset map: the explicit name, else one named in the file path. */
export function pickDatasetMap(labelMap: LabelMap, dataset: string | undefined, paths: readonly string[]): { name: string; map: DatasetMap } {
  const names = Object.keys(labelMap.maps);
  if (dataset !== undefined) {
    const map = labelMap.maps[dataset];
    if (!map) throw new Error(`dataset ${dataset} is not in the label map (known: ${names.join(', ')})`);
    return { name: dataset, map };
  }
  const hay = paths.join(' ').toLowerCase();
  const hits = names.filter((n) => hay.includes(n.toLowerCase()) || hay.includes(n.split('-')[0]?.toLowerCase() ?? n));
  const [only] = hits;
  if (hits.length === 1 && only !== undefined) {
    const map = labelMap.maps[only];
    if (map) return { name: only, map };
  }
  throw new Error(`cannot tell which dataset map to use from the file names; pass --dataset (known: ${names.join(', ')})`);
}
