import { describe, expect, it } from 'vitest';
import { mulberry32 } from './logreg.js';
import { fitTypicality } from './typicality.js';

/** Unit vectors around `centre` with Gaussian noise of `spread`, from a seeded generator. */
function cloud(rand: () => number, centre: readonly number[], n: number, spread: number): Float64Array[] {
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
  return Array.from({ length: n }, () => {
    const v = Float64Array.from(centre, (c) => c + spread * gauss());
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  });
}

describe('typicality — relative Mahalanobis, split-conformal', () => {
  const d = 12;
  const rand = mulberry32(3);
  const axis = (i: number, w = 1): number[] => Array.from({ length: d }, (_, j) => (j === i ? w : 0.3));
  // Three taught intents; the fourth lies between them (close in cosine to their examples), never taught.
  const taught = [0, 1, 2].map((i) => cloud(rand, axis(i), 120, 0.08));
  const fitRows = taught.flatMap((c) => c.slice(0, 90));
  const fitClasses = taught.flatMap((c, k) => c.slice(0, 90).map(() => k));
  const calibration = taught.flatMap((c) => c.slice(90, 110));
  const heldIn = taught.flatMap((c) => c.slice(110));
  const novel = cloud(rand, axis(3, 0.6), 30, 0.08);
  const model = fitTypicality(fitRows, fitClasses, calibration);

  it('typicality — held-out messages of taught intents spread over [0, 1]; an intent never taught sits at the bottom', () => {
    const inScope = heldIn.map((v) => model.typicality(v));
    const out = novel.map((v) => model.typicality(v));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(inScope)).toBeGreaterThan(0.3);
    expect(inScope.filter((t) => t < 0.05).length).toBeLessThanOrEqual(3);
    expect(out.filter((t) => t < 0.05).length).toBeGreaterThanOrEqual(27);
    for (const t of [...inScope, ...out]) {
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThanOrEqual(1);
    }
  });

  it('typicality — the distance orders like the typicality; a wrong dimension is refused; no calibration means no opinion', () => {
    const [a, b] = [heldIn[0] as Float64Array, novel[0] as Float64Array];
    expect(model.distance(a)).toBeLessThan(model.distance(b));
    expect(() => model.distance(new Float64Array(d + 1))).toThrow(/dimensions/);
    expect(fitTypicality(fitRows, fitClasses, []).typicality(b)).toBe(1);
  });
});
