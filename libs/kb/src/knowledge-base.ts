import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import MiniSearch from 'minisearch';
import { ArticleFormatError, SnapshotError } from './errors.js';
import { parseArticle, shortHash } from './parse.js';
import { normaliseTerm, splitSentences, tokenizeForIndex } from './text.js';
import type {
  Article,
  KbSnapshot,
  KnowledgeBase,
  ParsedArticle,
  Passage,
  SearchOptions,
  SearchResult,
  SkippedArticle,
} from './types.js';

/**
 * Below this calibrated score a search result is not an answer. The score is the idf-weighted share
 * of the query's content terms a passage covers, so the threshold means the same thing for every KB.
 */
export const NO_ANSWER_THRESHOLD = 0.4;

/** Lines and sentences of a message, each a query of its own. */
function querySegments(query: string): string[] {
  return query
    .split(/\n+/)
    .flatMap((line) => splitSentences(line))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Weight of a query term the KB never uses, relative to a term used by one passage. */
const UNKNOWN_TERM_WEIGHT = 0.35;

export interface BuildOptions {
  /** Reference time for `effective`/`expires`. Injected so tests and replicas agree. */
  now: Date;
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Why an article may not be served at `now`, or null when it may. */
export function eligibility(article: Article, now: Date): SkippedArticle | null {
  const today = isoDay(now);
  const base = { articleId: article.id, source: article.source };
  if (!article.approved) return { ...base, reason: 'unapproved', detail: 'approved: false in front matter' };
  if (today < article.effective) return { ...base, reason: 'not_yet_effective', detail: `effective ${article.effective}, today ${today}` };
  if (article.expires !== undefined && today >= article.expires) {
    return { ...base, reason: 'expired', detail: `expired ${article.expires}, today ${today}` };
  }
  return null;
}

export function revisionOf(articles: readonly Article[]): string {
  return shortHash(
    articles
      .map((a) => `${a.id}@${a.version}`)
      .sort()
      .join('\n'),
  );
}

function createIndex(articles: readonly Article[], passages: readonly Passage[], skipped: readonly SkippedArticle[]): KnowledgeBase {
  const articleById = new Map(articles.map((a) => [a.id, a]));
  const passageById = new Map(passages.map((p) => [p.id, p]));

  const processTerm = (term: string): string | null => normaliseTerm(term);
  const mini = new MiniSearch<Passage>({
    fields: ['title', 'heading', 'text'],
    idField: 'id',
    tokenize: tokenizeForIndex,
    processTerm,
  });
  mini.addAll([...passages]);

  // Document frequencies with the same pipeline, for the calibrated score.
  const df = new Map<string, number>();
  const termsByPassage = new Map<string, ReadonlySet<string>>();
  for (const p of passages) {
    const terms = new Set(tokenizeForIndex(`${p.title} ${p.heading} ${p.text}`).flatMap((t) => processTerm(t) ?? []));
    termsByPassage.set(p.id, terms);
    for (const t of terms) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const n = Math.max(passages.length, 1);
  // Words the KB never uses (product names, dates, chatter) count, but less than a rare KB term:
  // they say the message has specifics, not that the KB lacks the topic.
  const unknownWeight = UNKNOWN_TERM_WEIGHT * Math.log((n + 1) / 1.5);
  const idf = (term: string) => {
    const f = df.get(term);
    return f === undefined ? unknownWeight : Math.log((n + 1) / (f + 0.5));
  };

  /** Calibrated coverage and raw BM25 of every passage the text matches. */
  function scoreText(text: string, audience: SearchOptions['audience']): Map<string, { coverage: number; raw: number; matched: Set<string> }> {
    const scores = new Map<string, { coverage: number; raw: number; matched: Set<string> }>();
    const queryTerms = [...new Set(tokenizeForIndex(text).flatMap((t) => processTerm(t) ?? []))];
    if (queryTerms.length === 0) return scores;
    const totalWeight = queryTerms.reduce((sum, t) => sum + idf(t), 0);
    const raw = mini.search(text, {
      combineWith: 'OR',
      boost: { heading: 1.5, title: 1.2 },
      fuzzy: (term) => (term.length > 6 ? 0.15 : false),
      filter: audience === undefined ? undefined : (r) => passageById.get(String(r.id))?.audience === audience,
    });
    for (const r of raw) {
      const matched = new Set(r.queryTerms);
      const matchedWeight = [...matched].reduce((sum, t) => sum + idf(t), 0);
      scores.set(String(r.id), { coverage: Math.min(1, matchedWeight / totalWeight), raw: r.score, matched });
    }
    return scores;
  }

  /** The processed query terms of `text` and their total weight. */
  function termsOf(text: string): { terms: string[]; total: number } {
    const terms = [...new Set(tokenizeForIndex(text).flatMap((t) => processTerm(t) ?? []))];
    return { terms, total: terms.reduce((sum, t) => sum + idf(t), 0) };
  }

  /**
   * A long message is scored whole and sentence by sentence, keeping each passage's best: the one
   * sentence that asks the question should not be diluted by the story around it. One index search
   * serves every sentence: a sentence's terms are the message's, and which of them a passage matched
   * is in the message's result.
   */
  function search(query: string, options: SearchOptions = {}): SearchResult[] {
    const limit = options.limit ?? 5;
    const segments = querySegments(query);
    const whole = scoreText(query, options.audience);
    const best = new Map<string, { coverage: number; raw: number }>();
    for (const [id, score] of whole) best.set(id, { coverage: score.coverage, raw: score.raw });
    if (segments.length > 1) {
      const wholeTerms = new Set(termsOf(query).terms);
      for (const segment of segments) {
        const part = termsOf(segment);
        if (part.terms.length === 0) continue;
        // A phrase rewritten across a sentence boundary can give a sentence terms the message lacks: search it alone.
        const own = part.terms.every((t) => wholeTerms.has(t)) ? undefined : scoreText(segment, options.audience);
        for (const [id, score] of own ?? whole) {
          const matchedWeight = own ? score.coverage * part.total : part.terms.reduce((sum, t) => sum + (score.matched.has(t) ? idf(t) : 0), 0);
          if (matchedWeight <= 0) continue;
          const coverage = own ? score.coverage : Math.min(1, matchedWeight / part.total);
          const previous = best.get(id);
          if (previous === undefined) best.set(id, { coverage, raw: 0 });
          else if (coverage > previous.coverage) best.set(id, { coverage, raw: previous.raw });
        }
      }
    }
    const results: (SearchResult & { raw: number })[] = [];
    for (const [id, { coverage, raw }] of best) {
      const passage = passageById.get(id);
      if (passage === undefined) continue;
      results.push({
        passageId: passage.id,
        articleId: passage.articleId,
        articleVersion: passage.articleVersion,
        title: passage.title,
        heading: passage.heading,
        text: passage.text,
        score: Math.round(coverage * 1000) / 1000,
        raw,
      });
    }
    results.sort((a, b) => b.score - a.score || b.raw - a.raw || a.passageId.localeCompare(b.passageId));
    return results.slice(0, limit).map(({ raw: _raw, ...rest }) => rest);
  }

  return {
    revision: revisionOf(articles),
    articles,
    passages,
    skipped,
    search,
    getArticle: (id) => articleById.get(id),
    getPassage: (id) => passageById.get(id),
    weighTerms: (text) => termsOf(text).terms.map((term) => ({ term, weight: idf(term), known: df.has(term) })),
    passageTerms: (id) => termsByPassage.get(id),
  };
}

/** Build a KB from parsed articles: drops unapproved, not-yet-effective and expired ones (listed in `skipped`). */
export function buildKnowledgeBase(parsed: readonly ParsedArticle[], options: BuildOptions): KnowledgeBase {
  const seen = new Map<string, string>();
  const articles: Article[] = [];
  const passages: Passage[] = [];
  const skipped: SkippedArticle[] = [];
  for (const { article, passages: ps } of parsed) {
    const previous = seen.get(article.id);
    if (previous !== undefined) throw new ArticleFormatError(article.source, 'id', `"${article.id}" is also used by ${previous}`);
    seen.set(article.id, article.source);
    const skip = eligibility(article, options.now);
    if (skip !== null) {
      skipped.push(skip);
      continue;
    }
    articles.push(article);
    passages.push(...ps);
  }
  articles.sort((a, b) => a.id.localeCompare(b.id));
  return createIndex(articles, passages, skipped);
}

async function listArticleFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listArticleFiles(path)));
    else if (entry.isFile() && /\.(md|markdown|html?)$/i.test(entry.name)) out.push(path);
  }
  return out;
}

/** Read every .md/.markdown/.html article under `dir` (recursively) and build the KB. */
export async function ingestDirectory(dir: string, options: Partial<BuildOptions> = {}): Promise<KnowledgeBase> {
  const files = (await listArticleFiles(dir)).sort();
  const parsed: ParsedArticle[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    parsed.push(parseArticle(relative(dir, file), text));
  }
  return buildKnowledgeBase(parsed, { now: options.now ?? new Date() });
}

export function toSnapshot(kb: KnowledgeBase): KbSnapshot {
  return { schemaVersion: 1, revision: kb.revision, articles: [...kb.articles], passages: [...kb.passages] };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Rebuild a KB from a snapshot (object or JSON text). Checks the revision against the contents so a
 * replica never serves a half-written or tampered snapshot under a trusted revision.
 */
export function fromSnapshot(json: string | unknown): KnowledgeBase {
  const data: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  if (!isRecord(data) || data.schemaVersion !== 1) throw new SnapshotError('snapshot: schemaVersion must be 1');
  if (!Array.isArray(data.articles) || !Array.isArray(data.passages) || typeof data.revision !== 'string') {
    throw new SnapshotError('snapshot: needs revision, articles[] and passages[]');
  }
  const articles = data.articles as Article[];
  const passages = data.passages as Passage[];
  for (const [i, a] of articles.entries()) {
    if (!isRecord(a) || typeof a.id !== 'string' || typeof a.version !== 'string' || !Array.isArray(a.passageIds)) {
      throw new SnapshotError(`snapshot: articles[${i}] is malformed`);
    }
  }
  const versions = new Map(articles.map((a) => [a.id, a.version]));
  for (const [i, p] of passages.entries()) {
    if (!isRecord(p) || typeof p.id !== 'string' || typeof p.text !== 'string' || versions.get(p.articleId) !== p.articleVersion) {
      throw new SnapshotError(`snapshot: passages[${i}] is malformed or names an article version not in the snapshot`);
    }
  }
  const revision = revisionOf(articles);
  if (revision !== data.revision) throw new SnapshotError(`snapshot: revision ${data.revision} does not match contents (${revision})`);
  return createIndex(articles, passages, []);
}
