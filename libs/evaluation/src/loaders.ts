import { readFile } from 'node:fs/promises';
import { AREA } from '@handrail/events';
import type { TrainingExample } from '@handrail/classifier';
import { parseCsv } from './csv.js';
import { DatasetError } from './errors.js';
import { labelAreas, resolveLabel, type DatasetMap, type GoldArea, type LabelMap } from './labelmap.js';

/** One message as read from a file: one label for CSV/JSONL, any number for NLU++. */
export interface RawMessage {
  text: string;
  labels: string[];
  /** Where it came from, for error messages: `file:line` (or `file[index]` for JSON arrays). */
  source: string;
}

/** A test message with its resolved gold label and area. */
export interface GoldMessage {
  text: string;
  /** The row's deciding label: its only label, or for multi-label rows the highest-precedence risk label. */
  label: string;
  area: GoldArea;
  /** Every label of a multi-label row with its own area; absent for single-label rows. */
  all?: Array<{ label: string; area: GoldArea }>;
}

const TEXT_COLUMNS = ['text', 'instruction', 'utterance', 'query'];
// `intent` before `category`: Bitext uses `category` for coarse groups and `intent` for the label.
const LABEL_COLUMNS = ['intent', 'label', 'category'];

export function parseLabelledCsv(text: string, file: string, columns: { text?: string; label?: string } = {}): RawMessage[] {
  const records = parseCsv(text, file);
  const [header, ...rows] = records;
  if (!header) throw new DatasetError(file, 1, 'empty file');
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const find = (wanted: string | undefined, options: readonly string[], what: string): number => {
    const list = wanted ? [wanted.toLowerCase()] : options;
    for (const w of list) {
      const at = names.indexOf(w);
      if (at >= 0) return at;
    }
    throw new DatasetError(file, header.line, `no ${what} column (looked for ${list.join(', ')}; header has ${names.join(', ')})`);
  };
  const ti = find(columns.text, TEXT_COLUMNS, 'text');
  const li = find(columns.label, LABEL_COLUMNS, 'label');
  return rows.map((r) => {
    if (r.cells.length !== names.length) {
      throw new DatasetError(file, r.line, `expected ${names.length} fields, found ${r.cells.length}`);
    }
    const t = (r.cells[ti] ?? '').trim();
    const l = (r.cells[li] ?? '').trim();
    if (t === '') throw new DatasetError(file, r.line, 'empty text');
    if (l === '') throw new DatasetError(file, r.line, 'empty label');
    return { text: t, labels: [l], source: `${file}:${r.line}` };
  });
}

export function parseJsonl(text: string, file: string): RawMessage[] {
  const out: RawMessage[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      throw new DatasetError(file, line, `not valid JSON (${(e as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DatasetError(file, line, 'expected an object {"text","label"}');
    const o = v as Record<string, unknown>;
    const t = o['text'];
    const l = o['label'] ?? o['intent'] ?? o['intents'];
    if (typeof t !== 'string' || t.trim() === '') throw new DatasetError(file, line, 'missing or empty "text"');
    const labels = typeof l === 'string' ? [l] : Array.isArray(l) && l.every((x) => typeof x === 'string') ? (l as string[]) : undefined;
    if (!labels) throw new DatasetError(file, line, 'missing "label" (a string)');
    out.push({ text: t.trim(), labels, source: `${file}:${line}` });
  });
  return out;
}

/** NLU++ fold: a JSON array of `{"text", "intents"?: string[]}`; rows without intents are allowed. */
export function parseNluppFold(text: string, file: string): RawMessage[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DatasetError(file, 0, `not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(v)) throw new DatasetError(file, 0, 'expected a JSON array of {"text","intents"}');
  return v.map((row: unknown, i) => {
    const o = (typeof row === 'object' && row !== null ? row : {}) as Record<string, unknown>;
    const t = o['text'];
    const intents = o['intents'] ?? [];
    if (typeof t !== 'string' || t.trim() === '') throw new DatasetError(file, 0, `item ${i}: missing or empty "text"`);
    if (!Array.isArray(intents) || !intents.every((x) => typeof x === 'string')) throw new DatasetError(file, 0, `item ${i}: "intents" must be a list of strings`);
    return { text: t.trim(), labels: intents as string[], source: `${file}[${i}]` };
  });
}

/** Parses by extension: `.csv`, `.jsonl`, `.json` (NLU++ fold). */
export function parseMessages(text: string, file: string): RawMessage[] {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv')) return parseLabelledCsv(text, file);
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return parseJsonl(text, file);
  if (lower.endsWith('.json')) return parseNluppFold(text, file);
  throw new DatasetError(file, 0, 'unknown format: use .csv, .jsonl or .json (NLU++ fold)');
}

/** Reads one or more files (comma-separated list) into one message list. */
export async function loadMessages(fileList: string): Promise<RawMessage[]> {
  const files = fileList.split(',').map((f) => f.trim()).filter(Boolean);
  const out: RawMessage[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (e) {
      throw new DatasetError(f, 0, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    out.push(...parseMessages(text, f));
  }
  return out;
}

/** Resolves every message's gold label and area; an unmapped label is an error naming its line. */
export function toGold(messages: readonly RawMessage[], map: DatasetMap, labelMap: LabelMap): GoldMessage[] {
  return messages.map((m) => {
    const r = resolveLabel(m.labels, map, labelMap.precedence);
    const all = labelAreas(m.labels, map);
    if (!r || !all) throw new DatasetError(m.source, 0, `label ${JSON.stringify(m.labels.join(','))} is not in the label map`);
    return map.kind === 'multi' ? { text: m.text, label: r.label, area: r.area, all } : { text: m.text, label: r.label, area: r.area };
  });
}

/** Labels that count as a correct intent for this message (any of a multi-label row's labels). */
export function acceptedLabels(g: GoldMessage): string[] {
  return g.all ? [g.label, ...g.all.map((a) => a.label)] : [g.label];
}

/**
 * Training examples: one per row, labelled with the row's deciding label (for multi-label rows the
 * highest-precedence risk label, else its first intent), so each risk label is one coherent class
 * and the area probability of a risky row is not diluted by its topical labels. Labels mapped to
 * off_domain/out_of_scope are not trained: they must never be automated.
 */
export function toTrainingExamples(gold: readonly GoldMessage[]): TrainingExample[] {
  return gold.flatMap((g) => {
    const area = AREA.parse(g.area);
    return area ? [{ text: g.text, intent: g.label, area }] : [];
  });
}
