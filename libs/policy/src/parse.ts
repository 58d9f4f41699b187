import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { HandrailError } from '@handrail/errors';
import { policyPackSchema, type PolicyPack } from './schema.js';
import { semanticIssues, type SemanticIssue } from './rules.js';

export type IssueSeverity = 'error' | 'warning';

/** One problem (or audit warning) in a pack, pointing at the exact place in the source file. */
export interface PolicyIssue {
  severity: IssueSeverity;
  file: string;
  /** 1-based; 0 when the source has no position (a pack that did not come from YAML). */
  line: number;
  column: number;
  /** Dotted field path, e.g. `areas.refund.confidence_threshold`. */
  path: string;
  message: string;
}

export function formatIssue(i: PolicyIssue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.column}` : i.file;
  return `${where} ${i.severity} ${i.path || '(root)'}: ${i.message}`;
}

/** A pack that failed validation. `issues` lists every problem found, not only the first. */
export class PolicyError extends HandrailError {
  override readonly name = 'PolicyError';
  constructor(readonly issues: readonly PolicyIssue[]) {
    const errors = issues.filter((i) => i.severity === 'error');
    super(
      'invalid_argument',
      `invalid policy pack (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n` + errors.map(formatIssue).join('\n'),
      errors.map((i) => ({ field: i.path, problem: i.message })),
    );
  }
}

export interface PolicyCheck {
  /** Present only when there are no errors. */
  pack?: PolicyPack;
  errors: PolicyIssue[];
  /** Audit items (overrides of human-only areas) and advice; never block on their own. */
  warnings: PolicyIssue[];
}

type PathSeg = string | number;

const joinPath = (path: readonly PathSeg[]): string =>
  path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');

/** Offset of the deepest node along `path` that exists; a key's own position when the path ends at a key. */
function locate(doc: Document, path: readonly PathSeg[]): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function zodMessage(issue: z.core.$ZodIssue): { path: PathSeg[]; message: string } {
  const path = issue.path.filter((p): p is PathSeg => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    // Point at the first unknown key itself, which is what the author has to delete or rename.
    return { path: [...path, issue.keys[0] ?? ''], message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}` };
  }
  if (issue.code === 'invalid_type' && path.length === 2 && path[0] === 'areas' && issue.message.includes('undefined')) {
    return { path, message: `missing area ${String(path[1])}: every area must be listed (default deny needs an explicit entry)` };
  }
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
    return { path, message: `required field is missing (${issue.message})` };
  }
  return { path, message: issue.message };
}

/** Zod and semantic validation of an already-parsed object; `locateAt` maps a field path to a source position. */
export function checkPolicyObject(
  input: unknown,
  file: string,
  locateAt: (path: readonly PathSeg[]) => { line: number; column: number } = () => ({ line: 0, column: 0 }),
): PolicyCheck {
  const issue = (severity: IssueSeverity, path: readonly PathSeg[], message: string): PolicyIssue => ({
    severity,
    file,
    ...locateAt(path),
    path: joinPath(path),
    message,
  });
  const parsed = policyPackSchema.safeParse(input);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((zi) => {
      const { path, message } = zodMessage(zi);
      return issue('error', path, message);
    });
    // Semantic rules still run on the raw object, so one pass reports everything; a field the
    // schema already rejected is not reported twice.
    const reported = new Set(errors.map((e) => e.path));
    let extra: SemanticIssue[] = [];
    try {
      extra = semanticIssues(input as PolicyPack);
    } catch {
      extra = [];
    }
    for (const s of extra) {
      const p = joinPath(s.path);
      if (s.severity === 'error' && !reported.has(p) && !(p.startsWith('areas.') && reported.has(p.split('.').slice(0, 2).join('.')))) errors.push(issue('error', s.path, s.message));
    }
    return { errors: sortIssues(errors), warnings: [] };
  }
  const found: SemanticIssue[] = semanticIssues(parsed.data);
  const errors = found.filter((s) => s.severity === 'error').map((s) => issue('error', s.path, s.message));
  const warnings = found.filter((s) => s.severity === 'warning').map((s) => issue('warning', s.path, s.message));
  return errors.length > 0
    ? { errors: sortIssues(errors), warnings: sortIssues(warnings) }
    : { pack: parsed.data, errors: [], warnings: sortIssues(warnings) };
}

function sortIssues(issues: PolicyIssue[]): PolicyIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Validates YAML text without throwing: every syntax, schema and semantic problem with its line. */
export function checkPolicy(text: string, fileName: string): PolicyCheck {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { severity: 'error' as const, file: fileName, line: pos.line, column: pos.col, path: '', message: `YAML: ${e.message.split('\n')[0] ?? e.code}` };
    });
    return { errors, warnings: [] };
  }
  const toPos = (path: readonly PathSeg[]) => {
    const p = lineCounter.linePos(locate(doc, path));
    return { line: p.line, column: p.col };
  };
  return checkPolicyObject(doc.toJS(), fileName, toPos);
}

/** YAML text → validated pack. Throws `PolicyError` listing every problem with file:line:column and field. */
export function parsePolicy(text: string, fileName: string): PolicyPack {
  const result = checkPolicy(text, fileName);
  if (!result.pack) throw new PolicyError([...result.errors, ...result.warnings]);
  return result.pack;
}

/** Validates a pack that did not come from a file (e.g. read back from the store); throws `PolicyError`. */
export function validatePack(input: unknown, source: string): PolicyPack {
  const result = checkPolicyObject(input, source);
  if (!result.pack) throw new PolicyError([...result.errors, ...result.warnings]);
  return result.pack;
}

export async function loadPolicyFile(path: string): Promise<PolicyPack> {
  return parsePolicy(await readFile(path, 'utf8'), path);
}

/** Like `loadPolicyFile` but keeps the warnings (override audit items) for the caller to show. */
export async function checkPolicyFile(path: string): Promise<PolicyCheck> {
  return checkPolicy(await readFile(path, 'utf8'), path);
}
