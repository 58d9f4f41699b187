import {
  NO_ANSWER_THRESHOLD,
  checkGrounding,
  extractQuantities,
  splitSentences,
  type Citation,
  type DraftSentence,
  type KnowledgeBase,
  type SearchResult,
} from '@handrail/kb';
import { templateFor, type ResponseTemplate } from './templates.js';
import type { Draft, DraftOptions, DraftRequest, DraftResult, OrderFacts, RefundEligibility } from './types.js';

export const DRAFTER_ID = 'template-v1' as const;

const DAY_MS = 24 * 60 * 60 * 1000;
const CONDITION_OK = new Set(['unused', 'new', 'unopened', 'damaged', 'faulty', 'defective', 'damaged_on_arrival']);
const CONDITION_ARRIVED_BAD = new Set(['damaged', 'faulty', 'defective', 'damaged_on_arrival']);
/** Phrases that find the returns-window passage, whatever its wording. */
const RETURN_WINDOW_QUERY = 'return items within days of delivery return window';

function citationOf(r: { articleId: string; passageId: string; articleVersion: string }): Citation {
  return { articleId: r.articleId, passageId: r.passageId, articleVersion: r.articleVersion };
}

/** A first name safe to put in a greeting, or null. */
function greetingName(name: string | undefined): string | null {
  const first = (name ?? '').trim().split(/\s+/)[0] ?? '';
  const clean = first.replace(/[^\p{L}'’-]/gu, '');
  return clean.length > 0 && clean.length <= 30 ? clean.charAt(0).toUpperCase() + clean.slice(1) : null;
}

/** The return window the KB states, in days: the drafter never hard-codes policy numbers. */
export function returnWindowDays(kb: KnowledgeBase): number | null {
  for (const r of kb.search(RETURN_WINDOW_QUERY, { limit: 5, audience: 'customer' })) {
    for (const q of extractQuantities(r.text)) {
      const m = /^window:(\d+):day$/.exec(q.key);
      if (m) return Number(m[1]);
    }
  }
  return null;
}

function pickOrder(request: DraftRequest): OrderFacts | null {
  const orders = request.orders ?? [];
  const mentioned = request.entities.filter((e) => e.kind === 'order_id').map((e) => e.value.toUpperCase());
  const byId = orders.find((o) => mentioned.includes(o.orderId.toUpperCase()));
  if (byId) return byId;
  if (orders.length === 1) return orders[0] ?? null;
  return null;
}

/** Refund eligibility from order facts against the KB's return window and the pack's refund limit. */
export function refundEligibility(request: DraftRequest, kb: KnowledgeBase, now: Date): RefundEligibility {
  const order = pickOrder(request);
  const windowDays = returnWindowDays(kb);
  const reasons: string[] = [];
  const limit = request.refundLimit ?? null;
  if (order === null) {
    reasons.push((request.orders ?? []).length === 0 ? 'no order facts supplied' : 'could not tell which order the customer means');
    return {
      orderId: null, eligible: 'unknown', daysSinceDelivery: null, returnWindowDays: windowDays, withinReturnWindow: null,
      amount: null, refundLimit: limit, withinLimit: null, condition: null, conditionOk: null, needsHumanApproval: true, reasons,
    };
  }

  const delivered = order.deliveredAt ? Date.parse(order.deliveredAt) : Number.NaN;
  const daysSinceDelivery = Number.isNaN(delivered) ? null : Math.floor((now.getTime() - delivered) / DAY_MS);
  const withinReturnWindow = daysSinceDelivery === null || windowDays === null ? null : daysSinceDelivery <= windowDays;
  if (daysSinceDelivery === null) reasons.push('order has no delivery date');
  else if (windowDays === null) reasons.push('the KB states no return window');
  else reasons.push(`delivered ${daysSinceDelivery} day(s) ago; return window is ${windowDays} days: ${withinReturnWindow ? 'inside' : 'outside'}`);

  const condition = order.condition?.trim().toLowerCase() || null;
  const conditionOk = condition === null ? null : CONDITION_OK.has(condition);
  if (condition === null) reasons.push('item condition unknown');
  else if (!conditionOk) reasons.push(`item condition "${condition}" may only qualify for a partial refund`);
  else if (CONDITION_ARRIVED_BAD.has(condition)) reasons.push(`item reported ${condition} on arrival`);

  const withinLimit = limit === null ? null : order.amount <= limit;
  if (limit === null) reasons.push('no AI refund limit given: a human approves');
  else reasons.push(`amount ${order.amount.toFixed(2)} ${withinLimit ? 'within' : 'over'} AI refund limit ${limit.toFixed(2)}`);

  const facts = [withinReturnWindow, conditionOk];
  const eligible = facts.includes(false) ? false : facts.includes(null) ? 'unknown' : true;
  return {
    orderId: order.orderId,
    eligible,
    daysSinceDelivery,
    returnWindowDays: windowDays,
    withinReturnWindow,
    amount: order.amount,
    refundLimit: limit,
    withinLimit,
    condition,
    conditionOk,
    needsHumanApproval: eligible !== true || withinLimit !== true,
    reasons,
  };
}

/** Results within this distance of the best one are equally relevant; further down they are off topic. */
export const RELEVANCE_MARGIN = 0.2;

/**
 * Retrieval for one request under a template: allowed articles only, results that clear the
 * no-answer bar and sit near the best one, the template's usual articles first among those.
 */
function retrieve(request: DraftRequest, kb: KnowledgeBase, template: ResponseTemplate): { results: SearchResult[]; best: number } {
  const allowed = (r: SearchResult) =>
    (template.onlyArticles === undefined || template.onlyArticles.includes(r.articleId)) && !template.excludedArticles.includes(r.articleId);
  const results = kb.search(request.text, { limit: 20, audience: 'customer' }).filter(allowed);
  const best = results[0]?.score ?? 0;
  // Articles that declare they answer the classified intent are kept near their own best and ranked
  // first (issue 12): a password article sharing the word "expire" does not answer a gift-card
  // question. The others stay, in case the intent is wrong; the relevance check decides.
  const answersIntent = (r: SearchResult) => kb.getArticle(r.articleId)?.intents?.includes(request.intent) ?? false;
  const clearing = results.filter((r) => r.score >= NO_ANSWER_THRESHOLD);
  const topOnIntent = clearing.find(answersIntent)?.score ?? Number.POSITIVE_INFINITY;
  const relevant = clearing.filter((r) => r.score >= best - RELEVANCE_MARGIN || (answersIntent(r) && r.score >= topOnIntent - RELEVANCE_MARGIN));
  const rank = (r: SearchResult) => (answersIntent(r) ? 0 : 1) * 2 + (template.preferredArticles.includes(r.articleId) ? 0 : 1);
  return { results: [...relevant].sort((a, b) => rank(a) - rank(b) || b.score - a.score), best };
}

function finding(r: SearchResult): string {
  return `${r.title} — ${r.passageId}@${r.articleVersion} (score ${r.score.toFixed(2)}): ${r.text}`;
}

/**
 * Draft a reply from an approved template and retrieved KB passages. Every factual sentence is a
 * passage sentence carrying its citation; the draft is self-checked with the grounding check and
 * dropped (reason `no_grounding`) if nothing in the KB clears the no-answer threshold.
 */
export function draftReply(request: DraftRequest, kb: KnowledgeBase, options: DraftOptions): DraftResult {
  const template = templateFor(request.area);
  const { results, best } = retrieve(request, kb, template);
  const eligibility = request.area === 'refund' ? refundEligibility(request, kb, options.now) : undefined;
  const eligibilityFindings = eligibility
    ? [`Refund eligibility (${eligibility.orderId ?? 'no order'}): ${String(eligibility.eligible)}; ${eligibility.reasons.join('; ')}${eligibility.needsHumanApproval ? '; needs human approval' : ''}`]
    : [];

  if (results.length === 0) {
    return {
      draft: null,
      reason: 'no_grounding',
      kbFindings: [`No approved article answers this (best score ${best.toFixed(2)} < ${NO_ANSWER_THRESHOLD}).`, ...eligibilityFindings],
      ...(eligibility ? { eligibility } : {}),
    };
  }

  // At most two articles, so a reply stays on one topic.
  const chosen: SearchResult[] = [];
  const articles = new Set<string>();
  for (const r of results) {
    if (chosen.length >= template.maxPassages) break;
    if (!articles.has(r.articleId) && articles.size >= 2) continue;
    articles.add(r.articleId);
    chosen.push(r);
  }
  // Read in article order, so a policy is explained in the sequence the help centre gives it.
  const position = (r: SearchResult) => kb.getArticle(r.articleId)?.passageIds.indexOf(r.passageId) ?? 0;
  chosen.sort((a, b) => a.articleId.localeCompare(b.articleId) || position(a) - position(b));

  const sentences: DraftSentence[] = [];
  const name = greetingName(request.customerName);
  if (name !== null) sentences.push({ text: `Hi ${name},`, citations: [] });
  sentences.push({ text: template.opening, citations: [] });
  for (const passage of chosen) {
    for (const s of splitSentences(passage.text)) {
      if (template.avoidSentences?.test(s)) continue;
      sentences.push({ text: s, citations: [citationOf(passage)] });
    }
  }
  const factual = sentences.filter((s) => s.citations.length > 0).length;
  if (factual === 0) {
    return {
      draft: null,
      reason: 'no_grounding',
      kbFindings: ['Relevant passages exist, but none may be quoted for this area.', ...chosen.map(finding), ...eligibilityFindings],
      ...(eligibility ? { eligibility } : {}),
    };
  }
  sentences.push({ text: template.closing, citations: [] });

  const failures = checkGrounding({ sentences }, kb).filter((v) => !v.passed);
  if (failures.length > 0) {
    return {
      draft: null,
      reason: 'no_grounding',
      kbFindings: [...failures.map((f) => `Self-check failed: ${f.detail}`), ...eligibilityFindings],
      ...(eligibility ? { eligibility } : {}),
    };
  }

  const citations = dedupeCitations(sentences.flatMap((s) => s.citations));
  const draft: Draft = {
    text: sentences.map((s) => s.text).join(' ').replace(/^(Hi [^,]+,) /, '$1\n\n'),
    sentences,
    citations,
    templateId: template.id,
    drafter: DRAFTER_ID,
  };
  return { draft, kbFindings: [...chosen.map(finding), ...eligibilityFindings], ...(eligibility ? { eligibility } : {}) };
}

function dedupeCitations(citations: Citation[]): Citation[] {
  const seen = new Map<string, Citation>();
  for (const c of citations) seen.set(`${c.passageId}@${c.articleVersion}`, c);
  return [...seen.values()];
}
