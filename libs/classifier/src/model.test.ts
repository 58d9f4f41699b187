import { Area } from '@handrail/contracts';
import { describe, expect, it } from 'vitest';
import { FIXTURE_EXAMPLES } from './testing/fixture.js';
import { createClassifier, deserializeClassifier, modelVersionFor, serializeClassifier, trainClassifier } from './model.js';

const clf = trainClassifier(FIXTURE_EXAMPLES, { calibrationFraction: 0.25 });

describe('classifier — training on the in-repo fixture', () => {
  it('recognises paraphrases of trained intents and takes the area from the intent', () => {
    const r = clf.classify('where is my parcel, has it shipped?');
    expect(r.intent).toBe('track_order');
    expect(r.area).toBe(Area.AREA_FAQ_STATUS);
    expect(clf.classify('I forgot my password again').intent).toBe('reset_password');
    expect(clf.classify('how do I change the address for delivery').area).toBe(Area.AREA_ROUTINE);
  });
  it('fills every field of the contract', () => {
    const r = clf.classify('I was charged $30 and the payment was declined, this is terrible');
    expect(r.confidence).toBeGreaterThanOrEqual(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
    expect(r.sentiment).toBeLessThan(0);
    expect(r.entities).toContainEqual({ kind: 'amount', value: '$30' });
    expect(Array.isArray(r.riskFlags)).toBe(true);
    expect(typeof r.outOfScope).toBe('boolean');
    expect(r.modelVersion).toBe(clf.version);
  });
  it('a risk detector forces the area whatever the model says', () => {
    const r = clf.classify('where is my order? also I want to speak to a human');
    expect(r.riskFlags).toContain('talk_to_human:human_requested');
    expect(r.area).toBe(Area.AREA_TALK_TO_HUMAN);
    expect(r.modelArea).toBe('faq_status');
  });
});

describe('classifier — calibration sanity', () => {
  it('gibberish and off-domain messages get low confidence and are out of scope', () => {
    for (const t of ['qwxz plmokn vbtre', 'asdf', '', 'what is the capital of peru', 'recommend a good pasta recipe']) {
      const r = clf.classify(t);
      expect(r.outOfScope).toBe(true);
      expect(r.confidence).toBeLessThan(0.3);
    }
  });
  it('in-domain paraphrases are not flagged out of scope', () => {
    for (const t of ['where is my parcel', 'please update my shipping address', 'my payment got declined']) expect(clf.classify(t).outOfScope).toBe(false);
  });
  it('in-domain messages are more confident than gibberish', () => {
    expect(clf.classify('how do I reset my password').confidence).toBeGreaterThan(clf.classify('zzyzx quux frobnicate').confidence);
  });
  it('probabilities sum to one and the temperature is positive', () => {
    const p = clf.probabilities('where is my order');
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(clf.temperature).toBeGreaterThan(0);
  });
});

describe('classifier — pooled confidence (Handrail issue 4)', () => {
  it('confidence groups pool the probability of areas treated alike, and change the version', () => {
    const plain = trainClassifier(FIXTURE_EXAMPLES);
    const areas = [...new Set(FIXTURE_EXAMPLES.map((e) => e.area))];
    const pooled = trainClassifier(FIXTURE_EXAMPLES, { confidenceGroups: [areas] });
    const text = 'where is my parcel';
    const a = plain.classify(text);
    const b = pooled.classify(text);
    expect(b.area).toBe(a.area);
    expect(b.confidence).toBeGreaterThanOrEqual(a.confidence);
    // Every area in one group: the pooled probability is the whole mass (minus nothing).
    expect(b.confidence).toBeCloseTo(1, 6);
    expect(pooled.version).not.toBe(plain.version);
  });
  it('a forced risk area is never pooled with the areas AI may resolve', () => {
    const pooled = trainClassifier(FIXTURE_EXAMPLES, { confidenceGroups: [['faq_status', 'routine', 'triage']] });
    const c = pooled.classify('my card was stolen, where is my parcel');
    expect(c.area).toBe(Area.AREA_SAFETY);
    expect(c.confidence).toBeLessThan(0.99);
  });
});

describe('classifier — versioning and serialisation', () => {
  it('the version is a content hash of the training data', () => {
    expect(modelVersionFor(FIXTURE_EXAMPLES)).toBe(modelVersionFor([...FIXTURE_EXAMPLES].reverse()));
    expect(modelVersionFor(FIXTURE_EXAMPLES.slice(1))).not.toBe(modelVersionFor(FIXTURE_EXAMPLES));
    expect(createClassifier(FIXTURE_EXAMPLES).version).toMatch(/^hr-[0-9a-f]{12}$/);
  });
  it('a serialised model classifies like the original after a JSON round trip', () => {
    const restored = deserializeClassifier(JSON.parse(JSON.stringify(serializeClassifier(clf))));
    for (const t of ['where is my order', 'someone stole my card', 'refund me for the broken item']) {
      const a = clf.classify(t);
      const b = restored.classify(t);
      expect(b.intent).toBe(a.intent);
      expect(b.confidence).toBeCloseTo(a.confidence, 4);
      expect(b.modelVersion).toBe(a.modelVersion);
    }
  });
});
