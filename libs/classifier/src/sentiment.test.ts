import { describe, expect, it } from 'vitest';
import { sentiment } from './sentiment.js';

describe('sentiment — lexicon scoring', () => {
  it('stays in [-1, 1] and is neutral for plain questions', () => {
    expect(sentiment('where is my order')).toBe(0);
    for (const t of ['GREAT GREAT GREAT!!!!', 'fuck fuck fuck shit crap']) {
      expect(Math.abs(sentiment(t))).toBeLessThanOrEqual(1);
    }
  });
  it('praise is positive and complaints negative', () => {
    expect(sentiment('thanks, that was really helpful')).toBeGreaterThan(0.4);
    expect(sentiment('this is terrible service')).toBeLessThan(-0.4);
  });
  it('negation flips the polarity', () => {
    expect(sentiment('I am happy with it')).toBeGreaterThan(0);
    expect(sentiment('I am not happy with it')).toBeLessThan(0);
    expect(sentiment("this isn't good")).toBeLessThan(0);
  });
  it('intensifiers strengthen and dampeners weaken', () => {
    expect(sentiment('this is very bad')).toBeLessThan(sentiment('this is bad'));
    expect(sentiment('this is slightly bad')).toBeGreaterThan(sentiment('this is bad'));
  });
  it('profanity is strongly negative, even under negation', () => {
    expect(sentiment('where the fuck is my parcel')).toBeLessThan(-0.55);
    expect(sentiment('where the fuck is my parcel!')).toBeLessThan(-0.6);
    expect(sentiment('this fucking useless service')).toBeLessThan(-0.7);
    expect(sentiment('not fucking happy')).toBeLessThan(-0.6);
  });
});
