import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { checkPolicy, formatIssue, parsePolicy, PolicyError } from './parse.js';
import { AREAS } from './schema.js';

const demoFile = fileURLToPath(new URL('../../demo/policy/demo-pack.yaml', import.meta.url));
const demoText = readFileSync(demoFile, 'utf8');

/** The demo pack with some fields set (or deleted with `undefined`), comments kept. */
function edited(changes: Array<[Array<string | number>, unknown]>): string {
  const doc = parseDocument(demoText);
  for (const [path, value] of changes) {
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, value);
  }
  return String(doc);
}

/** 1-based line of the first line of `text` that contains `needle` after line `from`. */
function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if (lines[i]?.includes(needle)) return i + 1;
  throw new Error(`not found: ${needle}`);
}

describe('policy parse', () => {
  it('policy parse — the demo pack is valid, names every area and has no override warnings', () => {
    const r = checkPolicy(demoText, 'demo-pack.yaml');
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(Object.keys(r.pack?.areas ?? {}).sort()).toEqual([...AREAS].sort());
  });

  it('policy parse — demo examples give every area 2+ intents (talk_to_human 1) of 12+ phrasings', () => {
    const pack = parsePolicy(demoText, 'demo-pack.yaml');
    for (const area of AREAS) {
      const examples = pack.areas[area]?.examples ?? {};
      expect(Object.keys(examples).length, area).toBeGreaterThanOrEqual(area === 'talk_to_human' ? 1 : 2);
      for (const [intent, phrases] of Object.entries(examples)) {
        expect(phrases.length, intent).toBeGreaterThanOrEqual(12);
        expect(new Set(phrases).size, `${intent} has duplicates`).toBe(phrases.length);
      }
    }
  });

  it('policy parse — lists every schema problem with file, line, column and field path', () => {
    const text = demoText
      .replace('confidence_threshold: 0.75', 'confidence_threshold: 1.5')
      .replace('risk: critical\n    required_controls:\n      - Human only (no AI reply, no AI draft)\n      - Identity', 'risk: extreme\n    required_controls:\n      - Human only (no AI reply, no AI draft)\n      - Identity')
      .replace('negative_sentiment_threshold: -0.6', 'negative_sentiment_threshold: -0.6\n  tone_of_voice: loud');
    const r = checkPolicy(text, 'bad.yaml');
    expect(r.pack).toBeUndefined();
    const byPath = new Map(r.errors.map((e) => [e.path, e]));
    expect(byPath.get('areas.refund.confidence_threshold')?.line).toBe(lineOf(text, 'confidence_threshold: 1.5'));
    expect(byPath.get('areas.privacy.risk')?.line).toBe(lineOf(text, 'risk: extreme'));
    expect(byPath.get('escalation.tone_of_voice')?.line).toBe(lineOf(text, 'tone_of_voice: loud'));
    expect(byPath.get('escalation.tone_of_voice')?.message).toMatch(/unknown field/);
    expect(r.errors).toHaveLength(3);
    expect(formatIssue(byPath.get('areas.refund.confidence_threshold') ?? r.errors[0]!)).toMatch(/^bad\.yaml:\d+:\d+ error areas\.refund\.confidence_threshold: /);
  });

  it('policy parse — parsePolicy throws a PolicyError carrying all issues', () => {
    const text = edited([
      [['areas', 'refund', 'confidence_threshold'], 2],
      [['sampling', 'default_rate'], -1],
    ]);
    let caught: unknown;
    try {
      parsePolicy(text, 'x.yaml');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PolicyError);
    const e = caught as PolicyError;
    expect(e.code).toBe('invalid_argument');
    expect(e.issues.map((i) => i.path).sort()).toEqual(['areas.refund.confidence_threshold', 'sampling.default_rate']);
    expect(e.message).toContain('x.yaml:');
  });

  it('policy parse — a missing area is an error naming the area', () => {
    const text = edited([[['areas', 'legal'], undefined]]);
    const r = checkPolicy(text, 'p.yaml');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.path).toBe('areas.legal');
    expect(r.errors[0]?.message).toMatch(/missing area legal/);
    expect(r.errors[0]?.line).toBe(text.split('\n').indexOf('areas:') + 1);
  });

  it('policy parse — an unknown area is refused', () => {
    const doc = parseDocument(demoText);
    doc.setIn(['areas', 'billing'], doc.getIn(['areas', 'routine']));
    const r = checkPolicy(String(doc), 'p.yaml');
    expect(r.errors.some((e) => e.path.startsWith('areas') && /billing/.test(e.message + e.path))).toBe(true);
  });

  it('policy parse — YAML syntax errors carry their line', () => {
    const text = 'version: 1\nname: x\nareas:\n  faq_status: [unclosed\n';
    const r = checkPolicy(text, 's.yaml');
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors[0]?.message).toMatch(/^YAML/);
    expect(r.errors[0]?.line).toBeGreaterThanOrEqual(4);
  });

  it('policy parse — a schema error does not hide a human-only weakening elsewhere', () => {
    const r = checkPolicy(
      edited([
        [['areas', 'refund', 'confidence_threshold'], 7.5],
        [['areas', 'legal', 'ai_action'], 'resolve'],
      ]),
      'p.yaml',
    );
    expect(r.errors.map((e) => e.path)).toEqual(['areas.refund.confidence_threshold', 'areas.legal.ai_action']);
  });

  it('policy parse — refund limits without default are refused', () => {
    const r = checkPolicy(edited([[['refund_limits', 'by_tier', 'default'], undefined]]), 'p.yaml');
    expect(r.errors.map((e) => e.path)).toEqual(['refund_limits.by_tier']);
    expect(r.errors[0]?.message).toMatch(/default/);
  });

  it('policy parse — sampling rates outside [0,1] and a positive sentiment threshold are refused', () => {
    const r = checkPolicy(
      edited([
        [['sampling', 'by_route', 'auto_resolved'], 1.2],
        [['escalation', 'negative_sentiment_threshold'], 0.4],
      ]),
      'p.yaml',
    );
    // Schema and semantic problems come out of one pass.
    expect(r.errors.map((e) => e.path).sort()).toEqual(['escalation.negative_sentiment_threshold', 'sampling.by_route.auto_resolved']);
    const r2 = checkPolicy(edited([[['escalation', 'negative_sentiment_threshold'], 0.4]]), 'p.yaml');
    expect(r2.errors.map((e) => e.path)).toEqual(['escalation.negative_sentiment_threshold']);
  });

  it('policy parse — AI acting on a threshold below 0.5 is refused', () => {
    const r = checkPolicy(edited([[['areas', 'faq_status', 'confidence_threshold'], 0.2]]), 'p.yaml');
    expect(r.errors.map((e) => e.path)).toEqual(['areas.faq_status.confidence_threshold']);
  });

  it('policy parse — the same intent in two areas is refused', () => {
    const r = checkPolicy(edited([[['areas', 'complaint', 'examples', 'order_status'], ['where is it', 'still waiting']]]), 'p.yaml');
    expect(r.errors.map((e) => e.message)).toEqual(['intent order_status is already an example of faq_status']);
  });
});

describe('policy human-only areas', () => {
  it('policy human-only — letting AI resolve privacy without an override is refused with the reason', () => {
    const text = edited([[['areas', 'privacy', 'ai_action'], 'resolve']]);
    const r = checkPolicy(text, 'weak.yaml');
    expect(r.pack).toBeUndefined();
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.path).toBe('areas.privacy.ai_action');
    expect(r.errors[0]?.message).toMatch(/human-only area privacy/);
    expect(r.errors[0]?.line).toBe(lineOf(text, 'ai_action: resolve', lineOf(text, '  privacy:')));
  });

  it('policy human-only — safety and legal drafts are refused too; assist is allowed', () => {
    const r = checkPolicy(
      edited([
        [['areas', 'safety', 'ai_action'], 'draft'],
        [['areas', 'legal', 'ai_action'], 'resolve'],
      ]),
      'p.yaml',
    );
    expect(r.errors.map((e) => e.path).sort()).toEqual(['areas.legal.ai_action', 'areas.safety.ai_action']);
    expect(checkPolicy(edited([[['areas', 'legal', 'ai_action'], 'assist']]), 'p.yaml').errors).toEqual([]);
  });

  it('policy human-only — an explicit override lets it through and is surfaced as an audit warning', () => {
    const text = edited([
      [['areas', 'privacy', 'ai_action'], 'draft'],
      [['overrides'], [{ area: 'privacy', ai_action: 'draft', justification: 'Pilot: AI drafts access-request acknowledgements only', approved_by: 'dpo@northwind', ticket: 'LEGAL-42' }]],
    ]);
    const r = checkPolicy(text, 'ov.yaml');
    expect(r.errors).toEqual([]);
    expect(r.pack?.areas.privacy.ai_action).toBe('draft');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]?.message).toMatch(/OVERRIDE.*privacy.*dpo@northwind.*LEGAL-42/);
  });

  it('policy human-only — an override for draft does not cover resolve', () => {
    const text = edited([
      [['areas', 'privacy', 'ai_action'], 'resolve'],
      [['overrides'], [{ area: 'privacy', ai_action: 'draft', justification: 'Pilot: AI drafts access-request acknowledgements only', approved_by: 'dpo', ticket: 'LEGAL-42' }]],
    ]);
    expect(checkPolicy(text, 'p.yaml').errors.map((e) => e.path)).toEqual(['areas.privacy.ai_action']);
  });

  it('policy human-only — an override with a one-word justification is refused', () => {
    const text = edited([
      [['areas', 'privacy', 'ai_action'], 'draft'],
      [['overrides'], [{ area: 'privacy', ai_action: 'draft', justification: 'because', approved_by: 'dpo', ticket: 'T-1' }]],
    ]);
    const r = checkPolicy(text, 'p.yaml');
    expect(r.errors.map((e) => e.path)).toEqual(['overrides[0].justification']);
  });
});
