import { describe, expect, it } from 'vitest';
import { Lexicon, contentWords } from './lexicon.js';
import { FIXTURE_EXAMPLES } from './testing/fixture.js';
import { trainClassifier } from './model.js';

const bank = Lexicon.fit([
  'my card is not working',
  'my card was declined at the shop',
  'how much does a transfer cost',
  'how much is the fee for a card payment',
  'the app is not working on my phone',
  'why was my transfer declined',
]);

describe('lexicon — unknown content', () => {
  it('content words drop function words and digits', () => {
    expect(contentWords('Why was my card declined 3 times?')).toEqual(['card', 'declin', 'time']);
  });
  it('a familiar message has no unknown content; an unknown topic with familiar words is mostly unknown', () => {
    expect(bank.unknownShare('my card is not working')).toBe(0);
    const wifi = bank.unknownShare('the wifi is not working') ?? 0;
    // "working" is common, so the rare unknown topic word dominates.
    expect(wifi).toBeGreaterThan(0.5);
    expect(bank.unknownShare('how much does parking cost') ?? 0).toBeGreaterThan(0.3);
  });
  it('a typo (one edit or a swap) of a known word of five letters or more is not unknown; short words must match', () => {
    expect(bank.unknownShare('my card was declnied')).toBe(0);
    expect(bank.unknownShare('my card was delcined')).toBe(0);
    expect(bank.unknownShare('my card was decllined')).toBe(0);
    expect(bank.unknownShare('my crad was declined') ?? 0).toBeGreaterThan(0);
  });
  it('no content words: undefined, not a guess', () => {
    expect(bank.unknownShare('yes it is')).toBeUndefined();
  });
});

describe('classifier — unknown-topic cap (issue 4: out of scope, not a forced guess)', () => {
  // A lower quantile than the default: the fixture's vocabulary is tiny, so its 95th percentile is high.
  const clf = trainClassifier(FIXTURE_EXAMPLES, { calibrationFraction: 0.25, unknownQuantile: 0.5 });
  const off = trainClassifier(FIXTURE_EXAMPLES, { calibrationFraction: 0.25, unknownQuantile: 1 });
  it('the allowance is calibrated on the training hold-out and 1 turns the cap off', () => {
    expect(clf.unknownAllowance).toBeGreaterThanOrEqual(0);
    expect(clf.unknownAllowance).toBeLessThan(1);
    expect(off.unknownAllowance).toBe(1);
  });
  it('a message about an unknown topic keeps its area but loses confidence; a trained paraphrase keeps it', () => {
    const t = 'reset the password of my thermostat jacuzzi';
    const capped = clf.classify(t);
    expect(capped.intent).toBe(off.classify(t).intent);
    expect(capped.unknownShare).toBeGreaterThan(clf.unknownAllowance);
    expect(capped.confidence).toBeLessThanOrEqual(1 - (capped.unknownShare - clf.unknownAllowance) + 1e-9);
    expect(capped.confidence).toBeLessThan(off.classify(t).confidence);
    const known = clf.classify('where is my parcel, has it shipped?');
    expect(known.unknownShare).toBeLessThanOrEqual(clf.unknownAllowance);
    expect(known.confidence).toBeCloseTo(off.classify('where is my parcel, has it shipped?').confidence, 9);
  });
});
