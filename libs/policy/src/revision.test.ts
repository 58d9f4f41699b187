import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from './parse.js';
import { canonicalJson, diffPolicies, formatDiff, policyRevisionId } from './revision.js';
import type { PolicyPack } from './schema.js';

const pack = parsePolicy(readFileSync(fileURLToPath(new URL('../../demo/policy/demo-pack.yaml', import.meta.url)), 'utf8'), 'demo');
const clone = (p: PolicyPack): PolicyPack => JSON.parse(JSON.stringify(p)) as PolicyPack;

describe('policy revision', () => {
  it('policy revision — id is 12 hex chars and ignores key order', () => {
    const id = policyRevisionId(pack);
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    const reordered = Object.fromEntries(Object.entries(pack).reverse()) as PolicyPack;
    expect(policyRevisionId(reordered)).toBe(id);
    expect(canonicalJson({ b: 1, a: [2, { d: 1, c: 2 }] })).toBe('{"a":[2,{"c":2,"d":1}],"b":1}');
  });

  it('policy revision — any content change gives a new id', () => {
    const b = clone(pack);
    b.refund_limits.by_tier['vip'] = 301;
    expect(policyRevisionId(b)).not.toBe(policyRevisionId(pack));
  });
});

describe('policy diff', () => {
  it('policy diff — identical packs have no differences', () => {
    expect(diffPolicies(pack, clone(pack))).toEqual([]);
    expect(formatDiff([])).toBe('no differences');
  });

  it('policy diff — shows changed values old → new, and list items added and removed', () => {
    const b = clone(pack);
    b.areas.refund.confidence_threshold = 0.8;
    b.tone.banned_phrases.push('no offence');
    b.tone.overconfident_phrases = b.tone.overconfident_phrases.filter((p) => p !== 'I promise');
    b.refund_limits.by_tier['gold'] = 200;
    const changes = diffPolicies(pack, b);
    expect(changes).toEqual([
      { kind: 'changed', path: 'areas.refund.confidence_threshold', from: 0.75, to: 0.8 },
      { kind: 'added', path: 'refund_limits.by_tier.gold', to: 200 },
      { kind: 'added', path: 'tone.banned_phrases["no offence"]', to: 'no offence', item: true },
      { kind: 'removed', path: 'tone.overconfident_phrases["I promise"]', from: 'I promise', item: true },
    ]);
    const text = formatDiff(changes);
    expect(text).toContain('~ areas.refund.confidence_threshold: 0.75 → 0.8');
    expect(text).toContain('+ refund_limits.by_tier.gold: 200');
    expect(text).toContain('- tone.overconfident_phrases["I promise"]');
  });

  it('policy diff — a list item added or removed shows its text once (issue 9)', () => {
    const b = clone(pack);
    b.tone.banned_phrases.push('no offence');
    b.tone.overconfident_phrases = b.tone.overconfident_phrases.filter((p) => p !== 'I promise');
    b.refund_limits.by_tier['gold'] = 200;
    expect(formatDiff(diffPolicies(pack, b)).split('\n')).toEqual([
      '+ refund_limits.by_tier.gold: 200',
      '+ tone.banned_phrases["no offence"]',
      '- tone.overconfident_phrases["I promise"]',
    ]);
    const repeated = clone(pack);
    repeated.tone.banned_phrases.push('no offence', 'no offence');
    expect(formatDiff(diffPolicies(pack, repeated))).toBe('+ tone.banned_phrases["no offence"]');
  });

  it('policy diff — overrides are compared item by item', () => {
    const b = clone(pack);
    b.overrides.push({ area: 'privacy', ai_action: 'draft', justification: 'x'.repeat(20), approved_by: 'dpo', ticket: 'T-1' });
    const changes = diffPolicies(pack, b);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: 'added', path: 'overrides[0]' });
  });
});
