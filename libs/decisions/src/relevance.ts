import { Relevance, RelevanceCheck, type Draft, type Reason } from '@handrail/contracts';
import { assessRelevance, type KnowledgeBase, type Passage, type RelevanceAssessment, type RelevanceGates, type SemanticMeasure } from '@handrail/kb';

/** The escalation reason of a draft that is grounded but does not answer the message (issue 12). */
export const NO_ANSWER = 'no_answer';

/**
 * A sentence encoder, as `@handrail/encoder` provides it (`createEncoder()`): injected, so the
 * decision code stays pure and tests can pass any implementation.
 */
export interface SentenceEncoder {
  readonly version: string;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Scores how close a message is to passages; passages are embedded once per version and cached. */
export interface SemanticScorer {
  readonly version: string;
  /**
   * Best cosine between `message` and any of `cited`, and that passage's rank among `all` (the KB's
   * customer passages) by cosine to the message.
   */
  measure(message: string, cited: readonly Passage[], all: readonly Passage[]): Promise<{ similarity: number; rank: number }>;
  /** Embeds passages ahead of the first draft (start-up, a new KB revision); concurrent callers share the work. */
  warm(passages: readonly Passage[]): Promise<void>;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

const PASSAGE_CACHE_SIZE = 4096;

/** What the encoder reads of a passage: its heading says what the text is about. */
export function passageText(p: Pick<Passage, 'title' | 'heading' | 'text'>): string {
  return `${p.heading || p.title}. ${p.text}`;
}

/** A help centre's passages as the texts the scorer embeds: the ones whose vectors may be kept on disk. */
export function passageTexts(kb: { passages: readonly Pick<Passage, 'title' | 'heading' | 'text'>[] }): Set<string> {
  return new Set(kb.passages.map(passageText));
}

export function semanticScorer(encoder: SentenceEncoder): SemanticScorer {
  // One embedding per passage version, shared by every caller: a burst of concurrent drafts right after
  // start-up (or a KB revision) used to embed the whole help centre once per draft in flight.
  const cache = new Map<string, Promise<Float32Array>>();
  const key = (p: Passage) => `${p.id}@${p.articleVersion}`;
  const vectorsOf = (passages: readonly Passage[]): Promise<Float32Array>[] => {
    const missing = passages.filter((p) => !cache.has(key(p)));
    if (missing.length > 0) {
      const batch = encoder.embed(missing.map(passageText));
      missing.forEach((p, i) => {
        if (cache.size >= PASSAGE_CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
        const v = batch.then((vs) => {
          const vector = vs[i];
          if (vector === undefined) throw new Error(`encoder returned no vector for passage ${p.id}`);
          return vector;
        });
        // A failed batch is forgotten, so the next draft tries again rather than failing forever.
        v.catch(() => cache.delete(key(p)));
        cache.set(key(p), v);
      });
    }
    return passages.map((p) => cache.get(key(p)) ?? Promise.reject(new Error(`passage ${p.id} has no vector`)));
  };
  return {
    version: encoder.version,
    async warm(passages) {
      await Promise.all(vectorsOf(passages));
    },
    async measure(message, cited, all) {
      if (cited.length === 0) return { similarity: 0, rank: 0 };
      const passages = [...new Map([...cited, ...all].map((p) => [key(p), p])).values()];
      const [[query], vectors] = await Promise.all([encoder.embed([message]), Promise.all(vectorsOf(passages))]);
      if (query === undefined) return { similarity: 0, rank: 0 };
      const byKey = new Map(passages.map((p, i) => [key(p), vectors[i]]));
      const score = (p: Passage) => {
        const v = byKey.get(key(p));
        return v === undefined ? -1 : Math.round(cosine(query, v) * 1000) / 1000;
      };
      const best = Math.max(...cited.map(score));
      const rank = 1 + all.filter((p) => score(p) > best).length;
      return { similarity: best, rank };
    },
  };
}

const CHECK: Record<NonNullable<RelevanceAssessment['failedCheck']>, RelevanceCheck> = {
  intent: RelevanceCheck.RELEVANCE_CHECK_INTENT,
  key_terms: RelevanceCheck.RELEVANCE_CHECK_KEY_TERMS,
  semantic: RelevanceCheck.RELEVANCE_CHECK_SEMANTIC,
};

export function relevanceMessage(a: RelevanceAssessment): Relevance {
  return Relevance.fromPartial({
    passed: a.passed,
    failedCheck: a.failedCheck === undefined ? RelevanceCheck.RELEVANCE_CHECK_UNSPECIFIED : CHECK[a.failedCheck],
    detail: a.detail,
    intent: a.intent,
    articleIntents: a.articleIntents,
    intentMatched: a.intentMatched,
    keyTermCoverage: a.keyTermCoverage,
    keyTermThreshold: a.keyTermThreshold,
    keyTerms: a.keyTerms,
    uncoveredTerms: a.uncoveredTerms,
    hasSemantic: a.semantic !== undefined,
    semanticSimilarity: a.semantic?.similarity ?? 0,
    semanticThreshold: a.semantic?.threshold ?? 0,
    encoderVersion: a.semantic?.encoderVersion ?? '',
    semanticRank: a.semantic?.rank ?? 0,
    semanticRankGate: a.semantic?.rankGate ?? 0,
  });
}

/** How the drafting stage judges relevance: the encoder (optional) and the gates (calibrated defaults). */
export interface RelevanceOptions {
  semantic?: SemanticScorer | undefined;
  gates?: RelevanceGates | undefined;
}

export interface DraftRelevanceInput {
  message: string;
  intent: string;
  draft: Draft;
  kb: KnowledgeBase;
  semantic?: SemanticScorer | undefined;
  gates?: RelevanceGates | undefined;
}

/** Whether a draft answers the message: the drafting stage records this on `drafted`. */
export async function draftRelevance(i: DraftRelevanceInput): Promise<Relevance> {
  const citedPassageIds = [...new Set(i.draft.sentences.flatMap((s) => s.citations.map((c) => c.passageId)))];
  const passages = citedPassageIds.map((id) => i.kb.getPassage(id)).filter((p): p is Passage => p !== undefined);
  let semantic: SemanticMeasure | undefined;
  if (i.semantic !== undefined && passages.length > 0) {
    const all = i.kb.passages.filter((p) => p.audience === 'customer');
    semantic = { ...(await i.semantic.measure(i.message, passages, all)), encoderVersion: i.semantic.version };
  }
  return relevanceMessage(assessRelevance({ message: i.message, intent: i.intent, citedPassageIds, semantic }, i.kb, i.gates));
}

/** The `no_answer` reason for a failed assessment, with the figures that decided it. */
export function noAnswerReason(r: Relevance): Reason {
  const evidence = [
    `failed_check=${r.failedCheck}`,
    `intent=${r.intent}`,
    `article_intents=${r.articleIntents.join('|')}`,
    `key_term_coverage=${r.keyTermCoverage.toFixed(3)} (gate ${r.keyTermThreshold})`,
    ...(r.uncoveredTerms.length > 0 ? [`uncovered=${r.uncoveredTerms.join('|')}`] : []),
    ...(r.hasSemantic ? [`similarity=${r.semanticSimilarity.toFixed(3)} (gate ${r.semanticThreshold}, ${r.encoderVersion})`, `rank=${r.semanticRank} (gate ${r.semanticRankGate})`] : []),
  ];
  return { code: NO_ANSWER, rule: 'drafting.relevance', detail: `the draft does not answer the message: ${r.detail}`, evidence };
}
