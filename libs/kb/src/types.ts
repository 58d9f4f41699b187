export type Audience = 'customer' | 'agent';

/** Front matter every article must carry. Dates are ISO `YYYY-MM-DD`. */
export interface ArticleMeta {
  id: string;
  title: string;
  audience: Audience;
  approved: boolean;
  effective: string;
  expires?: string;
  /** Classifier intents the article answers; absent when the help centre has not declared them. */
  intents?: string[];
}

export interface Article extends ArticleMeta {
  /** Short sha256 of the normalised front matter and body: changes whenever the article does. */
  version: string;
  /** File the article came from, relative to the ingested directory. */
  source: string;
  format: 'markdown' | 'html';
  passageIds: string[];
}

/** A retrievable unit of 1–4 sentences. `id` is stable across re-ingests of unchanged content. */
export interface Passage {
  id: string;
  articleId: string;
  articleVersion: string;
  title: string;
  heading: string;
  text: string;
  audience: Audience;
}

/** An article exactly as parsed, before the approved/effective filter. */
export interface ParsedArticle {
  article: Article;
  passages: Passage[];
}

export type SkipReason = 'unapproved' | 'expired' | 'not_yet_effective';

export interface SkippedArticle {
  articleId: string;
  source: string;
  reason: SkipReason;
  detail: string;
}

/** Serialisable form: every drafting replica loads the same revision. */
export interface KbSnapshot {
  schemaVersion: 1;
  revision: string;
  articles: Article[];
  passages: Passage[];
}

export interface SearchOptions {
  limit?: number;
  /** Only passages for this audience; default both. Customer-facing drafts pass 'customer'. */
  audience?: Audience;
}

export interface SearchResult {
  passageId: string;
  articleId: string;
  articleVersion: string;
  title: string;
  heading: string;
  text: string;
  /** Calibrated relevance in [0, 1]: idf-weighted share of the query's terms the passage covers. */
  score: number;
}

export interface KnowledgeBase {
  /** Hash over every served article's id and version. */
  readonly revision: string;
  readonly articles: readonly Article[];
  readonly passages: readonly Passage[];
  /** Articles left out at ingest and why (empty after `fromSnapshot`). */
  readonly skipped: readonly SkippedArticle[];
  search(query: string, options?: SearchOptions): SearchResult[];
  getArticle(id: string): Article | undefined;
  getPassage(id: string): Passage | undefined;
  /** The processed terms of `text` (as search reads them), each with its weight in this KB (idf). */
  weighTerms(text: string): WeightedTerm[];
  /** The processed terms of one passage: its title, heading and text. */
  passageTerms(passageId: string): ReadonlySet<string> | undefined;
}

export interface WeightedTerm {
  term: string;
  weight: number;
  /** False for a word no served passage uses. */
  known: boolean;
}
