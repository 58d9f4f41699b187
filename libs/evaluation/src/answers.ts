import { readFile } from 'node:fs/promises';
import { Ticket } from '@handrail/contracts';
import type { ClassifierModels } from '@handrail/classifier';
import { decideTicket, type RelevanceOptions, type SemanticScorer } from '@handrail/decisions';
import { ROUTE, type RouteName } from '@handrail/events';
import { isYesNoQuestion, RELEVANCE_GATES, type KnowledgeBase, type RelevanceGates } from '@handrail/kb';
import type { PolicyPack } from '@handrail/policy';
import { DatasetError } from './errors.js';

/**
 * `make eval-answers` (issue 12): questions about the demo help centre, answerable (with the article
 * that answers them) and not, through `decideTicket` — the stages the services run. A reply sent
 * for an unanswerable question, or citing no article that answers it, is a wrong answer sent.
 */
export interface AnswerQuestion {
  id: string;
  text: string;
  answerable: boolean;
  /** The article that answers it (answerable questions only). */
  article?: string | undefined;
}

export type AnswerOutcome = 'right_sent' | 'wrong_sent' | 'held';

export interface AnswerRow {
  id: string;
  text: string;
  answerable: boolean;
  expected?: string | undefined;
  route: RouteName | 'unknown';
  outcome: AnswerOutcome;
  intent: string;
  citedArticles: string[];
  reasons: string[];
  /** From the drafted event, when there was a draft. */
  relevance?: { passed: boolean; failedCheck: string; intentMatched: boolean; keyTermCoverage: number; uncoveredTerms: string[]; semantic?: number | undefined; rank?: number | undefined } | undefined;
}

export async function loadAnswerQuestions(file: string): Promise<AnswerQuestion[]> {
  const text = await readFile(file, 'utf8');
  const out: AnswerQuestion[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new DatasetError(file, i + 1, 'not JSON');
    }
    const q = raw as Partial<AnswerQuestion>;
    if (typeof q.id !== 'string' || typeof q.text !== 'string' || typeof q.answerable !== 'boolean') {
      throw new DatasetError(file, i + 1, 'needs id (string), text (string) and answerable (boolean)');
    }
    if (q.answerable && typeof q.article !== 'string') throw new DatasetError(file, i + 1, 'an answerable question names its article');
    out.push({ id: q.id, text: q.text, answerable: q.answerable, article: q.article });
  }
  return out;
}

export interface AnswerEvalDeps {
  pack: PolicyPack;
  policyRevision: string;
  /** The classifier stage's models, as the classifier service trains them. */
  models: ClassifierModels;
  kb: KnowledgeBase;
  semantic?: SemanticScorer | undefined;
  gates?: RelevanceGates | undefined;
  /** The tickets' received time (the KB's effective dates are read at it). */
  now: Date;
}

export async function runAnswerEval(questions: readonly AnswerQuestion[], d: AnswerEvalDeps): Promise<AnswerRow[]> {
  const relevance: RelevanceOptions = { semantic: d.semantic, gates: d.gates };
  const rows: AnswerRow[] = [];
  for (const q of questions) {
    const ticket = Ticket.fromPartial({
      ticketId: `eval-${q.id}`,
      connector: 'eval',
      externalId: q.id,
      customerId: `c-${q.id}`,
      channel: 'email',
      body: q.text,
      receivedAt: d.now.toISOString(),
      customer: { customerId: `c-${q.id}`, tier: 'standard' },
    });
    const decision = await decideTicket({ ticket }, { policy: { pack: d.pack, revision: d.policyRevision }, kb: { kb: d.kb, revision: d.kb.revision }, classify: { classifier: d.models.classifier, semantic: d.models.semantic }, relevance });
    const route = ROUTE.name(decision.concluded.route) ?? 'unknown';
    const citedArticles = [...new Set(decision.reply?.citations.map((c) => c.articleId) ?? [])];
    const outcome: AnswerOutcome =
      route !== 'auto_resolved' ? 'held' : q.answerable && q.article !== undefined && citedArticles.includes(q.article) ? 'right_sent' : 'wrong_sent';
    const r = decision.drafted?.relevance;
    rows.push({
      id: q.id,
      text: q.text,
      answerable: q.answerable,
      expected: q.article,
      route,
      outcome,
      intent: decision.classified.classification?.intent ?? '',
      citedArticles: [...new Set(decision.drafted?.draft?.citations.map((c) => c.articleId) ?? [])],
      reasons: decision.concluded.reasons.map((x) => x.code),
      relevance: r && {
        passed: r.passed,
        failedCheck: r.failedCheck,
        intentMatched: r.intentMatched,
        keyTermCoverage: r.keyTermCoverage,
        uncoveredTerms: r.uncoveredTerms,
        semantic: r.hasSemantic ? r.semanticSimilarity : undefined,
        rank: r.hasSemantic ? r.semanticRank : undefined,
      },
    });
  }
  return rows;
}

export interface AnswerSummary {
  questions: number;
  answerable: number;
  unanswerable: number;
  wrongSent: number;
  /** Wrong answers sent to unanswerable questions, and to answerable ones from the wrong article. */
  wrongSentUnanswerable: number;
  wrongSentWrongArticle: number;
  rightSent: number;
  /** rightSent / answerable. */
  rightSentRate: number;
  held: number;
  heldAnswerable: number;
  heldByReason: Record<string, number>;
}

export function summariseAnswers(rows: readonly AnswerRow[]): AnswerSummary {
  const answerable = rows.filter((r) => r.answerable).length;
  const wrong = rows.filter((r) => r.outcome === 'wrong_sent');
  const right = rows.filter((r) => r.outcome === 'right_sent').length;
  const held = rows.filter((r) => r.outcome === 'held');
  const heldByReason: Record<string, number> = {};
  for (const r of held) for (const code of new Set(r.reasons.length > 0 ? r.reasons : [r.route])) heldByReason[code] = (heldByReason[code] ?? 0) + 1;
  return {
    questions: rows.length,
    answerable,
    unanswerable: rows.length - answerable,
    wrongSent: wrong.length,
    wrongSentUnanswerable: wrong.filter((r) => !r.answerable).length,
    wrongSentWrongArticle: wrong.filter((r) => r.answerable).length,
    rightSent: right,
    rightSentRate: answerable === 0 ? 0 : Math.round((right / answerable) * 1000) / 1000,
    held: held.length,
    heldAnswerable: held.filter((r) => r.answerable).length,
    heldByReason,
  };
}

export interface GateChoice {
  gates: RelevanceGates;
  /** On the calibration rows: what these gates give. */
  wrongSent: number;
  rightSent: number;
  sweep: Array<{ keyTermCoverage: number; semanticSimilarity: number; semanticRank: number; wrongSent: number; rightSent: number }>;
}

/**
 * Gates from a calibration run made with open gates (every draft passes the key-term and semantic
 * checks, so the row shows what would be sent): the pair that sends no wrong answer and the most
 * right ones; among equals, the middle of the widest run of semantic gates, then of key-term gates
 * at it — margin on both sides rather than a gate hugging one example.
 */
export function chooseGates(open: readonly AnswerRow[], semantic: boolean): GateChoice {
  const keyGrid = Array.from({ length: 21 }, (_, i) => Math.round(i * 5) / 100);
  const semGrid = semantic ? Array.from({ length: 41 }, (_, i) => Math.round(i * 25) / 1000) : [0];
  // Ranks 1…11, and 12 for "no rank gate".
  const rankGrid = semantic ? Array.from({ length: 12 }, (_, i) => i + 1) : [RANK_OFF_GRID];
  const outcomeAt = (r: AnswerRow, k: number, s: number, n: number): AnswerOutcome => {
    if (r.route !== 'auto_resolved' || r.relevance === undefined) return r.outcome;
    const rel = r.relevance;
    const close = !semantic || rel.semantic === undefined || (rel.semantic >= s && (n === RANK_OFF_GRID || (rel.rank ?? 0) <= n));
    // The yes/no gate is set by construction, not swept (RELEVANCE_GATES.yesNoKeyTermCoverage).
    const keyGate = Math.max(k, isYesNoQuestion(r.text) ? RELEVANCE_GATES.yesNoKeyTermCoverage : 0);
    return rel.keyTermCoverage >= keyGate && close ? r.outcome : 'held';
  };
  const sweep = rankGrid.flatMap((n) =>
    semGrid.flatMap((s) =>
      keyGrid.map((k) => {
        const outcomes = open.map((r) => outcomeAt(r, k, s, n));
        return { keyTermCoverage: k, semanticSimilarity: s, semanticRank: n, wrongSent: outcomes.filter((o) => o === 'wrong_sent').length, rightSent: outcomes.filter((o) => o === 'right_sent').length };
      }),
    ),
  );
  const fewestWrong = Math.min(...sweep.map((x) => x.wrongSent));
  const safe = sweep.filter((x) => x.wrongSent === fewestWrong);
  const mostRight = Math.max(...safe.map((x) => x.rightSent));
  const best = safe.filter((x) => x.rightSent === mostRight);
  const rank = middleOfWidestRun([...new Set(best.map((x) => x.semanticRank))].sort((a, b) => a - b), 1);
  const atRank = best.filter((x) => x.semanticRank === rank);
  const sem = middleOfWidestRun([...new Set(atRank.map((x) => x.semanticSimilarity))].sort((a, b) => a - b), 0.025);
  const key = middleOfWidestRun(atRank.filter((x) => x.semanticSimilarity === sem).map((x) => x.keyTermCoverage).sort((a, b) => a - b), 0.05);
  const semanticRank = rank === RANK_OFF_GRID ? RANK_OFF : rank;
  // Without an encoder the key-term gate is the lexical-only one.
  const yesNoKeyTermCoverage = RELEVANCE_GATES.yesNoKeyTermCoverage;
  const gates = semantic
    ? { keyTermCoverage: key, semanticSimilarity: sem, lexicalOnlyKeyTermCoverage: key, semanticRank, yesNoKeyTermCoverage }
    : { keyTermCoverage: key, semanticSimilarity: 0, lexicalOnlyKeyTermCoverage: key, semanticRank: RANK_OFF, yesNoKeyTermCoverage };
  return { gates, wrongSent: fewestWrong, rightSent: mostRight, sweep };
}

/** The rank gate that never holds anything, and its place on the sweep's grid. */
const RANK_OFF = 1000;
const RANK_OFF_GRID = 12;

/** The middle value of the longest run of consecutive grid values (step apart) in sorted `values`. */
function middleOfWidestRun(values: readonly number[], step: number): number {
  let run: number[] = [];
  let widest: number[] = [];
  for (const v of values) {
    run = run.length > 0 && Math.abs(v - (run[run.length - 1] ?? 0) - step) < 1e-9 ? [...run, v] : [v];
    if (run.length > widest.length) widest = run;
  }
  return widest[Math.floor((widest.length - 1) / 2)] ?? 0;
}
