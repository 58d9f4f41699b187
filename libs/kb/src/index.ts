export type {
  Article,
  ArticleMeta,
  Audience,
  KbSnapshot,
  KnowledgeBase,
  ParsedArticle,
  Passage,
  SearchOptions,
  SearchResult,
  SkippedArticle,
  SkipReason,
  WeightedTerm,
} from './types.js';
export { ArticleFormatError, SnapshotError } from './errors.js';
export { parseArticle, articleVersion, htmlToMarkdown } from './parse.js';
export {
  NO_ANSWER_THRESHOLD,
  buildKnowledgeBase,
  eligibility,
  fromSnapshot,
  ingestDirectory,
  revisionOf,
  toSnapshot,
} from './knowledge-base.js';
export type { BuildOptions } from './knowledge-base.js';
export { MIN_TERM_SUPPORT, checkGrounding, groundingFailures } from './grounding.js';
export type { Citation, DraftSentence, GroundingCode, GroundingDraft, GroundingVerdict } from './grounding.js';
export { contentTerms, extractQuantities, splitSentences } from './text.js';
export type { Quantity } from './text.js';
export { RELEVANCE_GATES, assessRelevance, isYesNoQuestion, keyTermsOf, questionFocus, questionSegments } from './relevance.js';
export type { RelevanceAssessment, RelevanceCheckName, RelevanceGates, RelevanceInput, SemanticMeasure } from './relevance.js';
