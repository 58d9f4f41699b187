import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestDirectory } from './knowledge-base.js';
import { assessRelevance, isYesNoQuestion, keyTermsOf, questionFocus, questionSegments, RELEVANCE_GATES } from './relevance.js';
import type { KnowledgeBase } from './types.js';

const DEMO_KB = fileURLToPath(new URL('../../demo/kb', import.meta.url));
let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await ingestDirectory(DEMO_KB, { now: new Date('2026-06-01T12:00:00Z') });
});

const assess = (message: string, intent: string, cited: string[], similarity?: number, rank = 1) =>
  assessRelevance({ message, intent, citedPassageIds: cited, semantic: similarity === undefined ? undefined : { similarity, rank, encoderVersion: 'enc@1' } }, kb);

describe('answer relevance', () => {
  it('relevance — a reply from an article that answers the intent and covers the key terms passes', () => {
    const r = assess('How long does standard shipping take?', 'shipping_times', ['shipping-times#delivery-speeds-1'], 0.6);
    expect(r).toMatchObject({ passed: true, intentMatched: true, keyTermCoverage: 1, uncoveredTerms: [] });
    expect(r.articleIntents).toContain('shipping_times');
  });

  it('relevance — passages from an article that does not answer the intent fail the intent check (issue 12)', () => {
    // "expire" is in the password article; the question is about gift cards.
    const r = assess('Do gift cards expire?', 'payment_methods', ['account-password#resetting-your-password-1'], 0.6);
    expect(r).toMatchObject({ passed: false, failedCheck: 'intent', intentMatched: false });
    expect(r.detail).toMatch(/account-password.*not the message's intent payment_methods/);
  });

  it('relevance — a key term the cited passages do not cover fails the key-term check, naming it', () => {
    // Same intent, right article family, but nothing about price matching.
    const r = assess('Do you price match other retailers?', 'shipping_times', ['shipping-times#delivery-speeds-2'], 0.9);
    expect(r).toMatchObject({ passed: false, failedCheck: 'key_terms' });
    expect(r.uncoveredTerms).toEqual(expect.arrayContaining(['match']));
    // A yes/no question: the stricter gate applies.
    expect(r.keyTermThreshold).toBe(RELEVANCE_GATES.yesNoKeyTermCoverage);
    expect(r.keyTermCoverage).toBeLessThan(RELEVANCE_GATES.yesNoKeyTermCoverage);
  });

  it('relevance — a word the KB never uses weighs as much as its rarest word ("student discount")', () => {
    const terms = keyTermsOf('Is there a student discount?', kb);
    const student = terms.find((t) => t.term === 'student');
    expect(student?.known).toBe(false);
    expect(student?.weight).toBeCloseTo(Math.max(...terms.map((t) => t.weight)));
  });

  it('relevance — semantic closeness below the gate fails when the words alone pass', () => {
    const r = assess('What discount do students get?', 'discount_codes', ['promo-codes#using-a-promo-code-1', 'promo-codes#newsletter-discount-1'], 0.3);
    expect(r.keyTermCoverage).toBeGreaterThanOrEqual(RELEVANCE_GATES.keyTermCoverage);
    expect(r).toMatchObject({ passed: false, failedCheck: 'semantic', semantic: { similarity: 0.3, rank: 1, threshold: RELEVANCE_GATES.semanticSimilarity, encoderVersion: 'enc@1' } });
  });

  it('relevance — a cited passage that many others in the KB are closer to fails, however close it is', () => {
    const r = assess('How long does standard shipping take?', 'shipping_times', ['shipping-times#delivery-speeds-1'], 0.9, RELEVANCE_GATES.semanticRank + 1);
    expect(r).toMatchObject({ passed: false, failedCheck: 'semantic' });
    expect(r.detail).toMatch(/passage\(s\) of the KB are closer/);
  });

  it('relevance — without an encoder the stricter lexical-only gate applies', () => {
    const r = assess('Is there a student discount?', 'discount_codes', ['promo-codes#using-a-promo-code-1', 'promo-codes#newsletter-discount-1']);
    expect(r.keyTermThreshold).toBe(RELEVANCE_GATES.lexicalOnlyKeyTermCoverage);
    expect(r).toMatchObject({ passed: false, failedCheck: 'key_terms', semantic: undefined });
  });

  it('relevance — framing words are not key terms; the asking sentence is judged, not the story around it', () => {
    expect(keyTermsOf('Do you offer gift wrapping?', kb).map((t) => t.term)).not.toContain('offer');
    expect(questionSegments('I ordered boots last week for my brother. When do I get a tracking number?')).toEqual(['When do I get a tracking number?']);
    expect(questionSegments('My parcel never arrived.')).toEqual(['My parcel never arrived.']);
  });

  it('relevance — articles that declare no intents are not judged on intent', () => {
    const bare = { ...kb, getArticle: (id: string) => { const a = kb.getArticle(id); return a && { ...a, intents: undefined }; } };
    const r = assessRelevance({ message: 'How long does standard shipping take?', intent: 'anything', citedPassageIds: ['shipping-times#delivery-speeds-1'] }, bare);
    expect(r).toMatchObject({ intentMatched: true, articleIntents: [], passed: true });
  });

  it('relevance — a yes/no question about something the passages never name fails, however close the reply (issue 12)', () => {
    expect(isYesNoQuestion('Hi there, can I pay by cheque?')).toBe(true);
    expect(isYesNoQuestion('Which cards do you take?')).toBe(false);
    // "cheque" is the whole question; the payment list does not name it.
    const r = assess('Can I pay by cheque?', 'payment_methods', ['payment-methods#ways-to-pay-1'], 0.6);
    expect(r).toMatchObject({ passed: false, failedCheck: 'key_terms', keyTermThreshold: RELEVANCE_GATES.yesNoKeyTermCoverage });
    expect(r.uncoveredTerms).toContain('chequ');
    // The same list answers a yes/no question about a method it names.
    expect(assess('Do you take American Express?', 'payment_methods', ['payment-methods#ways-to-pay-1'], 0.6).passed).toBe(true);
  });

  it('relevance — a "what is the X" question needs X named by the cited passages (issue 12)', () => {
    expect(questionFocus('What is the size limit for returned parcels?', kb)).toEqual(expect.arrayContaining(['size', 'limit']));
    expect(questionFocus('What does Dispatched mean?', kb)).toEqual([]);
    const r = assess('What is the size limit for express parcels?', 'shipping_times', ['shipping-times#delivery-speeds-2'], 0.6);
    expect(r).toMatchObject({ passed: false, failedCheck: 'key_terms' });
    expect(r.detail).toMatch(/asks for size limit/);
    expect(assess('What is the price of express shipping?', 'shipping_times', ['shipping-times#delivery-speeds-2'], 0.6).passed).toBe(true);
  });

  it('relevance — a hyphenated compound and "out of X" are matched as phrases (issue 12)', () => {
    // "next-day" is not covered by "the next business day"; "out of warranty" is not "warranty".
    expect(assess('Is next-day shipping possible?', 'shipping_times', ['shipping-times#delivery-speeds-3'], 0.6).uncoveredTerms).toEqual(expect.arrayContaining(['next']));
    expect(assess('Is same-day dispatch possible?', 'shipping_times', ['shipping-times#delivery-speeds-3'], 0.6).uncoveredTerms).not.toContain('same');
    const outOf = assess('Is there a repair service for furniture that is out of warranty?', 'product_question', ['warranty#how-a-claim-works-1'], 0.7);
    expect(outOf).toMatchObject({ passed: false, failedCheck: 'key_terms' });
    expect(outOf.uncoveredTerms).toContain('warranty');
    expect(assess('Is there a repair service for furniture under warranty?', 'product_question', ['warranty#how-a-claim-works-1'], 0.7).uncoveredTerms).not.toContain('warranty');
    expect(assess('Can I get a refund when the colour I want is out of stock?', 'return_item', ['exchanges#when-the-item-you-want-is-out-of-stock-1'], 0.6).uncoveredTerms).not.toContain('stock');
  });

  it('relevance — a day is covered by its own name or its span, not by another day', () => {
    expect(assess('Can I reach you by chat on Sundays?', 'contact_us', ['contact-hours#chat-and-phone-1'], 0.6).uncoveredTerms.length).toBeGreaterThan(0);
    expect(assess('Can I reach you by chat on Saturdays?', 'contact_us', ['contact-hours#chat-and-phone-1'], 0.6).uncoveredTerms).toEqual([]);
    expect(assess('If I order on a Sunday, when does it leave?', 'shipping_times', ['shipping-times#delivery-speeds-3'], 0.6).passed).toBe(true);
  });

  it('relevance — figures are not key terms, and "today" is a focus word, not framing', () => {
    expect(keyTermsOf('Is shipping free if I spend over 50 dollars?', kb).map((t) => t.term)).not.toEqual(expect.arrayContaining(['dollar']));
    expect(keyTermsOf('Can it be delivered today?', kb).map((t) => t.term)).toContain('todai');
  });
});
