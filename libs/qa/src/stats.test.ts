import { describe, expect, it } from 'vitest';
import { bootstrapInterval, effectiveSampleSize, fleissKappa, horvitzThompsonTotal, krippendorffAlphaNominal, stratifiedRate, weightedRate, wilson, zFor } from './stats.js';

describe('qa statistics — worked examples computed by hand', () => {
  it('stats — z for 95% two-sided is 1.95996, one-sided 1.64485', () => {
    expect(zFor(0.95)).toBeCloseTo(1.959964, 5);
    expect(zFor(0.95, 'one')).toBeCloseTo(1.644854, 5);
  });

  it('stats — Wilson interval of 8/20 at 95% is [0.2188, 0.6134]', () => {
    // By hand: p = 0.4, z² = 3.841459, 1 + z²/n = 1.192073; centre = (0.4 + 0.096036)/1.192073 = 0.416113;
    // half = 1.959964·√(0.012 + 0.0024009)/1.192073 = 0.197308 → [0.21881, 0.61342].
    const w = wilson(8, 20);
    expect(w.rate).toBe(0.4);
    expect(w.lower).toBeCloseTo(0.21881, 4);
    expect(w.upper).toBeCloseTo(0.61342, 4);
    // 0 of 10: the lower bound is 0 and the upper z²/(n+z²) = 3.8415/13.8415 = 0.27753.
    expect(wilson(0, 10).lower).toBeCloseTo(0, 12);
    expect(wilson(0, 10).upper).toBeCloseTo(0.27753, 4);
    expect(wilson(0, 0)).toEqual({ rate: 0, lower: 0, upper: 1 });
  });

  it('stats — Horvitz–Thompson total, its Poisson-sampling variance and the Hájek rate', () => {
    // Units (y, π): (1, 0.5), (0, 0.25), (1, 1). Total = 1/0.5 + 0 + 1/1 = 3.
    // Variance = (1−0.5)·1/0.25 + 0 + 0 = 2. Weights 2, 4, 1: Σw = 7, Σw² = 21 → n_eff = 49/21 = 2.333.
    const s = [{ y: 1, pi: 0.5 }, { y: 0, pi: 0.25 }, { y: 1, pi: 1 }];
    expect(horvitzThompsonTotal(s)).toEqual({ total: 3, variance: 2 });
    expect(effectiveSampleSize(s)).toBeCloseTo(2.3333, 4);
    expect(weightedRate(s).rate).toBeCloseTo(3 / 7, 10);
    // With the population size known (10 decisions), the HT rate is 3/10.
    expect(weightedRate(s, { populationSize: 10 }).rate).toBeCloseTo(0.3, 10);
    expect(() => horvitzThompsonTotal([{ y: 1, pi: 0 }])).toThrow(/inclusion probability/);
  });

  it('stats — an unweighted sample gives the plain Wilson interval', () => {
    const s = [...Array.from({ length: 8 }, () => ({ y: 1, pi: 0.2 })), ...Array.from({ length: 12 }, () => ({ y: 0, pi: 0.2 }))];
    const r = weightedRate(s);
    expect(r.effectiveN).toBeCloseTo(20, 10);
    expect(r.lower).toBeCloseTo(0.21881, 4);
  });

  it('stats — stratified rate and variance', () => {
    // A: N=100, sample 1,0,0,0 (p=.25, s²=.25); B: N=300, sample 1,1,1,1,0,0,0,0 (p=.5, s² = 8·0.25/7 = 2/7).
    // W = .25, .75 → p̂ = .0625 + .375 = .4375.
    // Var = .0625·(1−.04)·.25/4 + .5625·(1−8/300)·(2/7)/8 = .00375 + .0195536 = .0233036.
    const r = stratifiedRate([
      { populationSize: 100, values: [1, 0, 0, 0] },
      { populationSize: 300, values: [1, 1, 1, 1, 0, 0, 0, 0] },
    ]);
    expect(r.rate).toBeCloseTo(0.4375, 10);
    expect(r.variance).toBeCloseTo(0.0233036, 6);
    expect(r.lower).toBeCloseTo(0.4375 - 1.959964 * Math.sqrt(0.0233036), 5);
    expect(r.unsampledShare).toBe(0);
    // An unsampled stratum is reported, not silently counted as zero defects.
    expect(stratifiedRate([{ populationSize: 100, values: [1, 0] }, { populationSize: 100, values: [] }]).unsampledShare).toBeCloseTo(0.5, 10);
  });

  it("stats — Fleiss' kappa of the classic 10 × 14 × 5 example is 0.210", () => {
    // Fleiss (1971) as tabulated on Wikipedia: P̄ = 0.378, P̄e = 0.2128 → κ = (0.378 − 0.2128)/(1 − 0.2128) = 0.2099.
    const counts = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    expect(fleissKappa(counts)).toBeCloseTo(0.2099, 3);
    // Perfect agreement on varied categories is 1; everyone always using one category is undefined.
    expect(fleissKappa([[3, 0], [0, 3], [3, 0]])).toBeCloseTo(1, 10);
    expect(fleissKappa([[3, 0], [3, 0]])).toBeNull();
  });

  it("stats — Krippendorff's alpha (nominal) of Krippendorff's 4-coder, 12-unit example with missing data is 0.743", () => {
    // Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: nominal α = 0.743.
    // Unit 12 has a single value and is not pairable.
    const units = [
      [1, 1, 1],
      [2, 2, 3, 2],
      [3, 3, 3, 3],
      [3, 3, 3, 3],
      [2, 2, 2, 2],
      [1, 2, 3, 4],
      [4, 4, 4, 4],
      [1, 1, 2, 1],
      [2, 2, 2, 2],
      [5, 5, 5],
      [1, 1],
      [3],
    ];
    expect(krippendorffAlphaNominal(units)).toBeCloseTo(0.743, 3);
    expect(krippendorffAlphaNominal([[true, true], [true, true]])).toBeNull();
  });

  it('stats — bootstrap intervals are reproducible and contain the estimate', () => {
    const units = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const a = bootstrapInterval(units, mean, { seed: 1 });
    const b = bootstrapInterval(units, mean, { seed: 1 });
    expect(a).toEqual(b);
    expect(a!.lower).toBeLessThan(0.25);
    expect(a!.upper).toBeGreaterThan(0.25);
    expect(bootstrapInterval([1], mean)).toBeNull();
  });
});
