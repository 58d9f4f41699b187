import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { BINDING_CORRECT, BINDING_WRONG, HELD_OUT_BINDING_CORRECT, HELD_OUT_BINDING_WRONG, THIRD_BINDING_CORRECT, THIRD_BINDING_WRONG, FOURTH_BINDING_CORRECT, FOURTH_BINDING_WRONG, CORRECT_DRAFTS, HELD_OUT_CORRECT_DRAFTS, HELD_OUT_MUTATIONS, MUTATIONS, bindingDraft, materialise, mutate } from './fixtures/red-team.js';
import type { Citation, GroundingVerdict } from './grounding.js';
import { checkGrounding, groundingFailures } from './grounding.js';
import { ingestDirectory } from './knowledge-base.js';
import type { KnowledgeBase } from './types.js';

const DEMO_KB = fileURLToPath(new URL('../../demo/kb', import.meta.url));
let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await ingestDirectory(DEMO_KB, { now: new Date('2026-06-01T12:00:00Z') });
});

function cite(passageId: string): Citation {
  const articleId = passageId.split('#')[0] ?? '';
  return { articleId, passageId, articleVersion: kb.getArticle(articleId)?.version ?? 'none' };
}
function judge(text: string, ...passageIds: string[]): GroundingVerdict {
  const [verdict] = checkGrounding({ sentences: [{ text, citations: passageIds.map(cite) }] }, kb);
  if (verdict === undefined) throw new Error('no verdict');
  return verdict;
}

describe('checkGrounding', () => {
  it('grounding — a faithful paraphrase of the cited passage passes', () => {
    expect(judge('Your bank can take 3-10 business days to show the refund on your statement.', 'refunds-policy#how-long-the-refund-takes-to-appear-1')).toMatchObject({
      passed: true,
      code: 'grounded',
    });
    expect(judge('You have 30 days from delivery to return most items.', 'returns-policy#return-window-1').passed).toBe(true);
  });

  it('grounding — number words and hyphenated windows match their digit forms', () => {
    expect(judge('Our safety team will contact you within one business day.', 'product-safety#if-you-think-a-product-is-unsafe-1').passed).toBe(true);
    expect(judge('You have a 30-day window to return most items after delivery.', 'returns-policy#return-window-1').passed).toBe(true);
  });

  it('grounding — a true sentence citing an unrelated passage fails: support, not presence, is checked', () => {
    const v = judge('You can return most items within 30 days of delivery.', 'gift-cards#using-a-gift-card-1');
    expect(v).toMatchObject({ check: 'grounding', passed: false, code: 'ungrounded_claim', evidence: ['You can return most items within 30 days of delivery.'] });
    expect(v.detail).toMatch(/30 days/);
  });

  it('grounding — a figure that is in the passage but bound to something else fails', () => {
    // The passage says 2-year for furniture, 1-year for electronics.
    expect(judge('Electronics come with a 2-year warranty.', 'warranty#what-is-covered-1').passed).toBe(false);
    expect(judge('Furniture comes with a 2-year warranty.', 'warranty#what-is-covered-1').passed).toBe(true);
  });

  it('grounding — flipping a rule into its opposite fails', () => {
    expect(judge('Gift cards can be exchanged for cash.', 'gift-cards#balance-and-cash-1').detail).toMatch(/polarity/);
    expect(judge('Your card is charged when you place your order.', 'payment-methods#when-you-are-charged-1').passed).toBe(false);
  });

  it('grounding — a claim with no citation fails; courtesy lines pass without one', () => {
    expect(judge('Refunds take 5 business days.').detail).toMatch(/cites no passage/);
    for (const text of ['Thanks for reaching out.', 'Hi Dana,', 'Have a great day!', 'If there is anything else we can help with, just let us know.']) {
      expect(judge(text), text).toMatchObject({ passed: true, code: 'no_claim' });
    }
  });

  it('grounding — a courtesy line that smuggles a claim is not exempt', () => {
    expect(judge('Thanks for reaching out, your refund of $40 is on its way.').passed).toBe(false);
    expect(judge('Feel free to return it within 90 days.').passed).toBe(false);
    // Restating the customer's situation is a claim too: the KB cannot back it.
    expect(judge("I'm sorry your parcel was lost by the carrier.").passed).toBe(false);
  });

  it('grounding — citing an unapproved or expired article fails, even with matching words', () => {
    expect(judge('If you find the same item cheaper at another retailer within 14 days, we will refund the difference.', 'price-match#matching-a-lower-price-1').detail).toMatch(
      /not an approved, current article/,
    );
    expect(judge('Items bought in December can be returned until 31 January 2026.', 'holiday-returns-2025#holiday-return-window-1').passed).toBe(false);
  });

  it('grounding — citing a stale article version fails', () => {
    const [v] = checkGrounding(
      { sentences: [{ text: 'You can return most items within 30 days of delivery.', citations: [{ articleId: 'returns-policy', passageId: 'returns-policy#return-window-1', articleVersion: '000000000000' }] }] },
      kb,
    );
    expect(v?.detail).toMatch(/version 000000000000, but the served version is/);
  });

  it('grounding — a passage id from another article fails', () => {
    const [v] = checkGrounding(
      { sentences: [{ text: 'You can return most items within 30 days of delivery.', citations: [{ ...cite('returns-policy#return-window-1'), articleId: 'exchanges', articleVersion: kb.getArticle('exchanges')?.version ?? '' }] }] },
      kb,
    );
    expect(v?.passed).toBe(false);
  });

  it('grounding — red team: catches at least 98% of injected claims with no false alarms on correct drafts', () => {
    const mutations = [...MUTATIONS, ...HELD_OUT_MUTATIONS];
    expect(mutations.length).toBeGreaterThanOrEqual(50);
    const falseAlarms = [...CORRECT_DRAFTS, ...HELD_OUT_CORRECT_DRAFTS].flatMap((d) =>
      groundingFailures(checkGrounding(materialise(d, kb), kb)).map((f) => `${d.id}: ${f.evidence[0]} — ${f.detail}`),
    );
    expect(falseAlarms).toEqual([]);

    const missed = mutations.filter((m) => groundingFailures(checkGrounding(materialise(mutate(m), kb), kb)).length === 0).map((m) => m.id);
    const caughtRate = (mutations.length - missed.length) / mutations.length;
    expect(caughtRate, `missed: ${missed.join(', ')}`).toBeGreaterThanOrEqual(0.98);
    // The original set, which the check was tuned on, is caught whole.
    expect(missed.filter((id) => MUTATIONS.some((m) => m.id === id))).toEqual([]);
  });

  it('grounding — red team: the failure points at the injected sentence', () => {
    for (const m of [...MUTATIONS, ...HELD_OUT_MUTATIONS]) {
      const draft = mutate(m);
      const injected = m.replace?.text ?? m.append?.text;
      const failures = groundingFailures(checkGrounding(materialise(draft, kb), kb));
      if (failures.length === 0) continue;
      expect(failures.map((f) => f.evidence[0]), m.id).toContain(injected);
    }
  });

  it('grounding — red team: shifting any figure in a correct draft is caught', () => {
    let shifted = 0;
    for (const d of CORRECT_DRAFTS) {
      d.sentences.forEach((s, i) => {
        const wrong = s.text.replace(/\d+/, (n) => String(Number(n) + 1));
        if (wrong === s.text) return;
        shifted += 1;
        const sentences = d.sentences.map((x, j) => (j === i ? { ...x, text: wrong } : x));
        expect(groundingFailures(checkGrounding(materialise({ id: d.id, sentences }, kb), kb)).length, wrong).toBeGreaterThan(0);
      });
    }
    expect(shifted).toBeGreaterThan(20);
  });

  it('grounding — claims that hold: an entity swapped within the passage fails (issue 12)', () => {
    expect(judge('Inside the US we ship with DHL.', 'shipping-times#carriers-1').detail).toMatch(/DHL/);
    expect(judge('DHL carries our international orders.', 'shipping-times#carriers-1').passed).toBe(true);
  });

  it('grounding — claims that hold: words stitched across two cited passages fail (issue 12)', () => {
    const v = judge('Express shipping costs $4.95.', 'shipping-times#delivery-speeds-1', 'shipping-times#delivery-speeds-2');
    expect(v.detail).toMatch(/another sentence/);
    expect(judge('Express shipping costs $12.95 and standard shipping costs $4.95.', 'shipping-times#delivery-speeds-1', 'shipping-times#delivery-speeds-2').passed).toBe(true);
  });

  it('grounding — claims that hold: a changed quantifier fails, a restated count passes (issue 12)', () => {
    expect(judge('Every item can be returned within 30 days of delivery.', 'returns-policy#return-window-1').passed).toBe(false);
    expect(judge('Most items can be returned within 30 days of delivery.', 'returns-policy#return-window-1').passed).toBe(true);
    expect(judge('Only one promo code can be used per order.', 'promo-codes#using-a-promo-code-1').passed).toBe(true);
  });

  it('grounding — claims that hold: a flipped condition fails (issue 12)', () => {
    expect(judge('Orders placed before 2pm leave on the next business day.', 'shipping-times#delivery-speeds-3').detail).toMatch(/condition "before"/);
    expect(judge('Standard shipping is free on orders under $50.', 'shipping-times#delivery-speeds-1').detail).toMatch(/condition "under"/);
    expect(judge('Your card is charged before your order leaves our warehouse.', 'payment-methods#when-you-are-charged-1').passed).toBe(false);
    expect(judge('An order placed after 2pm leaves on the next business day.', 'shipping-times#delivery-speeds-3').passed).toBe(true);
  });

  it('grounding — claims that hold: a figure bound by another condition fails, a restated one passes (issue 12)', () => {
    expect(judge('You can cancel an order free of charge after 2 hours of placing it.', 'cancellation-policy#cancelling-before-dispatch-1').passed).toBe(false);
    expect(judge('Klarna is available on orders over $1,000.', 'payment-methods#paying-in-instalments-1').passed).toBe(false);
    expect(judge('A cancellation is free of charge within 2 hours of placing the order.', 'cancellation-policy#cancelling-before-dispatch-1').passed).toBe(true);
  });

  it('grounding — claims that hold: a swapped channel fails (issue 12)', () => {
    expect(judge('A member of our team confirms every cancellation by phone.', 'cancellation-policy#cancelling-before-dispatch-1').detail).toMatch(/says phone/);
    expect(judge('Emails get a reply within 24 hours.', 'contact-hours#email-1').passed).toBe(true);
  });

  it('grounding — claims that hold: a figure with another unit fails (issue 12)', () => {
    expect(judge('The reset link expires after 60 hours.', 'account-password#resetting-your-password-1').passed).toBe(false);
  });

  it('grounding — negated paraphrases pass: condition clauses, list items and a negation elsewhere in the sentence (issue 12)', () => {
    expect(judge('Once an order has left our warehouse it can no longer be cancelled.', 'cancellation-policy#after-dispatch-1').passed).toBe(true);
    expect(judge('The warranty does not cover misuse or accidental damage.', 'warranty#what-is-not-covered-1').passed).toBe(true);
    expect(judge('Your card is not charged when you place the order, but when it leaves our warehouse.', 'payment-methods#when-you-are-charged-1').passed).toBe(true);
    // …but the negation must be about the same words.
    expect(judge('Your card is not charged when your order leaves our warehouse.', 'payment-methods#when-you-are-charged-1').passed).toBe(false);
  });

  it('grounding — claims that hold: by kind, ≥ 98% of wrong bindings caught and ≤ 3% false alarms on correct paraphrases (issue 12)', () => {
    const wrong = [...BINDING_WRONG, ...HELD_OUT_BINDING_WRONG, ...THIRD_BINDING_WRONG, ...FOURTH_BINDING_WRONG];
    const correct = [...BINDING_CORRECT, ...HELD_OUT_BINDING_CORRECT, ...THIRD_BINDING_CORRECT, ...FOURTH_BINDING_CORRECT];
    expect(wrong.length).toBeGreaterThanOrEqual(90);
    expect(correct.length).toBeGreaterThanOrEqual(50);
    const caughtByKind = new Map<string, { caught: number; total: number }>();
    for (const claim of wrong) {
      const kind = claim.kind ?? 'none';
      const row = caughtByKind.get(kind) ?? { caught: 0, total: 0 };
      row.total += 1;
      if (groundingFailures(checkGrounding(materialise(bindingDraft(claim), kb), kb)).length > 0) row.caught += 1;
      caughtByKind.set(kind, row);
    }
    expect(new Set(caughtByKind.keys())).toEqual(new Set(['entity_swap', 'stitched', 'quantifier', 'condition', 'channel', 'figure_unit']));
    const caught = [...caughtByKind.values()].reduce((n, r) => n + r.caught, 0);
    expect(caught / wrong.length, JSON.stringify(Object.fromEntries(caughtByKind))).toBeGreaterThanOrEqual(0.98);
    const falseAlarms = correct.filter((c) => groundingFailures(checkGrounding(materialise(bindingDraft(c), kb), kb)).length > 0).map((c) => c.id);
    expect(falseAlarms.length / correct.length, falseAlarms.join(', ')).toBeLessThanOrEqual(0.03);
  });

  it('grounding — claims that hold: a parallel sentence of the same passage is another case, not a referent (issue 12)', () => {
    // "Processing means…" / "Dispatched means…": the subject swapped in from the sentence beside it.
    expect(judge('Dispatched means we have your order and are packing it.', 'order-tracking#what-each-order-status-means-1').passed).toBe(false);
    expect(judge('Orders placed at the weekend leave our warehouse the same day.', 'shipping-times#delivery-speeds-3').passed).toBe(false);
    // A sentence that only resolves what the aligned one leaves implicit is fine.
    expect(judge('Your Northwind Plus benefits continue until the end of the current billing period after you cancel.', 'cancellation-policy#northwind-plus-membership-1').passed).toBe(true);
    expect(judge('Investigations with the carrier take up to 10 business days.', 'order-tracking#parcel-marked-delivered-but-not-received-1').passed).toBe(true);
  });

  it('grounding — claims that hold: a figure bound to another subject, a quantifier on another noun, a window from another event (issue 12)', () => {
    expect(judge('Furniture comes with a 1-year warranty from the delivery date.', 'warranty#what-is-covered-1').detail).toMatch(/binds furnitur/);
    expect(judge('Shipping is free for standard orders over $50.', 'shipping-times#delivery-speeds-1').passed).toBe(true);
    expect(judge('All exchanges on an order are free of charge.', 'exchanges#exchanging-for-a-different-size-or-colour-1').passed).toBe(false);
    expect(judge('We email a tracking number within 24 hours of you placing the order.', 'order-tracking#tracking-number-1').detail).toMatch(/counts the window from place/);
    expect(judge('The reset link expires after 60 seconds.', 'account-password#resetting-your-password-1').passed).toBe(false);
  });

  it('grounding — claims that hold: "unless" is "if not"; "cannot … unless" restates "only if" (issue 12)', () => {
    expect(judge('Return shipping is free unless the item arrived damaged or faulty.', 'returns-policy#how-to-return-an-item-1').detail).toMatch(/unless/);
    expect(judge('Original shipping costs are refunded unless the item arrived damaged or faulty.', 'refunds-policy#shipping-costs-1').passed).toBe(false);
    expect(judge('A lost gift card cannot be replaced unless it was registered to your Northwind account.', 'gift-cards#lost-gift-cards-1').passed).toBe(true);
    expect(judge("You won't be charged until your order leaves our warehouse.", 'payment-methods#when-you-are-charged-1').passed).toBe(true);
    expect(judge('You can change the delivery address after your order status is Processing.', 'change-address#before-your-order-is-dispatched-1').passed).toBe(false);
    expect(judge('You can change the delivery address before your order is dispatched.', 'change-address#before-your-order-is-dispatched-1').passed).toBe(true);
    // A condition's words are the policy: new ones are another condition.
    expect(judge('Original shipping costs are refunded if the item arrived in perfect condition.', 'refunds-policy#shipping-costs-1').detail).toMatch(/the condition/);
    expect(judge('If the address needs changing after dispatch, we cannot change it ourselves.', 'change-address#after-your-order-is-dispatched-1').passed).toBe(true);
  });

  it('grounding — negated paraphrases pass: a list that opens the sentence takes the negation that closes it (issue 12)', () => {
    expect(judge('Normal wear and tear is not covered by the warranty.', 'warranty#what-is-not-covered-1').passed).toBe(true);
    expect(judge('Normal wear and tear is covered by the warranty.', 'warranty#what-is-not-covered-1').passed).toBe(false);
  });
});
