import { describe, expect, it } from 'vitest';
import { loadPolicyFile, type PolicyPack } from '@handrail/policy';
import { demoPaths } from '@handrail/demo';
import { trainClassifier, type Classification } from '@handrail/classifier';
import { AREA, type AreaName } from '@handrail/events';
import { FIXTURE_EXAMPLES } from '@handrail/classifier/testing';
import { decide, routeAll, withThreshold } from './routing.js';
import { evaluate } from './evaluate.js';
import { standardCandidates } from './candidates.js';
import type { GoldMessage } from './loaders.js';

const policy: PolicyPack = await loadPolicyFile(demoPaths.policy);

function cls({ area = 'faq_status', ...over }: Partial<Omit<Classification, 'area'>> & { area?: AreaName }): Classification {
  return { area: AREA.value(area), intent: 'track_order', confidence: 0.9, sentiment: 0, entities: [], riskFlags: [], outOfScope: false, modelVersion: 't', models: [], opinions: [], modelDoubts: [], ...over };
}

describe('routing — the escalation service decision code', () => {
  it('a confident FAQ is auto-resolved; below the threshold it is escalated as low confidence', () => {
    expect(decide('where is my order', cls({}), policy).route).toBe('auto_resolved');
    const low = decide('where is my order', cls({ confidence: 0.5 }), withThreshold(policy, 0.6));
    expect(low.route).toBe('escalated');
    expect(low.reasons.map((r) => r.code)).toContain('low_confidence');
  });
  it('withThreshold replaces every area threshold and leaves the pack otherwise alone', () => {
    const p = withThreshold(policy, 0.42);
    for (const a of Object.values(p.areas)) expect(a?.confidence_threshold).toBe(0.42);
    expect(p.escalation).toBe(policy.escalation);
    expect(policy.areas.faq_status?.confidence_threshold).not.toBe(0.42);
  });
  it('the zero-threshold shortcut used by sweeps agrees with re-running the decision at each threshold', () => {
    const gold: GoldMessage = { text: 'where is my order', label: 'track_order', area: 'faq_status' };
    const cases = [0.2, 0.55, 0.8, 0.97].map((confidence) => ({ gold, classification: cls({ confidence }) }));
    const routed = routeAll(cases, withThreshold(policy, 0), new Set(['track_order']));
    for (const t of [0, 0.3, 0.6, 0.9, 1]) {
      const real = cases.map((c) => decide(c.gold.text, c.classification, withThreshold(policy, t)).route === 'auto_resolved');
      expect(routed.map((r) => r.autoAtZero && r.confidence >= t)).toEqual(real);
    }
  });
  it('a risk flag sends the message to a human whatever the confidence', () => {
    expect(decide('my card was stolen', cls({ riskFlags: ['safety:lost_or_stolen'], area: 'safety', confidence: 0.99 }), policy).route).toBe('escalated');
  });
});

describe('evaluate — end to end on the fixture', () => {
  const gold = (text: string, label: string, area: GoldMessage['area']): GoldMessage => ({ text, label, area });
  const train: GoldMessage[] = FIXTURE_EXAMPLES.map((e) => gold(e.text, e.intent, e.area));
  const test: GoldMessage[] = [
    gold('where is my package right now', 'track_order', 'faq_status'),
    gold('I forgot the password for my login', 'reset_password', 'routine'),
    gold('someone stole my wallet and card', 'card_stolen', 'safety'),
    gold('please cancel my subscription today', 'close_account', 'cancellation'),
    gold('what is the capital of peru', 'trivia', 'off_domain'),
  ];
  it('auto-single: one threshold is chosen on the training data and the report has every metric', () => {
    const r = evaluate({ train, test, policy, trainFn: (e) => trainClassifier(e), threshold: 'auto-single', autoOptions: { folds: 3 }, withSweep: true });
    expect(r.threshold).toBeGreaterThanOrEqual(0);
    expect(r.auto?.folds).toBe(3);
    expect(r.metrics.n).toBe(5);
    expect(r.metrics.critical_automation).toBe(0);
    expect(r.metrics.oos_flagged).toBe(1);
    expect(r.sweep).toHaveLength(21);
    expect(r.modelVersion).toMatch(/^hr-/);
  });
  it('auto: cross-validation on the training data picks the training variant and per-area thresholds', () => {
    const seen: string[] = [];
    // A variant that can never be confident must lose: the selection looks at held-out coverage.
    const never = { name: 'never', trainFn: (e: Parameters<typeof trainClassifier>[0]) => {
      const c = trainClassifier(e);
      return { classify: (t: string) => ({ ...c.classify(t), confidence: 0 }) };
    } };
    const r = evaluate({ train, test, policy, trainFn: (e) => trainClassifier(e), candidates: [never, ...standardCandidates(policy)], threshold: 'auto', autoOptions: { folds: 3 }, onPhase: (p) => seen.push(p) });
    expect(r.selection?.name).not.toBe('never');
    expect(Object.keys(r.selection?.coverageByCandidate ?? {})).toEqual(['never', 'area', 'pooled']);
    expect(r.selection?.coverageByCandidate['never']).toBe(0);
    expect(r.threshold).toBeUndefined();
    expect(r.areaThresholds).toBeDefined();
    for (const t of Object.values(r.areaThresholds ?? {})) expect(t).toBeGreaterThan(0);
    expect(r.metrics.critical_automation).toBe(0);
    expect(seen[0]).toMatch(/never, area, pooled/);
  });
  it('a fixed threshold of 1 automates nothing', () => {
    const r = evaluate({ train, test, policy, trainFn: (e) => trainClassifier(e), threshold: 1 });
    expect(r.metrics.coverage).toBe(0);
  });
});
