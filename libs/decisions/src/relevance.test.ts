import { describe, expect, it } from 'vitest';
import { Relevance, RelevanceCheck } from '@handrail/contracts';
import type { Passage } from '@handrail/kb';
import { concludeAfterDraft } from './conclude.js';
import { NO_ANSWER, noAnswerReason, semanticScorer, type SentenceEncoder } from './relevance.js';

const failed = Relevance.fromPartial({
  passed: false,
  failedCheck: RelevanceCheck.RELEVANCE_CHECK_KEY_TERMS,
  detail: 'the cited passages cover 19% of the question\'s key terms (gate 20%); not covered: match, retail',
  intent: 'shipping_times',
  articleIntents: ['order_status', 'shipping_times'],
  intentMatched: true,
  keyTermCoverage: 0.191,
  keyTermThreshold: 0.2,
  uncoveredTerms: ['match', 'retail'],
  hasSemantic: true,
  semanticSimilarity: 0.448,
  semanticThreshold: 0.425,
  encoderVersion: 'use-lite@0.2.0',
  semanticRank: 6,
  semanticRankGate: 8,
});
const ok = { check: 'grounding', passed: true, code: 'grounded', detail: '', evidence: [] };

describe('no_answer', () => {
  it('no_answer — a grounded draft that does not answer escalates with the figures that decided it (issue 12)', () => {
    const c = concludeAfterDraft('auto_resolved', [], { hasDraft: true, verdicts: [ok], relevance: failed, noAnswer: 'escalate' });
    expect(c.route).toBe('escalated');
    expect(c.reasons).toHaveLength(1);
    expect(c.reasons[0]).toMatchObject({ code: NO_ANSWER, rule: 'drafting.relevance' });
    expect(c.reasons[0]?.evidence).toEqual([
      'failed_check=RELEVANCE_CHECK_KEY_TERMS',
      'intent=shipping_times',
      'article_intents=order_status|shipping_times',
      'key_term_coverage=0.191 (gate 0.2)',
      'uncovered=match|retail',
      'similarity=0.448 (gate 0.425, use-lite@0.2.0)',
      'rank=6 (gate 8)',
    ]);
  });

  it('no_answer — with escalation.no_answer: draft, a person approves it instead; it is never auto-sent', () => {
    expect(concludeAfterDraft('auto_resolved', [], { hasDraft: true, verdicts: [ok], relevance: failed, noAnswer: 'draft' }).route).toBe('awaiting_approval');
  });

  it('no_answer — a draft that answers takes its intended route; an event without relevance is not judged on it', () => {
    const passed = Relevance.fromPartial({ ...failed, passed: true, failedCheck: RelevanceCheck.RELEVANCE_CHECK_UNSPECIFIED });
    expect(concludeAfterDraft('auto_resolved', [], { hasDraft: true, verdicts: [ok], relevance: passed }).route).toBe('auto_resolved');
    expect(concludeAfterDraft('auto_resolved', [], { hasDraft: true, verdicts: [ok] }).route).toBe('auto_resolved');
  });

  it('no_answer — failed checks and no_answer are both named', () => {
    const bad = { check: 'tone', passed: false, code: 'tone_violation', detail: 'x', evidence: ['y'] };
    const c = concludeAfterDraft('auto_resolved', [], { hasDraft: true, verdicts: [bad], relevance: failed, noAnswer: 'draft' });
    expect(c.route).toBe('escalated');
    expect(c.reasons.map((r) => r.code)).toEqual([NO_ANSWER, 'tone_violation']);
  });

  it('no_answer — the reason without an encoder names no similarity', () => {
    const lexical = Relevance.fromPartial({ ...failed, hasSemantic: false, semanticSimilarity: 0, encoderVersion: '' });
    expect(noAnswerReason(lexical).evidence.some((e) => e.startsWith('similarity='))).toBe(false);
  });
});

describe('semantic scorer', () => {
  const passage = (id: string, text: string): Passage => ({ id, articleId: id.split('#')[0] ?? id, articleVersion: 'v1', title: 'T', heading: 'H', text, audience: 'customer' });
  /** Vectors by first letter: texts starting alike point alike. */
  function fakeEncoder(): SentenceEncoder & { calls: string[][] } {
    const calls: string[][] = [];
    return {
      version: 'fake@1',
      calls,
      embed: (texts) => {
        calls.push([...texts]);
        return Promise.resolve(texts.map((t) => (t.replace(/^H\. /, '').startsWith('A') ? new Float32Array([1, 0]) : new Float32Array([0.6, 0.8]))));
      },
    };
  }

  it('semantic — the best cosine over the cited passages; passages are embedded once per version', async () => {
    const enc = fakeEncoder();
    const s = semanticScorer(enc);
    const a = passage('a#1', 'Apples.');
    const b = passage('b#1', 'Bananas.');
    // Apples is closer to an "A" message than Bananas: citing Bananas ranks 2nd.
    expect(await s.measure('A question', [b], [b])).toEqual({ similarity: 0.6, rank: 1 });
    expect(await s.measure('A question', [b], [a, b])).toEqual({ similarity: 0.6, rank: 2 });
    expect(await s.measure('Another', [a, b], [a, b])).toEqual({ similarity: 1, rank: 1 });
    // The message each time; each passage once.
    expect(enc.calls).toEqual([['A question'], ['H. Bananas.'], ['A question'], ['H. Apples.'], ['Another']]);
    expect(s.version).toBe('fake@1');
  });

  it('semantic — drafts in flight at once share one embedding of the help centre (issue 12: a start-up burst embedded it per draft)', async () => {
    const enc = fakeEncoder();
    const s = semanticScorer(enc);
    const all = ['Apples.', 'Bananas.', 'Cherries.'].map((t, i) => passage(`p${i}#1`, t));
    await Promise.all([s.warm(all), ...Array.from({ length: 20 }, (_, i) => s.measure(`A question ${i}`, [all[0] as Passage], all))]);
    const passageTexts = enc.calls.flat().filter((t) => t.startsWith('H. '));
    expect(passageTexts.sort()).toEqual(['H. Apples.', 'H. Bananas.', 'H. Cherries.']);
  });

  it('semantic — a failed passage embedding is retried by the next draft, not cached', async () => {
    let fail = true;
    const enc: SentenceEncoder = {
      version: 'flaky@1',
      embed: (texts) => (fail ? Promise.reject(new Error('model not loaded')) : Promise.resolve(texts.map(() => new Float32Array([1, 0])))),
    };
    const s = semanticScorer(enc);
    const a = passage('a#1', 'Apples.');
    await expect(s.measure('A question', [a], [a])).rejects.toThrow('model not loaded');
    fail = false;
    expect(await s.measure('A question', [a], [a])).toEqual({ similarity: 1, rank: 1 });
  });
});
