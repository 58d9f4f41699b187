import { describe, expect, it } from 'vitest';
import type { DetailedClassification, SemanticJudgement } from '@handrail/classifier';
import { AREA, type AreaName } from '@handrail/events';
import { chooseHybrid, scoreSetting, type HybridRecord } from './hybrid.js';
import type { GoldArea } from './labelmap.js';

// Worked example for the gate and threshold selection: records are built by hand, so the expected
// choice can be worked out on paper.
function lex(area: AreaName, confidence: number): DetailedClassification {
  return {
    area: AREA.value(area),
    intent: `${area}_i`,
    confidence,
    sentiment: 0,
    entities: [],
    riskFlags: [],
    outOfScope: false,
    modelVersion: 'hr-test',
    models: [],
    opinions: [],
    modelDoubts: [],
    intentConfidence: confidence,
    nearestSimilarity: 0.5,
    unknownShare: 0,
    modelArea: area,
    alternatives: [],
  };
}
function sem(area: AreaName, confidence: number, nearestSimilarity: number, typicality = 1): SemanticJudgement {
  return { area, intent: `${area}_i`, confidence, intentConfidence: confidence, areaProbability: new Map([[area, confidence]]), nearestSimilarity, meanTopSimilarity: nearestSimilarity, typicality, outOfScope: false };
}
function record(slice: HybridRecord['slice'], gold: GoldArea, predicted: AreaName, confidence: number, nearest: number, i: number, typicality = 1): HybridRecord {
  return {
    gold: { text: `${slice}-${i}`, label: `${gold}_i`, area: gold },
    slice,
    trained: slice === 'in_scope',
    lex: lex(predicted, confidence),
    sem: sem(predicted, confidence, nearest, typicality),
    autoAtZeroByArea: new Map([[predicted, predicted === 'faq_status' || predicted === 'routine']]),
  };
}
const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

// 20 in-scope FAQ messages close to the training data, 10 other-data-set messages far from it,
// 10 left-out-intent messages in between; all confidently "faq_status".
const records: HybridRecord[] = [
  ...times(20, (i) => record('in_scope', 'faq_status', 'faq_status', 0.9, 0.8, i)),
  ...times(10, (i) => record('synthetic', 'out_of_scope', 'faq_status', 0.9, 0.35, i)),
  ...times(10, (i) => record('left_out', 'out_of_scope', 'faq_status', 0.9, 0.55, i)),
];
const grid = { gate: [0.3, 0.4, 0.5, 0.6, 0.7, 0.9], ramp: [0], semanticWeight: [0.5], disagreementConfidence: [0], intentWeight: [0], typicalityGate: [0], pooling: ['linear' as const] };

describe('hybrid calibration — gate and thresholds from out-of-fold records', () => {
  it('hybrid calibration — the lowest gate that flags both out-of-scope slices, keeping every in-scope message', () => {
    const c = chooseHybrid(records, { grid });
    // 0.3 flags nothing, 0.4 and 0.5 only the far slice; 0.6 flags both and keeps all in scope (0.8 > 0.6).
    expect(c.setting.gate).toBe(0.6);
    expect(c.crossValidation.coverage).toBe(1);
    expect(c.syntheticFlagged).toBe(1);
    expect(c.leftOutFlagged).toBe(1);
    // 0.6, 0.7 and 0.9 flag both slices; 0.9 also flags every in-scope message (coverage 0), so 0.6 wins.
    expect(c.feasible).toBe(3);
  });

  it('hybrid calibration — without a near-out-of-scope requirement the far slice alone sets the gate', () => {
    const c = chooseHybrid(records, { grid, minLeftOutFlagged: 0 });
    expect(c.setting.gate).toBe(0.4);
    expect(c.leftOutFlagged).toBe(0);
  });

  it('hybrid calibration — in-scope mistakes raise the area threshold above their confidence (unsafe budget 0)', () => {
    const withMistakes = [...records, ...times(5, (i) => record('in_scope', 'refund', 'faq_status', 0.85, 0.8, 100 + i))];
    const s = scoreSetting(withMistakes, { gate: 0.6, ramp: 0, semanticWeight: 0.5, disagreementConfidence: 0, intentWeight: 0, typicalityGate: 0 }, { maxUnsafe: 0 });
    expect(s.areaThresholds['faq_status']).toBeGreaterThan(0.85);
    expect(s.crossValidation.unsafe_automation).toBe(0);
    expect(s.crossValidation.coverage).toBe(1);
  });

  it('hybrid calibration — left-out intents as close as the in-scope messages: only the typicality gate flags them', () => {
    // In-scope typicality spreads over (0, 1]; the left-out messages are as near in cosine but atypical.
    const near = [
      ...times(20, (i) => record('in_scope', 'faq_status', 'faq_status', 0.9, 0.8, i, (i + 1) / 20)),
      ...times(10, (i) => record('synthetic', 'out_of_scope', 'faq_status', 0.9, 0.35, i)),
      ...times(10, (i) => record('left_out', 'out_of_scope', 'faq_status', 0.9, 0.8, i, 0.01)),
    ];
    // Without it, flagging them takes a similarity gate above every in-scope message too (coverage 0).
    const without = chooseHybrid(near, { grid });
    expect(without.setting.gate).toBe(0.9);
    expect(without.crossValidation.coverage).toBe(0);
    const withGate = chooseHybrid(near, { grid: { ...grid, typicalityGate: [0, 0.04, 0.5] } });
    // 0.04 flags every left-out message and no in-scope one (their lowest typicality is 0.05); 0.5 costs half the coverage.
    expect(withGate.setting.typicalityGate).toBe(0.04);
    expect(withGate.leftOutFlagged).toBe(1);
    expect(withGate.crossValidation.coverage).toBe(1);
  });

  it('hybrid calibration — no feasible setting: the one flagging the most out-of-scope text is returned', () => {
    const c = chooseHybrid(records, { grid: { ...grid, gate: [0.3, 0.4] } });
    expect(c.feasible).toBe(0);
    expect(c.setting.gate).toBe(0.4);
  });
});
