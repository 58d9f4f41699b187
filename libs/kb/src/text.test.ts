import { describe, expect, it } from 'vitest';
import { contentTerms, extractQuantities, splitSentences } from './text.js';

const keys = (text: string) => extractQuantities(text).map((q) => q.key);

describe('extractQuantities', () => {
  it('quantities — money, ranges, business days, percentages and clock times get one canonical key each', () => {
    expect(keys('Standard shipping takes 5-7 business days and costs $4.95.')).toEqual(['money:4.95', 'window:5-7:business_day']);
    expect(keys('between $35 and $1,000')).toEqual(['money:35', 'money:1000']);
    expect(keys('10% off before 2pm')).toEqual(['percent:10', 'time:2pm']);
  });

  it('quantities — spelling variants of the same window compare equal', () => {
    expect(keys('a 30-day window')).toEqual(keys('within 30 days'));
    expect(keys('5 to 7 business days')).toEqual(keys('5–7 business days'));
    expect(keys('within one business day')).toEqual(keys('within 1 business day'));
    expect(keys('$5')).toEqual(keys('$5.00'));
  });

  it('quantities — a duration without a digit is still a figure', () => {
    expect(keys('takes about a week')).toEqual(['window:1:week']);
    expect(keys('within a business day')).toEqual(keys('within 1 business day'));
    expect(keys('Have a great day!')).toEqual([]);
  });

  it('quantities — business days differ from calendar days', () => {
    expect(keys('30 business days')).not.toEqual(keys('30 days'));
  });
});

describe('contentTerms', () => {
  it('terms — synonyms and inflections collapse to one term', () => {
    expect(contentTerms('I want my money back')).toEqual(contentTerms('refund'));
    expect(contentTerms('parcel')).toEqual(contentTerms('packages'));
    expect(contentTerms('colour')).toEqual(contentTerms('color'));
    expect(contentTerms('cancelled')).toEqual(contentTerms('cancellation'));
  });
});

describe('splitSentences', () => {
  it('sentences — amounts and times do not split a sentence', () => {
    expect(splitSentences('It costs $4.95 before 2pm. Next one here.')).toEqual(['It costs $4.95 before 2pm.', 'Next one here.']);
  });
});
