import { describe, expect, it } from 'vitest';
import { mulberry32 } from './logreg.js';
import { trainSemantic } from './semantic.js';
import type { TrainingExample } from './types.js';

// Worked example: three intents whose vectors sit around three orthogonal directions in 8 dimensions
// (the encoder is not needed to check the head, the vote and the gate).
const DIMS = 8;
function around(axis: number, jitter: number, seed: number): Float32Array {
  const v = new Float32Array(DIMS);
  v[axis] = 1;
  // Deterministic noise on the other axes.
  const rand = mulberry32(seed);
  for (let i = 0; i < DIMS; i++) if (i !== axis) v[i] = jitter * (2 * rand() - 1);
  return v;
}
const INTENTS: Array<{ intent: string; area: TrainingExample['area']; axis: number }> = [
  { intent: 'track_order', area: 'faq_status', axis: 0 },
  { intent: 'change_address', area: 'routine', axis: 1 },
  { intent: 'refund_request', area: 'refund', axis: 2 },
];
const examples: TrainingExample[] = [];
const vectors: Float32Array[] = [];
for (const { intent, area, axis } of INTENTS) {
  for (let k = 0; k < 12; k++) {
    examples.push({ text: `${intent} ${k}`, intent, area });
    vectors.push(around(axis, 0.3, k + axis * 13));
  }
}

describe('semantic model (head + nearest-neighbour vote + gate)', () => {
  const model = trainSemantic(examples, vectors, 'enc@1');

  it('semantic — a vector near an intent cluster gets its area and intent, confidently', () => {
    const j = model.judge(around(1, 0.1, 99));
    expect(j.area).toBe('routine');
    expect(j.intent).toBe('change_address');
    expect(j.confidence).toBeGreaterThan(0.8);
    expect(j.nearestSimilarity).toBeGreaterThan(0.95);
    expect(j.outOfScope).toBe(false);
  });

  it('semantic — a vector far from every example falls under the gate (out of scope)', () => {
    const far = new Float32Array(DIMS);
    far[6] = 1;
    far[7] = 1;
    const j = model.judge(far);
    expect(j.nearestSimilarity).toBeLessThan(model.gate);
    expect(j.outOfScope).toBe(true);
  });

  it('semantic — typicality: a training-like vector is typical, one between the intents is not; off by default', () => {
    expect(model.judge(around(1, 0.2, 700)).typicality).toBe(1);
    const typical = trainSemantic(examples, vectors, 'enc@1', { typicality: true });
    const like = typical.judge(around(1, 0.2, 700));
    expect(like.typicality).toBeGreaterThan(0.05);
    // Between two taught intents, off the directions along which either varies.
    const between = new Float32Array(DIMS);
    between[0] = 1;
    between[1] = 0.6;
    const j = typical.judge(between);
    expect(j.typicality).toBeLessThan(0.05);
    expect(j.typicality).toBeLessThan(like.typicality);
  });

  it('semantic — the gate comes from held-out in-scope similarity: every training-like vector clears it', () => {
    expect(model.gate).toBeGreaterThan(0.5);
    for (const { axis } of INTENTS) expect(model.judge(around(axis, 0.2, 500 + axis)).outOfScope).toBe(false);
  });

  it('semantic — an explicit gate overrides the calibrated one; withGate changes only the gate', () => {
    const strict = trainSemantic(examples, vectors, 'enc@1', { gate: 0.999 });
    expect(strict.gate).toBe(0.999);
    expect(strict.judge(around(0, 0.1, 3)).outOfScope).toBe(true);
    const loose = model.withGate(0);
    expect(loose.judge(around(0, 0.1, 3)).area).toBe(model.judge(around(0, 0.1, 3)).area);
    expect(loose.version).toBe(model.version);
  });

  it('semantic — the version names the encoder and the training rows', () => {
    expect(model.version).toMatch(/^sem-[0-9a-f]{12}$/);
    expect(trainSemantic(examples, vectors, 'enc@2').version).not.toBe(model.version);
    expect(trainSemantic(examples.slice(1), vectors.slice(1), 'enc@1').version).not.toBe(model.version);
  });

  it('semantic — a vector count that does not match the examples is refused', () => {
    expect(() => trainSemantic(examples, vectors.slice(1), 'enc@1')).toThrow(/vectors for/);
  });
});
