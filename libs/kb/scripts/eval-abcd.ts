/**
 * Retrieval quality on the ABCD agent manual: converts guidelines.json to Markdown articles, ingests
 * them and asks questions written for this evaluation, each labelled with the subflow whose article
 * answers it. Reports top-1 / top-3 article hit rates and the misses.
 *
 *   tsx libs/kb/scripts/eval-abcd.ts [--src DIR] [--json]
 *
 * Reads shared data, so it is a script, never a unit test.
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NO_ANSWER_THRESHOLD, ingestDirectory, type SearchResult } from '../src/index.js';
import { DEFAULT_ABCD_DIR, writeAbcdKb } from './abcd-to-kb.js';

/** [question, expected article = flow--subflow]. Phrased as agents and customers ask, not as titles. */
export const QUESTIONS: readonly (readonly [string, string])[] = [
  ['which refund methods can I offer: gift card, paper check, credit card or account credit?', 'product-defect--initiate-refund'],
  ['customer does not know the refund amount, what default dollar amount do I enter?', 'product-defect--initiate-refund'],
  ['customer wants to add another item to a refund they already started', 'product-defect--update-refund'],
  ['customer asks what is the status of my refund and how it will be paid', 'product-defect--refund-status'],
  ['I want to return a shirt because it has a stain on it', 'product-defect--return-due-to-stain'],
  ['the colour of the jacket is not what I expected, can I return it', 'product-defect--return-due-to-color'],
  ['these boots are the wrong size and I want to send them back', 'product-defect--return-due-to-size'],
  ['there is a mystery fee on my order I did not expect, an extra charge', 'order-issue--status-mystery-fee'],
  ['my delivery is scheduled for the morning but I want it in the evening instead', 'order-issue--status-delivery-time'],
  ['my order shows the wrong payment method, I wanted to pay with PayPal', 'order-issue--status-payment-method'],
  ['the confirmation email has the wrong quantity of items', 'order-issue--status-quantity'],
  ['can I upgrade my order to overnight shipping, how much is the fee', 'order-issue--manage-upgrade'],
  ['I want to downgrade to next week delivery to save on shipping', 'order-issue--manage-downgrade'],
  ['please add one more item to my existing order', 'order-issue--manage-create'],
  ['I accidentally ordered two of the same item and only want one', 'order-issue--manage-cancel'],
  ['I forgot my username', 'account-access--recover-username'],
  ['I cannot remember my password and need a new one', 'account-access--recover-password'],
  ['I need to reset my two-factor authentication code', 'account-access--reset-two-factor-auth'],
  ['my credit card keeps getting rejected as invalid at checkout', 'troubleshoot-site--invalid-credit-card'],
  ['the shopping cart is not updating when I add items', 'troubleshoot-site--cart-not-updating'],
  ['search results always say no results found', 'troubleshoot-site--search-not-working'],
  ['the website is so slow it is unusable', 'troubleshoot-site--website-too-slow'],
  ['an unknown service was added to my account that I did not ask for', 'manage-account--status-service-added'],
  ['an important service was removed from my plan by mistake', 'manage-account--status-service-removed'],
  ['does my account give me free international shipping out of the country', 'manage-account--status-shipping-question'],
  ['credit is missing from my account balance', 'manage-account--status-credit-missing'],
  ['I moved and need to change the address on my account', 'manage-account--manage-change-address'],
  ['I got married and want to change the name on my account', 'manage-account--manage-change-name'],
  ['how do I update the phone number on my account', 'manage-account--manage-change-phone'],
  ['I want to change the payment method saved on my account', 'manage-account--manage-payment-method'],
  ['a competitor is selling the same item at a better price', 'purchase-dispute--bad-price-competitor'],
  ['the price was lower yesterday than what I paid today', 'purchase-dispute--bad-price-yesterday'],
  ['so many items are out of stock in your store', 'purchase-dispute--out-of-stock-general'],
  ['the one item I want is out of stock', 'purchase-dispute--out-of-stock-one-item'],
  ['my promo code says it is invalid', 'purchase-dispute--promo-code-invalid'],
  ['my promo code is out of date and expired, promotions only last 7 days?', 'purchase-dispute--promo-code-out-of-date'],
  ['I already returned the item but I was still billed and have not received my credit', 'purchase-dispute--mistimed-billing-already-returned'],
  ['I was billed for something I never bought', 'purchase-dispute--mistimed-billing-never-bought'],
  ['I got an email about my shipment that implies something is wrong, is my package on the way?', 'shipping-issue--shipping-status'],
  ['I ordered the wrong item and want to change my shipment', 'shipping-issue--manage-shipping'],
  ['my item never arrived, it is missing', 'shipping-issue--missing-item'],
  ['shipping cost is too high, can you waive the shipping fee', 'shipping-issue--shipping-cost'],
  ['is my premium subscription still active, did my payment go through', 'subscription-inquiry--status-active'],
  ['how much do I owe on my subscription, what is the amount due', 'subscription-inquiry--status-due-amount'],
  ['when is my subscription renewal due date', 'subscription-inquiry--status-due-date'],
  ['I want to pay my subscription bill now, the yearly $99', 'subscription-inquiry--manage-pay-bill'],
  ['I cannot pay my subscription this month, can I get an extension', 'subscription-inquiry--manage-extension'],
  ['I was billed twice for my subscription', 'subscription-inquiry--manage-dispute-bill'],
  ['are these boots waterproof and how long to wear them in', 'single-item-query--boots-faq'],
  ['how do I remove a grass stain from jeans', 'single-item-query--jeans-faq'],
  ['can the jacket hood be detached, is it dry-clean only', 'single-item-query--jacket-faq'],
  ['how wide is the collar on this shirt and does it shrink', 'single-item-query--shirt-faq'],
  ['what does gift wrapping cost', 'storewide-query--pricing-faq'],
  ['what are the membership levels and how do I qualify for premium', 'storewide-query--membership-faq'],
  ['when does the annual sale begin', 'storewide-query--timing-faq'],
  ['what is your return policy and refund policy', 'storewide-query--policy-faq'],
];

interface Outcome {
  question: string;
  expected: string;
  top: string[];
  topScore: number;
}

function articlesInOrder(results: SearchResult[], k: number): string[] {
  const seen: string[] = [];
  for (const r of results) if (!seen.includes(r.articleId)) seen.push(r.articleId);
  return seen.slice(0, k);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { src: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const { dir } = await writeAbcdKb(values.src ?? DEFAULT_ABCD_DIR);
  try {
    const kb = await ingestDirectory(dir, { now: new Date('2026-01-01T00:00:00Z') });
    const outcomes: Outcome[] = QUESTIONS.map(([question, expected]) => {
      const results = kb.search(question, { limit: 30 });
      return { question, expected, top: articlesInOrder(results, 3), topScore: results[0]?.score ?? 0 };
    });
    const top1 = outcomes.filter((o) => o.top[0] === o.expected).length;
    const top3 = outcomes.filter((o) => o.top.includes(o.expected)).length;
    const answered = outcomes.filter((o) => o.topScore >= NO_ANSWER_THRESHOLD).length;
    const n = outcomes.length;
    const summary = {
      questions: n,
      articles: kb.articles.length,
      passages: kb.passages.length,
      revision: kb.revision,
      top1: top1 / n,
      top3: top3 / n,
      aboveThreshold: answered / n,
    };
    if (values.json) {
      console.log(JSON.stringify({ ...summary, misses: outcomes.filter((o) => o.top[0] !== o.expected) }));
      return;
    }
    for (const o of outcomes.filter((x) => x.top[0] !== x.expected)) {
      console.log(`${o.top.includes(o.expected) ? 'top3' : 'MISS'}  ${o.question}\n      expected ${o.expected}; got ${o.top.join(', ')}`);
    }
    console.log(
      `ABCD retrieval: ${n} questions over ${summary.articles} articles / ${summary.passages} passages (revision ${summary.revision})\n` +
        `top-1 ${top1}/${n} = ${(summary.top1 * 100).toFixed(1)}%   top-3 ${top3}/${n} = ${(summary.top3 * 100).toFixed(1)}%   ` +
        `above no-answer threshold ${answered}/${n}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
