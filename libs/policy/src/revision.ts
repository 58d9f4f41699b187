import { createHash } from 'node:crypto';
import type { PolicyPack } from './schema.js';

/** JSON with object keys sorted at every level, so equal packs hash equal whatever the key order in the file. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Content address of a pack: 12 hex chars of sha256 over its canonical JSON. Decisions cite it. */
export function policyRevisionId(pack: PolicyPack): string {
  return createHash('sha256').update(canonicalJson(pack)).digest('hex').slice(0, 12);
}

export type PolicyChangeKind = 'added' | 'removed' | 'changed';

export interface PolicyChange {
  kind: PolicyChangeKind;
  /** Dotted path; list items of plain values are shown by value, e.g. `tone.banned_phrases["calm down"]`. */
  path: string;
  from?: unknown;
  to?: unknown;
  /** One item of a list of plain values: the path already names it. */
  item?: true;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isScalarList = (v: unknown): v is Array<string | number | boolean> =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean');
const child = (path: string, key: string) => (path ? `${path}.${key}` : key);

function walk(a: unknown, b: unknown, path: string, out: PolicyChange[]): void {
  if (canonicalJson(a) === canonicalJson(b)) return;
  if (a === undefined) {
    out.push({ kind: 'added', path, to: b });
    return;
  }
  if (b === undefined) {
    out.push({ kind: 'removed', path, from: a });
    return;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], child(path, k), out);
    return;
  }
  // Example phrases and keyword lists are sets to a reader: show what came and went, not index shifts.
  if (isScalarList(a) && isScalarList(b)) {
    const before = new Set(a.map(String));
    const after = new Set(b.map(String));
    // Each distinct item once, even if a list repeats it.
    const distinct = (xs: ReadonlyArray<string | number | boolean>) => [...new Map(xs.map((x) => [String(x), x])).values()];
    for (const x of distinct(a)) if (!after.has(String(x))) out.push({ kind: 'removed', path: `${path}[${JSON.stringify(x)}]`, from: x, item: true });
    for (const x of distinct(b)) if (!before.has(String(x))) out.push({ kind: 'added', path: `${path}[${JSON.stringify(x)}]`, to: x, item: true });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  out.push({ kind: 'changed', path, from: a, to: b });
}

/** Structural diff of two packs: every added, removed and changed field, in path order. */
export function diffPolicies(a: PolicyPack, b: PolicyPack): PolicyChange[] {
  const out: PolicyChange[] = [];
  walk(a, b, '', out);
  return out;
}

const show = (v: unknown): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

/** One line per change: `~ path: old → new`, `+ path: value`, `- path: value`; a list item is its path alone. */
export function formatDiff(changes: readonly PolicyChange[]): string {
  if (changes.length === 0) return 'no differences';
  return changes
    .map((c) => {
      switch (c.kind) {
        case 'added':
          return c.item ? `+ ${c.path}` : `+ ${c.path}: ${show(c.to)}`;
        case 'removed':
          return c.item ? `- ${c.path}` : `- ${c.path}: ${show(c.from)}`;
        case 'changed':
          return `~ ${c.path}: ${show(c.from)} → ${show(c.to)}`;
      }
    })
    .join('\n');
}
