import { fileURLToPath } from 'node:url';
import { checkGrounding, ingestDirectory, type KnowledgeBase } from '@handrail/kb';
import { AREAS } from '@handrail/policy';
import { beforeAll, describe, expect, it } from 'vitest';
import { draftReply, refundEligibility, returnWindowDays } from './drafter.js';
import { TEMPLATES, templateFor } from './templates.js';
import type { DraftRequest, OrderFacts } from './types.js';

const DEMO_KB = fileURLToPath(new URL('../../demo/kb', import.meta.url));
const NOW = new Date('2026-06-01T12:00:00Z');
let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await ingestDirectory(DEMO_KB, { now: NOW });
});

const order = (over: Partial<OrderFacts> = {}): OrderFacts => ({
  orderId: 'NW-1001',
  amount: 40,
  placedAt: '2026-05-10',
  deliveredAt: '2026-05-20',
  status: 'delivered',
  condition: 'unused',
  ...over,
});
const refundRequest = (over: Partial<DraftRequest> = {}): DraftRequest => ({
  text: 'My lamp arrived cracked and I would like my money back',
  intent: 'refund_request',
  area: 'refund',
  entities: [{ kind: 'order_id', value: 'NW-1001' }],
  orders: [order()],
  refundLimit: 50,
  ...over,
});

describe('templates', () => {
  it('templates — every area has one, and their courtesy lines make no claim', () => {
    for (const area of AREAS) expect(templateFor(area).areas.includes(area) || templateFor(area).id === 'routine-v1').toBe(true);
    for (const t of TEMPLATES) {
      const verdicts = checkGrounding({ sentences: [{ text: t.opening, citations: [] }, { text: t.closing, citations: [] }] }, kb);
      expect(verdicts.map((v) => v.code), t.id).toEqual(['no_claim', 'no_claim']);
    }
  });
});

describe('draftReply', () => {
  it('drafting — every factual sentence cites a passage that supports it, at the served version', () => {
    const { draft } = draftReply(
      { text: 'How long does standard shipping take and what does it cost?', intent: 'shipping_time', area: 'faq_status', entities: [], customerName: 'dana smith' },
      kb,
      { now: NOW },
    );
    expect(draft).not.toBeNull();
    expect(draft?.drafter).toBe('template-v1');
    expect(draft?.templateId).toBe('status-v1');
    expect(draft?.text).toMatch(/^Hi Dana,/);
    expect(draft?.text).toContain('5-7 business days');
    const verdicts = checkGrounding({ sentences: draft?.sentences ?? [] }, kb);
    expect(verdicts.every((v) => v.passed)).toBe(true);
    expect(verdicts.filter((v) => v.code === 'grounded').length).toBeGreaterThanOrEqual(2);
    for (const c of draft?.citations ?? []) expect(c.articleVersion).toBe(kb.getArticle(c.articleId)?.version);
    expect(draft?.citations.map((c) => c.articleId)).toContain('shipping-times');
  });

  it('drafting — nothing above the threshold gives no draft and says why', () => {
    const result = draftReply({ text: 'What is the weather like in Paris tomorrow?', intent: 'unknown', area: 'routine', entities: [] }, kb, { now: NOW });
    expect(result).toMatchObject({ draft: null, reason: 'no_grounding' });
    expect(result.kbFindings[0]).toMatch(/No approved article/);
  });

  it('drafting — safety contacts get the stop-using guidance from the safety article', () => {
    const { draft } = draftReply({ text: 'My kettle caught fire and smoke came out', intent: 'product_hazard', area: 'safety', entities: [] }, kb, { now: NOW });
    expect(draft?.templateId).toBe('safety-v1');
    expect(draft?.text).toContain('Stop using the product straight away');
    expect(draft?.citations.every((c) => c.articleId === 'product-safety')).toBe(true);
  });

  it('drafting — triage drafts gather facts and never talk about refunds', () => {
    const { draft } = draftReply(
      { text: 'Item arrived damaged\nThe vase I received today was cracked along the base.', intent: 'damaged_item', area: 'triage', entities: [] },
      kb,
      { now: NOW },
    );
    expect(draft?.text).toContain('send a photo of the damage');
    expect(draft?.text).not.toMatch(/refund/i);
  });

  it('drafting — human-only areas quote only the article written for them', () => {
    // A fraud report lands in safety, but the safety article is about unsafe products: no draft beats a wrong one.
    const fraud = draftReply({ text: 'There are three charges on my card from your store that I never authorised', intent: 'fraud', area: 'safety', entities: [] }, kb, { now: NOW });
    expect(fraud).toMatchObject({ draft: null, reason: 'no_grounding' });
    const privacy = draftReply({ text: 'Please delete all personal data you hold about me', intent: 'data_deletion', area: 'privacy', entities: [] }, kb, { now: NOW });
    expect(privacy.draft?.citations.every((c) => c.articleId === 'privacy-requests')).toBe(true);
    expect(privacy.draft?.text).toContain('handled by a person on our privacy team');
  });

  it('drafting — escalated areas only say how to reach a person', () => {
    const { draft } = draftReply({ text: 'is there a live agent available?', intent: 'ask_for_human', area: 'talk_to_human', entities: [] }, kb, { now: NOW });
    expect(draft?.templateId).toBe('handoff-v1');
    expect(draft?.citations.map((c) => c.articleId)).toEqual(['contact-hours']);
    const legal = draftReply({ text: 'my lawyer will be filing a claim about the warranty', intent: 'legal_threat', area: 'legal', entities: [] }, kb, { now: NOW });
    expect(legal.draft).toBeNull();
  });

  it('drafting — only passages close to the best match are quoted', () => {
    const { draft } = draftReply({ text: 'what are your customer service hours on weekends', intent: 'hours', area: 'faq_status', entities: [] }, kb, { now: NOW });
    expect(draft?.citations.map((c) => c.articleId)).toEqual(['contact-hours']);
  });

  it('drafting — the same request gives the same draft', () => {
    const a = draftReply(refundRequest(), kb, { now: NOW });
    const b = draftReply(refundRequest(), kb, { now: NOW });
    expect(a).toEqual(b);
  });

  it('drafting — refund drafts explain the policy from the refunds/returns articles', () => {
    const result = draftReply(refundRequest(), kb, { now: NOW });
    expect(result.draft?.templateId).toBe('refund-v1');
    expect(result.draft?.citations.some((c) => c.articleId === 'refunds-policy' || c.articleId === 'returns-policy')).toBe(true);
    expect(result.kbFindings.some((f) => f.startsWith('Refund eligibility (NW-1001): true'))).toBe(true);
  });

  it('drafting — a refund draft never promises an amount over the refund limit', () => {
    const result = draftReply(refundRequest({ orders: [order({ amount: 480 })], refundLimit: 50 }), kb, { now: NOW });
    expect(result.eligibility?.needsHumanApproval).toBe(true);
    expect(result.eligibility?.withinLimit).toBe(false);
    const text = result.draft?.text ?? '';
    expect(text).not.toContain('480');
    const amounts = [...text.matchAll(/\$(\d[\d,]*(?:\.\d+)?)/g)].map((m) => Number((m[1] ?? '').replace(/,/g, '')));
    // The only amounts are fees quoted from the KB, never a refund figure above the limit.
    for (const a of amounts) expect(a).toBeLessThanOrEqual(50);
  });
});

describe('refundEligibility', () => {
  it('refund eligibility — inside the window, unused, under the limit: eligible without a human', () => {
    const e = refundEligibility(refundRequest(), kb, NOW);
    expect(e).toMatchObject({ orderId: 'NW-1001', eligible: true, daysSinceDelivery: 12, returnWindowDays: 30, withinLimit: true, needsHumanApproval: false });
  });

  it('refund eligibility — outside the KB return window is not eligible', () => {
    const e = refundEligibility(refundRequest({ orders: [order({ deliveredAt: '2026-04-01' })] }), kb, NOW);
    expect(e).toMatchObject({ eligible: false, withinReturnWindow: false, needsHumanApproval: true });
    expect(e.reasons.join(' ')).toMatch(/outside/);
  });

  it('refund eligibility — used items and unknown facts need a human', () => {
    expect(refundEligibility(refundRequest({ orders: [order({ condition: 'used' })] }), kb, NOW)).toMatchObject({ eligible: false, conditionOk: false });
    expect(refundEligibility(refundRequest({ orders: [order({ deliveredAt: null })] }), kb, NOW)).toMatchObject({ eligible: 'unknown', needsHumanApproval: true });
    expect(refundEligibility(refundRequest({ orders: [] }), kb, NOW)).toMatchObject({ orderId: null, eligible: 'unknown' });
    expect(refundEligibility(refundRequest({ refundLimit: undefined }), kb, NOW)).toMatchObject({ eligible: true, needsHumanApproval: true });
  });

  it('refund eligibility — damaged on arrival counts as an acceptable condition', () => {
    expect(refundEligibility(refundRequest({ orders: [order({ condition: 'damaged' })] }), kb, NOW)).toMatchObject({ eligible: true, conditionOk: true });
  });

  it('refund eligibility — picks the order the customer named among several', () => {
    const orders = [order({ orderId: 'NW-1', amount: 10 }), order({ orderId: 'NW-1001', amount: 45 })];
    expect(refundEligibility(refundRequest({ orders }), kb, NOW).amount).toBe(45);
    expect(refundEligibility(refundRequest({ orders, entities: [] }), kb, NOW).orderId).toBeNull();
  });

  it('refund eligibility — the return window is read from the KB', () => {
    expect(returnWindowDays(kb)).toBe(30);
  });
});
