import { describe, expect, it } from 'vitest';
import { DraftProposed, Relevance, RelevanceCheck } from '@handrail/contracts';
import { newEvent } from '@handrail/events';
import { explainTimeline } from './timeline.js';

const producer = { service: 'test', version: '0', instance: 't' };
const draft = { text: 'Express shipping takes 2-3 business days.', sentences: [], citations: [{ articleId: 'shipping-times', passageId: 'shipping-times#delivery-speeds-2', articleVersion: 'v1' }], templateId: 'status-v1', drafter: 'template-v1' };

function drafted(relevance: Relevance) {
  return newEvent({ kind: 'drafted', value: DraftProposed.fromPartial({ draft, relevance }), ticketId: 't1', producer, now: new Date('2026-06-01T12:00:00Z'), correlationId: 'c' });
}

describe('explain timeline', () => {
  it('explain — the drafted step says whether the draft answers the message, and why not (issue 12)', () => {
    const failed = Relevance.fromPartial({
      passed: false, failedCheck: RelevanceCheck.RELEVANCE_CHECK_KEY_TERMS, detail: 'not covered: match, retail', intent: 'shipping_times', articleIntents: ['shipping_times'],
      keyTermCoverage: 0.191, keyTermThreshold: 0.2, uncoveredTerms: ['match', 'retail'], hasSemantic: true, semanticSimilarity: 0.448, semanticThreshold: 0.425, encoderVersion: 'use-lite@0.2.0',
    });
    const [step] = explainTimeline([drafted(failed)]);
    expect(step?.summary).toMatch(/does NOT answer the message: key terms 19% \(gate 20%\), similarity 0\.448 \(gate 0\.425, use-lite@0\.2\.0\)/);
    expect(step?.rules).toEqual([{ code: 'no_answer', rule: 'drafting.relevance', detail: 'not covered: match, retail', evidence: ['intent=shipping_times', 'article_intents=shipping_times', 'uncovered=match|retail'] }]);
    const [ok] = explainTimeline([drafted(Relevance.fromPartial({ ...failed, passed: true, failedCheck: RelevanceCheck.RELEVANCE_CHECK_UNSPECIFIED }))]);
    expect(ok?.summary).toMatch(/answers the message/);
    expect(ok?.rules).toEqual([]);
  });
});
