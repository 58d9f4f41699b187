import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseGates, loadAnswerQuestions, summariseAnswers, type AnswerRow } from './answers.js';

const row = (id: string, answerable: boolean, outcome: AnswerRow['outcome'], coverage?: number, semantic?: number): AnswerRow => ({
  id,
  text: id,
  answerable,
  route: outcome === 'held' ? 'escalated' : 'auto_resolved',
  outcome,
  intent: 'x',
  citedArticles: [],
  reasons: outcome === 'held' ? ['low_confidence'] : [],
  relevance: coverage === undefined ? undefined : { passed: true, failedCheck: '', intentMatched: true, keyTermCoverage: coverage, uncoveredTerms: [], semantic },
});

describe('eval-answers', () => {
  it('answers — a bad line is refused with its file and line number', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'answers-'));
    const file = join(dir, 'q.jsonl');
    await writeFile(file, '{"id":"a","text":"t","answerable":false}\n{"id":"b","text":"t","answerable":true}\n');
    await expect(loadAnswerQuestions(file)).rejects.toThrow(`${file}:2: an answerable question names its article`);
    await writeFile(file, 'nope\n');
    await expect(loadAnswerQuestions(file)).rejects.toThrow(`${file}:1: not JSON`);
  });

  it('answers — the summary counts wrong answers sent by kind, right ones against the answerable, and held by reason', () => {
    const s = summariseAnswers([row('a', true, 'right_sent', 1), row('b', true, 'wrong_sent', 1), row('c', false, 'wrong_sent', 1), row('d', true, 'held'), row('e', false, 'held')]);
    expect(s).toMatchObject({ questions: 5, answerable: 3, wrongSent: 2, wrongSentUnanswerable: 1, wrongSentWrongArticle: 1, rightSent: 1, rightSentRate: 0.333, held: 2, heldAnswerable: 1 });
    expect(s.heldByReason).toEqual({ low_confidence: 2 });
  });

  it('answers — gates come from the calibration rows: none wrong, most right, the middle of the widest safe run', () => {
    // Right answers cover ≥ 0.5; the unanswerable one sent with open gates covers 0.3.
    const rows = [row('r1', true, 'right_sent', 0.5, 0.6), row('r2', true, 'right_sent', 0.9, 0.7), row('w1', false, 'wrong_sent', 0.3, 0.65)];
    const lexical = chooseGates(rows, false);
    expect(lexical).toMatchObject({ wrongSent: 0, rightSent: 2 });
    // Safe and best: 0.35, 0.40, 0.45, 0.50 → middle 0.40.
    expect(lexical.gates.keyTermCoverage).toBe(0.4);
    const semantic = chooseGates([row('r1', true, 'right_sent', 0.9, 0.6), row('w1', false, 'wrong_sent', 0.9, 0.4)], true);
    expect(semantic).toMatchObject({ wrongSent: 0, rightSent: 1 });
    expect(semantic.gates.semanticSimilarity).toBeGreaterThan(0.4);
    expect(semantic.gates.semanticSimilarity).toBeLessThanOrEqual(0.6);
  });
});
