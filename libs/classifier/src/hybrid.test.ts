import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '@handrail/policy';
import { AREA } from '@handrail/events';
import { combineOpinions, DEFAULT_HYBRID, trainPackModels } from './hybrid.js';
import { classifierBlockOf, modelOptionsFromPolicy } from './training.js';
import { trainClassifier } from './model.js';
import type { SemanticJudgement } from './semantic.js';
import { FIXTURE_EXAMPLES } from './testing/fixture.js';

const lexical = trainClassifier(FIXTURE_EXAMPLES);
const versions = { lexical: lexical.version, encoder: 'use-lite@0.2.0', head: 'sem-abc' };
function sem(area: SemanticJudgement['area'], confidence: number, nearestSimilarity: number, gate = 0.4): SemanticJudgement {
  return { area, intent: `${area}_intent`, confidence, intentConfidence: confidence, areaProbability: new Map([[area, confidence]]), nearestSimilarity, meanTopSimilarity: nearestSimilarity, typicality: 0.5, outOfScope: nearestSimilarity < gate };
}

/** The lexical model's probability share for a non-top area (as `combineOpinions` reads it). */
function shareOf(lex: ReturnType<typeof lexical.classify>, area: string): number {
  const rest = lex.alternatives.filter((a) => a.area !== lex.modelArea);
  const total = rest.reduce((t, a) => t + a.probability, 0);
  return total <= 0 ? 0 : rest.filter((a) => a.area === area).reduce((t, a) => t + a.probability, 0) / total;
}

describe('hybrid — lexical + semantic combined', () => {
  it('hybrid — agreement: no doubt, the confidence blends both, every model version is cited', () => {
    const lex = lexical.classify('where is my order');
    expect(lex.modelArea).toBe('faq_status');
    const c = combineOpinions(lex, sem('faq_status', 0.9, 0.8), 0.4, versions, { semanticWeight: 0.5, ramp: 0, disagreementConfidence: 0, intentWeight: 0, typicalityGate: 0 });
    expect(c.modelDoubts).toEqual([]);
    expect(c.area).toBe(AREA.value('faq_status'));
    expect(c.confidence).toBeCloseTo(0.5 * 0.9 + 0.5 * lex.confidence, 6);
    expect(c.models.map((m) => `${m.role}=${m.version}`)).toEqual([`lexical=${lexical.version}`, 'encoder=use-lite@0.2.0', 'head=sem-abc']);
    expect(c.modelVersion).toBe(`${lexical.version}+sem-abc`);
    expect(c.opinions.map((o) => o.role)).toEqual(['lexical', 'semantic']);
  });

  it('hybrid — disagreement on the area, both sure: a `model_disagreement` doubt with both opinions as evidence', () => {
    const lex = lexical.classify('where is my order');
    const c = combineOpinions(lex, sem('routine', 0.9, 0.8), 0.4, versions, { semanticWeight: 0.5, ramp: 0, disagreementConfidence: 0.5, intentWeight: 0, typicalityGate: 0 });
    expect(c.modelDoubts.map((d) => d.code)).toEqual(['model_disagreement']);
    expect(c.modelDoubts[0]?.evidence.join(' ')).toMatch(/lexical=faq_status.*semantic=routine/);
  });

  it('hybrid — disagreement where one model is unsure is left to the confidence (no doubt, lower confidence)', () => {
    const lex = lexical.classify('where is my order');
    const agree = combineOpinions(lex, sem('faq_status', 0.9, 0.8), 0.4, versions, { semanticWeight: 0.5, ramp: 0, disagreementConfidence: 0.95, intentWeight: 0, typicalityGate: 0 });
    const c = combineOpinions(lex, sem('routine', 0.9, 0.8), 0.4, versions, { semanticWeight: 0.5, ramp: 0, disagreementConfidence: 0.95, intentWeight: 0, typicalityGate: 0 });
    expect(c.modelDoubts).toEqual([]);
    expect(c.confidence).toBeLessThan(agree.confidence);
  });

  it('hybrid — far from every example: `out_of_scope` doubt, and the confidence cannot exceed the similarity', () => {
    const lex = lexical.classify('where is my order');
    const c = combineOpinions(lex, sem('faq_status', 0.99, 0.2), 0.4, versions);
    expect(c.outOfScope).toBe(true);
    expect(c.modelDoubts.map((d) => d.code)).toContain('out_of_scope');
    expect(c.confidence).toBeLessThanOrEqual(0.2);
  });

  it('hybrid — just inside the gate the ramp scales the confidence down', () => {
    const lex = lexical.classify('where is my order');
    const o = { semanticWeight: 0.5, ramp: 0.1, disagreementConfidence: 0, intentWeight: 0, typicalityGate: 0 };
    const near = combineOpinions(lex, sem('faq_status', 0.9, 0.45), 0.4, versions, o);
    const far = combineOpinions(lex, sem('faq_status', 0.9, 0.8), 0.4, versions, o);
    expect(near.confidence).toBeCloseTo(far.confidence * 0.5, 6);
  });

  it('hybrid — a message atypical of the trained intents goes to a person under the typicality gate, with its own rule', () => {
    const lex = lexical.classify('where is my order');
    const o = { ...DEFAULT_HYBRID, typicalityGate: 0.05 };
    const atypical = { ...sem('faq_status', 0.95, 0.8), typicality: 0.01 };
    const c = combineOpinions(lex, atypical, 0.4, versions, o);
    expect(c.outOfScope).toBe(true);
    const doubt = c.modelDoubts.find((d) => d.code === 'out_of_scope');
    expect(doubt?.rule).toBe('classifier.typicality_gate');
    expect(doubt?.detail).toMatch(/typicality 0\.010 < gate 0\.050/);
    expect(c.confidence).toBeLessThanOrEqual(0.01);
    // Typical enough, or the gate off: no doubt, full confidence.
    expect(combineOpinions(lex, { ...atypical, typicality: 0.2 }, 0.4, versions, o).outOfScope).toBe(false);
    const off = combineOpinions(lex, atypical, 0.4, versions, { ...o, typicalityGate: 0 });
    expect(off.outOfScope).toBe(false);
    expect(off.modelDoubts.map((d) => d.code)).not.toContain('out_of_scope');
  });

  it('hybrid — the log pool: agreement counts (above the weighted mean, below 1), disagreement costs more than under the linear pool', () => {
    const lex = lexical.classify('where is my order');
    expect(lex.modelArea).toBe('faq_status');
    const o = { semanticWeight: 0.5, ramp: 0, disagreementConfidence: 2, intentWeight: 0, typicalityGate: 0 };
    const two = (area: SemanticJudgement['area'], p: number, other: SemanticJudgement['area']): SemanticJudgement => ({ ...sem(area, p, 0.8), areaProbability: new Map([[area, p], [other, 1 - p]]) });
    const linear = combineOpinions(lex, two('faq_status', 0.9, 'routine'), 0.4, versions, { ...o, pooling: 'linear' });
    const log = combineOpinions(lex, two('faq_status', 0.9, 'routine'), 0.4, versions, { ...o, pooling: 'log' });
    expect(log.area).toBe(AREA.value('faq_status'));
    expect(log.confidence).toBeGreaterThan(linear.confidence);
    expect(log.confidence).toBeLessThan(1);
    // By hand: both models' probabilities smoothed, the weighted geometric mean renormalised over the areas either names.
    const areas = new Set<string>([lex.modelArea, 'faq_status', 'routine']);
    const lexP = (a: string): number => (a === lex.modelArea ? lex.confidence : (1 - lex.confidence) * shareOf(lex, a));
    const semP = (a: string): number => (a === 'faq_status' ? 0.9 : a === 'routine' ? 0.1 : 0);
    const s = (p: number): number => 0.99 * p + 0.01 / areas.size;
    const score = (a: string): number => Math.sqrt(s(lexP(a)) * s(semP(a)));
    expect(log.confidence).toBeCloseTo(score('faq_status') / [...areas].reduce((t, a) => t + score(a), 0), 9);
    const disLinear = combineOpinions(lex, two('routine', 0.9, 'faq_status'), 0.4, versions, { ...o, pooling: 'linear' });
    const disLog = combineOpinions(lex, two('routine', 0.9, 'faq_status'), 0.4, versions, { ...o, pooling: 'log' });
    expect(disLog.area).toBe(AREA.value('routine'));
    expect(disLog.confidence).toBeLessThan(disLinear.confidence);
  });

  it('hybrid — a risk detector still decides the area, whatever the semantic model says', () => {
    const lex = lexical.classify('someone stole my card and is using it');
    expect(lex.riskFlags.length).toBeGreaterThan(0);
    const c = combineOpinions(lex, sem('faq_status', 0.99, 0.9), 0.4, versions);
    expect(c.area).toBe(AREA.value('safety'));
    expect(c.modelDoubts.map((d) => d.code)).not.toContain('model_disagreement');
  });
});

describe('hybrid — the pack decides with the CV-chosen setting (issue 12)', () => {
  // A deterministic stand-in encoder: the test is about which options reach the models, not about meaning.
  const encoder = {
    version: 'test-encoder@1',
    embed: async (texts: readonly string[]) =>
      texts.map((t) => {
        const v = new Float32Array(16);
        for (let i = 0; i < t.length; i++) {
          const k = (t.charCodeAt(i) * 7 + i) % 16;
          v[k] = (v[k] ?? 0) + 1;
        }
        return v;
      }),
  };
  const pack = parsePolicy(readFileSync(fileURLToPath(new URL('../../demo/policy/demo-pack.yaml', import.meta.url)), 'utf8'), 'demo');

  it('hybrid — `classifier:` in the pack sets the gate and the combination; without it the defaults; the model version tells them apart', async () => {
    const plain = await trainPackModels(pack, encoder);
    const tuned = await trainPackModels({ ...pack, classifier: { semantic_gate: 0.97, ramp: 0.2, semantic_weight: 0.9, disagreement_confidence: 2, intent_weight: 0.3, typicality_gate: 0.05, pooling: 'log' } }, encoder);
    expect(tuned.semantic?.hybrid.semantic.gate).toBe(0.97);
    expect(tuned.semantic?.hybrid.options).toEqual({ ramp: 0.2, semanticWeight: 0.9, disagreementConfidence: 2, intentWeight: 0.3, typicalityGate: 0.05, pooling: 'log' });
    expect(plain.semantic?.hybrid.options).toEqual(DEFAULT_HYBRID);
    expect(plain.semantic?.hybrid.semantic.gate).not.toBe(0.97);
    expect(tuned.semantic?.hybrid.versions.head).not.toBe(plain.semantic?.hybrid.versions.head);
    // The typicality model is fitted only where a gate reads it: without one a judgement says 1 (no opinion).
    expect(modelOptionsFromPolicy(pack).semantic).toEqual({});
    const v = (await encoder.embed(['where is my parcel']))[0] as Float32Array;
    expect(plain.semantic?.hybrid.semantic.judge(v).typicality).toBe(1);
    expect(tuned.semantic?.hybrid.semantic.judge(v).typicality).toBeLessThan(1);
    // What `make eval` prints round-trips into the same options.
    expect(modelOptionsFromPolicy({ ...pack, classifier: classifierBlockOf({ gate: 0.6, ramp: 0.1, semanticWeight: 0.75, disagreementConfidence: 0.6, intentWeight: 0, typicalityGate: 0.1, pooling: 'log' }) })).toEqual({
      semantic: { gate: 0.6, typicality: true },
      hybrid: { ramp: 0.1, semanticWeight: 0.75, disagreementConfidence: 0.6, intentWeight: 0, typicalityGate: 0.1, pooling: 'log' },
    });
  });

  it('hybrid — a bad `classifier:` value is refused naming the field', () => {
    const yaml = readFileSync(fileURLToPath(new URL('../../demo/policy/demo-pack.yaml', import.meta.url)), 'utf8');
    expect(() => parsePolicy(`${yaml}\nclassifier:\n  semantic_gate: 1.5\n`, 'bad.yaml')).toThrow(/classifier\.semantic_gate/);
    expect(() => parsePolicy(`${yaml}\nclassifier:\n  gate: 0.5\n`, 'bad.yaml')).toThrow(/classifier/);
  });
});
