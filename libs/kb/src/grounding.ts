import { stemmer } from 'stemmer';
import { contentTerms, extractQuantities, hasNegation, splitSentences, words, type Quantity } from './text.js';
import type { KnowledgeBase, Passage } from './types.js';

export interface Citation {
  articleId: string;
  passageId: string;
  articleVersion: string;
}

export interface DraftSentence {
  text: string;
  citations: Citation[];
}

export interface GroundingDraft {
  sentences: DraftSentence[];
}

export type GroundingCode = 'grounded' | 'no_claim' | 'ungrounded_claim';

export interface GroundingVerdict {
  check: 'grounding';
  passed: boolean;
  code: GroundingCode;
  detail: string;
  /** The sentence judged. */
  evidence: string[];
  sentenceIndex: number;
}

/** Share of a sentence's content terms that must appear in its cited passages. */
export const MIN_TERM_SUPPORT = 0.6;

/** Words of courtesy: a sentence made only of these (and stopwords) claims nothing. */
const COURTESY = new Set(
  (
    'thank thanks reaching reach sorry hear happy glad hope wish wishes best team northwind goods great day welcome ' +
    'question questions message reply apologise apologize apologies inconvenience frustrating frustration understand ' +
    'look forward assist assistance appreciate patience kind kindly warm warmly sincerely care today else anything ' +
    'lovely nice wonderful support writing write contacting touch trouble hassle bother'
  )
    .split(' ')
    .map((w) => stemmer(w)),
);

/** Courtesy phrases removed before judging, so "feel free to reply" does not read as a claim about "free". */
const COURTESY_PHRASES = [
  /\bfeel free to\b/gi,
  /\bhave a (?:great|good|lovely|nice) (?:day|week|weekend)\b/gi,
  /\blet(?:ting)? (?:us|me) know\b/gi,
  /\breach(?:ing)? out\b/gi,
  /\bget(?:ting)? in touch\b/gi,
];

const GREETING = /^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))(?:\s+[A-Z][\p{L}'’-]*){0,3}\s*[,!.]?$/iu;

/**
 * Words that change what is promised: scope (only, every), price (free, full), outcome (refund,
 * replacement, repair) and substitution (similar, instead). Each must appear, in some inflection, in
 * the cited passage: "we send a similar item" is not backed by "we refund the item".
 */
const CRITICAL_STEMS = new Set(
  [
    'free', 'full', 'partial', 'cash', 'always', 'only', 'guarantee', 'automatic', 'automatically', 'immediately',
    'instantly', 'anytime', 'lifetime', 'unlimited', 'waive', 'every', 'double', 'bonus', 'compensation', 'credit',
    'interest', 'still', 'straight', 'safe', 'harmless', 'tested', 'certified', 'refund', 'replacement', 'replace',
    'repair', 'exchange', 'similar', 'equivalent', 'alternative', 'substitute', 'insurance', 'insured', 'expire',
  ].map((w) => stemmer(w)),
);

// "Northwind" is not ignored: "paid by Northwind" against "paid by the customer" swaps who pays.
const CAPITALISED_IGNORE = new Set(['I', 'We', 'You', 'Your', 'Our', 'If', 'Please', 'The']);

function stripCourtesy(text: string): string {
  return COURTESY_PHRASES.reduce((t, re) => t.replace(re, ' '), text);
}

function claimTerms(text: string): string[] {
  return [...new Set(contentTerms(stripCourtesy(text)))].filter((t) => !COURTESY.has(t));
}

/** What the check reads from one draft sentence, once. */
interface Claim {
  text: string;
  quantities: Quantity[];
  terms: string[];
}

function claimOf(text: string): Claim {
  return { text, quantities: extractQuantities(text), terms: claimTerms(text) };
}

function makesNoClaim(text: string): boolean {
  const trimmed = text.trim();
  if (GREETING.test(trimmed)) return true;
  // Cheapest first: most sentences that claim anything have a content term.
  return claimTerms(trimmed).length === 0 && extractQuantities(trimmed).length === 0 && !hasNegation(stripCourtesy(trimmed));
}

function quantitySupported(key: string, passageKeys: Set<string>): boolean {
  if (passageKeys.has(key)) return true;
  // A bare number ("4 instalments") is supported by the same number in any reading in the passage.
  const bare = /^number:(.+)$/.exec(key);
  if (bare === null) return false;
  const value = bare[1] ?? '';
  return [...passageKeys].some((k) => k.split(/[:-]/).includes(value));
}

/**
 * Clauses are where polarity and number binding live: "covers defects, not accidental damage".
 * "$1,000" and "between $35 and $1,000" stay whole.
 */
const CLAUSE_BREAK = /([,;:](?!\d)|\s(?:but|or|and|because|although|which|while|so|even if|unless)\s(?![$£€\d])|\s[—–-]\s)/i;

/** Clauses with the break that opened each ("" for the first): "," "or" "and" continue a list. */
function clausesWithBreaks(text: string): { text: string; opener: string }[] {
  const parts = text.split(CLAUSE_BREAK);
  const out: { text: string; opener: string }[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const t = (parts[i] ?? '').trim();
    if (t.length > 0) out.push({ text: t, opener: (parts[i - 1] ?? '').trim().toLowerCase() });
  }
  return out;
}

interface Clause {
  text: string;
  terms: Set<string>;
  quantityKeys: Set<string>;
  negated: boolean;
}

function toClause(text: string): Clause {
  return {
    text,
    terms: new Set(contentTerms(text)),
    quantityKeys: new Set(extractQuantities(text).map((q) => q.key)),
    negated: hasNegation(text),
  };
}

/** Most words of a list item ("…does not cover accidental damage, normal wear and tear, or misuse"). */
const LIST_ITEM_WORDS = 4;

/**
 * A sentence's clauses, where a short list item after a negated clause keeps its negation: in
 * "does not cover misuse or accidental damage", "accidental damage" is not covered either.
 */
function clausesOf(sentence: string): Clause[] {
  const out: Clause[] = [];
  for (const { text, opener } of clausesWithBreaks(sentence)) {
    const c = toClause(text);
    const previous = out[out.length - 1];
    // Only a list goes on after ",", "or" and "and"; "so enter it at checkout" is a new claim.
    const continuesList = opener === ',' || opener === 'or' || opener === 'and';
    const item = continuesList && words(text).length <= LIST_ITEM_WORDS && c.quantityKeys.size === 0 && !SUBORDINATE.test(text);
    out.push(previous?.negated && item && !c.negated ? { ...c, negated: true } : c);
  }
  // …and a list that opens the sentence takes the negation that closes it: in "Normal wear and tear
  // is not covered", "normal wear" is not covered.
  const parts = clausesWithBreaks(sentence);
  const closing = out.findIndex((c, i) => i > 0 && c.negated && [',', 'and', 'or'].includes(parts[i]?.opener ?? ''));
  const leadingItems = (n: number) => parts.slice(0, n).every((p, i) => words(p.text).length <= LIST_ITEM_WORDS && (out[i]?.quantityKeys.size ?? 1) === 0 && !SUBORDINATE.test(p.text) && (i === 0 || [',', 'and', 'or'].includes(p.opener)));
  if (closing > 0 && leadingItems(closing)) for (let i = 0; i < closing; i += 1) out[i] = { ...(out[i] as Clause), negated: true };
  return out;
}

/**
 * The passage clause sharing most terms with `draft`. Ties go to the reading most favourable to the
 * draft (same polarity, holds the draft figures): a sentence fails only when no equally close clause backs it.
 */
function bestClause(draft: Clause, candidates: Clause[], preferKeys?: ReadonlySet<string>): Clause | undefined {
  let best: Clause | undefined;
  let bestScore = 0;
  for (const c of candidates) {
    const overlap = [...draft.terms].filter((t) => c.terms.has(t)).length;
    const score =
      overlap + 0.5 * heldShare(c, preferKeys) + (c.negated === draft.negated ? 0.25 : 0);
    if (overlap > 0 && score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

function heldShare(clause: Clause, keys: ReadonlySet<string> | undefined): number {
  if (keys === undefined || keys.size === 0) return 0;
  return [...keys].filter((k) => clause.quantityKeys.has(k)).length / keys.size;
}

const quantityKind = (key: string) => key.split(':')[0] ?? key;

function capitalisedNames(text: string): string[] {
  const tokens = text.match(/[\p{L}][\p{L}'’-]*/gu) ?? [];
  // Skip the first word: it is capitalised because it starts the sentence.
  return tokens.slice(1).filter((t) => /^\p{Lu}/u.test(t) && !CAPITALISED_IGNORE.has(t));
}

/** Everything the check reads from a set of cited passages: the same for every draft that cites them. */
interface Support {
  supportText: string;
  supportLower: string;
  passageKeys: Set<string>;
  supportTerms: Set<string>;
  passageClauses: Clause[];
  passageWords: Set<string>;
  passageStems: Set<string>;
}

// Passages are immutable at an article version (the version is a hash of the article), so the
// analysis of a citation set is cached by ids and versions; bounded, oldest dropped first.
const SUPPORT_CACHE_SIZE = 2048;
const supportCache = new Map<string, Support>();

function supportOf(cited: readonly Passage[]): Support {
  const key = cited.map((p) => `${p.id}@${p.articleVersion}`).join('|');
  const hit = supportCache.get(key);
  if (hit) return hit;
  const supportText = cited.map((p) => p.text).join(' ');
  const passageWords = new Set(words(supportText));
  const support: Support = {
    supportText,
    supportLower: supportText.toLowerCase(),
    passageKeys: new Set(extractQuantities(supportText).map((q) => q.key)),
    supportTerms: new Set(contentTerms(supportText)),
    passageClauses: cited.flatMap((p) => splitSentences(p.text)).flatMap(clausesOf),
    passageWords,
    passageStems: new Set([...passageWords].map((w) => stemmer(w))),
  };
  if (supportCache.size >= SUPPORT_CACHE_SIZE) supportCache.delete(supportCache.keys().next().value ?? '');
  supportCache.set(key, support);
  return support;
}

/** Problems with one claim sentence against its cited passages; empty when supported. */
function supportProblems(claim: Claim, cited: Passage[]): string[] {
  const { text } = claim;
  const problems: string[] = [];
  const { supportLower, passageKeys, supportTerms, passageClauses, passageWords, passageStems } = supportOf(cited);

  for (const q of claim.quantities) {
    if (!quantitySupported(q.key, passageKeys)) problems.push(`"${q.surface}" does not appear in the cited passage`);
  }

  const terms = claim.terms;
  const missing = terms.filter((t) => !supportTerms.has(t));
  if (terms.length > 0 && (terms.length - missing.length) / terms.length < MIN_TERM_SUPPORT) {
    problems.push(`only ${terms.length - missing.length}/${terms.length} content terms are in the cited passage (missing: ${missing.join(', ')})`);
  }


  // "Saturdays" is the passage's "Saturday".
  const names = capitalisedNames(text).filter((n) => !supportLower.includes(n.toLowerCase()) && !passageStems.has(stemmer(n.toLowerCase())));
  if (names.length > 0) problems.push(`name(s) not in the cited passage: ${names.join(', ')}`);

  const sentences = passageSentences(cited);
  for (const draftClause of clausesOf(text)) {
    if (draftClause.terms.size === 0 && draftClause.quantityKeys.size === 0) continue;
    const aligned = alignedSentence(draftClause, capitalisedNames(` ${draftClause.text}`), sentences);
    // "Your card is not charged when you place the order": the negation the aligned sentence holds
    // ("…, not when you place it") is about the same words.
    const negationHeld =
      draftClause.negated &&
      aligned !== undefined &&
      (clausesOf(aligned.text).some((c) => c.negated && [...c.terms].some((t) => draftClause.terms.has(t))) ||
        // "cannot be replaced unless it was registered" is "can be replaced only if it was registered".
        (UNLESS.test(text) && ONLY_IF.test(aligned.text)) ||
        // "You won't be charged until your order leaves" is "charged when your order leaves".
        /\buntil\b/i.test(draftClause.text));
    // "Once an order has been dispatched, it can no longer be cancelled": the condition clause claims
    // nothing on its own, so its polarity is the main clause's.
    const subordinate = SUBORDINATE.test(draftClause.text);
    const best = bestClause(draftClause, passageClauses);
    if (!subordinate && !negationHeld && best !== undefined && best.negated !== draftClause.negated && (draftClause.negated || draftClause.terms.size >= 2)) {
      problems.push(`"${draftClause.text}" has the opposite polarity of the cited passage ("${best.text}")`);
    }
    if (!draftClause.negated && !subordinate) {
      // A positive statement built from words the passage only uses in a negation ("not when you place it").
      const onlyNegated = [...draftClause.terms].filter(
        (t) => passageClauses.some((c) => c.terms.has(t)) && passageClauses.every((c) => !c.terms.has(t) || c.negated),
      );
      if (onlyNegated.length > 0) {
        problems.push(`"${draftClause.text}" asserts what the cited passage negates (${onlyNegated.join(', ')})`);
      }
    }
    const bound = bestClause(draftClause, passageClauses, draftClause.quantityKeys);
    // The sentence it paraphrases holds every figure: a closer-looking clause elsewhere does not matter.
    // (Inside that sentence, the clause binding still decides: "1-year" for electronics, "2-year" for furniture.)
    const figuresHeld =
      aligned !== undefined && bound !== undefined && !aligned.text.includes(bound.text) && [...draftClause.quantityKeys].every((k) => aligned.quantityKeys.has(k));
    for (const key of figuresHeld ? [] : draftClause.quantityKeys) {
      const sameKind = bound === undefined ? [] : [...bound.quantityKeys].filter((k) => quantityKind(k) === quantityKind(key));
      if (bound !== undefined && sameKind.length > 0 && !bound.quantityKeys.has(key)) {
        problems.push(`"${draftClause.text}" gives a different figure than the cited passage ("${bound.text}")`);
      }
    }
  }
  problems.push(...bindingProblems(text, cited));
  // "refunded if the item arrived in perfect condition": a condition is part of the policy; its words
  // cannot be new (one paraphrase word is allowed: "if the address needs changing").
  for (const m of text.matchAll(CONDITION_CLAUSE)) {
    const invented = contentTerms(m[1] ?? '').filter((t) => !supportTerms.has(t) && !passageStems.has(t) && !GENERIC_BINDING.has(t) && !BOUND_TERMS.has(t));
    if (invented.length >= 2) problems.push(`the condition "${(m[0] ?? '').trim()}" is not in the cited passage (${invented.join(', ')})`);
  }
  const sentenceWords = new Set(words(text.replace(ONLY_COUNT, ' ')));
  const criticalWords = [...sentenceWords].filter((w) => CRITICAL_STEMS.has(stemmer(w)) && !passageStems.has(stemmer(w)));
  if (criticalWords.length > 0) problems.push(`policy word(s) not in the cited passage: ${criticalWords.join(', ')}`);
  if (sentenceWords.has('will') && !passageWords.has('will') && (passageWords.has('may') || passageWords.has('can') || passageWords.has('up'))) {
    problems.push('promises ("will") what the cited passage only allows');
  }
  return problems;
}

/** The words of a condition: "if …", "unless …", "provided …", up to the end of its clause. */
const CONDITION_CLAUSE = /\b(?:if|unless|provided(?:\s+that)?)\s+([^,;.!?]+)/gi;

/** A clause that states a condition ("once…", "if…") rather than a claim. */
const SUBORDINATE = /^(?:once|if|when|whenever|after|before|until|while|as soon as|unless|where|provided)\b/i;

/**
 * Words whose meaning must stay bound to the same passage sentence (issue 12). Each group is a
 * dimension; a draft may not use a member the aligned sentence does not, nor swap one for another.
 */
const CHANNELS: Record<string, string> = {
  email: 'email', emails: 'email', 'e-mail': 'email', mail: 'email', emailed: 'email',
  chat: 'chat', chats: 'chat', 'live chat': 'chat', messenger: 'chat',
  phone: 'phone', phones: 'phone', call: 'phone', calls: 'phone', telephone: 'phone', ring: 'phone',
  post: 'post', letter: 'post', sms: 'text', text: 'text', whatsapp: 'whatsapp',
};
/** Conditions: time order and thresholds. Opposites are a swap, not a paraphrase. */
const CONDITIONS: Record<string, string> = {
  before: 'before', prior: 'before', earlier: 'before', after: 'after', later: 'after', past: 'after',
  over: 'over', above: 'over', more: 'over', exceeding: 'over', greater: 'over',
  under: 'under', below: 'under', less: 'under', fewer: 'under',
  within: 'within', inside: 'within', outside: 'outside', beyond: 'outside',
  // "Once your order is dispatched" is after it; "between $35 and $1,000" is a range, not "over".
  once: 'after', between: 'range',
  // "while your order status is Processing": during a state, which "after" or "before" it is not.
  while: 'during', during: 'during',
};
/** Conditions written right before a figure ("after 2 hours", "over $1,000"): what the figure is bound by. */
function figureConditions(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.toLowerCase().matchAll(/\b([a-z]+)\s+(?:[$£€]\s?)?\d/g)) {
    const c = CONDITIONS[m[1] ?? ''];
    if (c !== undefined) out.add(c);
  }
  return out;
}

const OPPOSITE: Record<string, string> = { before: 'after', after: 'before', over: 'under', under: 'over', within: 'outside', outside: 'within' };
/** Quantifiers, weakest to strongest is not linear: a different one is a different claim. */
const QUANTIFIERS: Record<string, string> = {
  all: 'all', every: 'all', each: 'all', any: 'any', always: 'always', never: 'never', none: 'none',
  most: 'most', majority: 'most', some: 'some', several: 'some', many: 'many', few: 'few', only: 'only', first: 'first',
};
/** Quantifiers that widen a claim: absent from the aligned sentence, they are invented. */
const UNIVERSAL = new Set(['all', 'any', 'always', 'never', 'none', 'only']);
/** "Only one promo code per order" restates "one promo code per order". */
const ONLY_COUNT = /\b(?:only|just)\s+(?=(?:one|two|three|four|five|\d)\b)/gi;

const BOUND_TERMS = new Set([...Object.keys(CHANNELS), ...Object.keys(CONDITIONS), ...Object.keys(QUANTIFIERS)].flatMap((w) => contentTerms(w)));

function markers(text: string, table: Record<string, string>): Set<string> {
  const lower = ` ${text.toLowerCase().replace(/[’']/g, '')} `;
  const out = new Set<string>();
  for (const [word, canonical] of Object.entries(table)) {
    if (new RegExp(`[^a-z-]${word.replace('-', '\\-')}[^a-z-]`).test(lower)) out.add(canonical);
  }
  return out;
}

interface PassageSentence {
  text: string;
  passageId: string;
  terms: Set<string>;
  /** Terms of the sentence's heading and title: the topic a paraphrase may name. */
  context: Set<string>;
  /** The heading and title, lower case: a condition it states ("Before your order is dispatched") may be restated. */
  contextLower: string;
  quantityKeys: Set<string>;
  lower: string;
}

const sentenceCache = new Map<string, PassageSentence[]>();

function passageSentences(cited: readonly Passage[]): PassageSentence[] {
  const key = cited.map((p) => `${p.id}@${p.articleVersion}`).join('|');
  const hit = sentenceCache.get(key);
  if (hit) return hit;
  const out = cited.flatMap((p) => {
    const context = new Set(contentTerms(`${p.heading} ${p.title}`));
    const contextLower = `${p.heading} ${p.title}`.toLowerCase();
    return splitSentences(p.text).map((text) => ({
      text,
      passageId: p.id,
      terms: new Set(contentTerms(text)),
      context,
      contextLower,
      quantityKeys: new Set(extractQuantities(text).map((q) => q.key)),
      lower: text.toLowerCase(),
    }));
  });
  if (sentenceCache.size >= SUPPORT_CACHE_SIZE) sentenceCache.delete(sentenceCache.keys().next().value ?? '');
  sentenceCache.set(key, out);
  return out;
}

/**
 * The passage sentence a draft clause paraphrases: most shared terms, then names and figures it
 * holds; ties go to the sentence most favourable to the draft.
 */
function alignedSentence(clause: Clause, names: readonly string[], sentences: readonly PassageSentence[]): PassageSentence | undefined {
  let best: PassageSentence | undefined;
  let bestScore = 0;
  // Align on what the clause is about, not on the words being checked (a flipped "before" must not
  // pull the clause to the sentence that says "before").
  const about = [...clause.terms].filter((t) => !BOUND_TERMS.has(t));
  for (const s of sentences) {
    const overlap = about.filter((t) => s.terms.has(t)).length;
    const figures = [...clause.quantityKeys].filter((k) => s.quantityKeys.has(k)).length;
    const named = names.filter((n) => s.lower.includes(n.toLowerCase())).length;
    // Ties go to the sentence that also shares the checked words, and above all to one quoting the clause.
    const boundShared = [...clause.terms].filter((t) => BOUND_TERMS.has(t) && s.terms.has(t)).length;
    const quoted = s.lower.includes(clause.text.toLowerCase().replace(/[.!?]+$/, '')) ? 1 : 0;
    const score = overlap + 0.5 * figures + 0.25 * named + 0.1 * boundShared + quoted;
    if (overlap > 0 && score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Claims that hold (issue 12): each clause of a draft sentence is aligned with the one passage
 * sentence it paraphrases, and what the passage binds there must stay bound — its entities (names),
 * channel, condition and quantifier, and the words it states (not words borrowed from another
 * sentence or another cited passage).
 */
function bindingProblems(text: string, cited: readonly Passage[]): string[] {
  const sentences = passageSentences(cited);
  const problems: string[] = [];
  problems.push(...conditionalProblems(text, sentences));
  for (const clause of clausesOf(text)) {
    if (clause.terms.size < 2 && clause.quantityKeys.size === 0) continue;
    const names = capitalisedNames(` ${clause.text}`);
    const aligned = alignedSentence(clause, names, sentences);
    if (aligned === undefined) continue;
    const quote = `"${aligned.text}"`;
    // Another sentence of the same passage may resolve "it" or "your benefits"; a parallel one
    // ("Processing means…", "Dispatched means…") states another case, and words taken from it swap
    // cases: its subject, or any word when the two sentences share two or more words.
    const shared = (s: PassageSentence) => [...s.terms].filter((t) => aligned.terms.has(t) && !GENERIC_BINDING.has(t) && !BOUND_TERMS.has(t)).length;
    const rival = (s: PassageSentence, least: number) => s !== aligned && (s.passageId !== aligned.passageId || shared(s) >= least);
    const subject = contentTerms(clause.text).find((t) => !GENERIC_BINDING.has(t));
    const swapped = names.filter((n) => !aligned.lower.includes(n.toLowerCase()) && sentences.some((s) => rival(s, 1) && s.lower.includes(n.toLowerCase())));
    if (swapped.length > 0) problems.push(`"${clause.text}" names ${swapped.join(', ')}, but the passage sentence it paraphrases says ${quote}`);

    // Within one passage a paraphrase may resolve "it" from the sentence before; across passages it stitches.
    const borrowed = [...clause.terms].filter((t) => !aligned.terms.has(t) && !aligned.context.has(t) && !GENERIC_BINDING.has(t) && sentences.some((s) => rival(s, t === subject ? 1 : 2) && s.terms.has(t)));
    if (clause.terms.size >= 2 && borrowed.length > 0) {
      problems.push(`"${clause.text}" joins ${borrowed.join(', ')} from another sentence to ${quote}`);
    }

    const channelsIn = markers(clause.text, CHANNELS);
    const channelsAligned = markers(aligned.text, CHANNELS);
    const otherChannel = [...channelsIn].filter((c) => !channelsAligned.has(c));
    if (otherChannel.length > 0) problems.push(`"${clause.text}" says ${otherChannel.join(', ')}, but ${quote} is about ${[...channelsAligned].join(', ') || 'no channel'}`);

    const elsewhere = [...clause.quantityKeys].filter((k) => !aligned.quantityKeys.has(k) && sentences.some((s) => s !== aligned && s.quantityKeys.has(k)));
    if (elsewhere.length > 0) problems.push(`"${clause.text}" binds a figure from another sentence to ${quote}`);

    const conditionsIn = markers(clause.text, CONDITIONS);
    const conditionsAligned = markers(aligned.text, CONDITIONS);
    // "Charged when your order leaves": the passage ties it to the moment; "before" or "after" it is another claim.
    const atTheMoment = /\bwhen\b/i.test(aligned.text) && !/\bonce\b/i.test(aligned.text) && clause.quantityKeys.size === 0;
    // A figure the passage binds under one condition ("within 2 hours", "between $35 and $1,000")
    // stated under another ("after 2 hours", "over $1,000").
    const attachedIn = figureConditions(clause.text);
    const attachedAligned = figureConditions(aligned.text);
    const figureRebound =
      [...clause.quantityKeys].some((k) => aligned.quantityKeys.has(k)) && attachedAligned.size > 0 && [...attachedIn].some((c) => !attachedAligned.has(c));
    const duringState = conditionsAligned.has('during');
    const flipped = [...conditionsIn].filter(
      (c) =>
        !conditionsAligned.has(c) &&
        !markers(aligned.contextLower, CONDITIONS).has(c) &&
        (conditionsAligned.has(OPPOSITE[c] ?? '') || ((c === 'before' || c === 'after') && (atTheMoment || duringState)) || (figureRebound && attachedIn.has(c))),
    );
    if (flipped.length > 0) problems.push(`"${clause.text}" has the condition "${flipped.join(', ')}", but ${quote} does not`);

    const quantIn = markers(clause.text.replace(ONLY_COUNT, ' '), QUANTIFIERS);
    const quantAligned = markers(aligned.text, QUANTIFIERS);
    const changed = [...quantIn].filter((q) => !quantAligned.has(q) && (UNIVERSAL.has(q) || [...quantAligned].some((a) => a !== 'any')));
    if (changed.length > 0) problems.push(`"${clause.text}" says "${changed.join(', ')}", but ${quote} says ${[...quantAligned].join(', ') || 'neither'}`);
    // "All exchanges…" against "the first exchange on each order": the quantifier is bound to another noun.
    const boundAligned = quantifiedTerms(aligned.text);
    for (const [term, q] of quantifiedTerms(clause.text.replace(ONLY_COUNT, ' '))) {
      const there = boundAligned.get(term);
      if (there !== undefined && there !== q) problems.push(`"${clause.text}" puts "${q}" on ${term}, but ${quote} says "${there}"`);
    }

    // "Furniture … a 1-year warranty" against "Electronics … a 1-year warranty and furniture … a 2-year
    // warranty": in the sentence it paraphrases the figure belongs to another subject. Later clauses
    // inherit the first clause's subject ("Standard shipping costs $4.95 and is free on orders over $50").
    const alignedClauses = clausesOf(aligned.text);
    const firstClause = alignedClauses[0]?.terms ?? new Set<string>();
    for (const key of clause.quantityKeys) {
      const holders = alignedClauses.filter((c) => c.quantityKeys.has(key));
      if (holders.length === 0) continue;
      const rivals = alignedClauses.filter((c) => !c.quantityKeys.has(key) && [...c.quantityKeys].some((k) => quantityKind(k) === quantityKind(key)));
      const misbound = [...clause.terms].filter((t) => !BOUND_TERMS.has(t) && rivals.some((c) => c.terms.has(t)) && !holders.some((c) => c.terms.has(t)) && !firstClause.has(t));
      if (misbound.length > 0) problems.push(`"${clause.text}" binds ${misbound.join(', ')} to a figure ${quote} gives to something else`);
    }

    // "within 24 hours of you placing the order" against "…of your order leaving our warehouse": the
    // event a window counts from is part of the figure.
    for (const m of clause.text.matchAll(WINDOW_ANCHOR)) {
      const anchor = (m[1] ?? '').split(/\s+/).slice(0, 4).join(' ');
      const stems = new Set(words(aligned.lower).map((w) => stemmer(w)));
      const moved = contentTerms(anchor).filter((t) => !aligned.terms.has(t) && !stems.has(t) && !aligned.context.has(t) && !GENERIC_BINDING.has(t));
      if (moved.length > 0) problems.push(`"${clause.text}" counts the window from ${moved.join(', ')}, but ${quote} does not`);
    }
  }
  return problems;
}

/** The event a time window counts from: "24 hours of <your order leaving>", "30 days from <delivery>". */
const WINDOW_ANCHOR = /\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\s+(?:of|from)\s+([^,.;!?]+)/gi;

const UNLESS = /\bunless\b/i;
const ONLY_IF = /\bonly\s+(?:if|when)\b/i;
const IF = /\bif\b/i;

/**
 * "Return shipping is free unless the item arrived damaged" against "…free if the item arrived
 * damaged": "unless" is "if not". "Cannot … unless" restates "only if" and passes.
 */
function conditionalProblems(text: string, sentences: readonly PassageSentence[]): string[] {
  const draftUnless = UNLESS.test(text);
  const draftIf = IF.test(text);
  if (!draftUnless && !draftIf) return [];
  const whole = toClause(text);
  const aligned = alignedSentence(whole, capitalisedNames(text), sentences);
  if (aligned === undefined) return [];
  const mainOf = (t: string) => t.split(/\b(?:unless|only\s+if|if)\b/i)[0] ?? t;
  const draftMainNegated = hasNegation(mainOf(text));
  const alignedMainNegated = hasNegation(mainOf(aligned.text));
  const alignedUnless = UNLESS.test(aligned.text);
  const alignedIf = IF.test(aligned.text);
  if (draftUnless && !draftMainNegated && alignedIf && !alignedUnless && !alignedMainNegated) {
    return [`"${text}" makes it depend on "unless", but "${aligned.text}" says "if"`];
  }
  if (draftIf && !draftUnless && !draftMainNegated && alignedUnless && !alignedIf && !alignedMainNegated) {
    return [`"${text}" makes it depend on "if", but "${aligned.text}" says "unless"`];
  }
  return [];
}

/** Each quantifier with the term it governs: "each order" → order: all, "the first exchange" → exchang: first. */
function quantifiedTerms(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const tokens = text.toLowerCase().replace(/[’']/g, '').match(/[a-z][a-z-]*/g) ?? [];
  tokens.forEach((w, i) => {
    const q = QUANTIFIERS[w];
    if (q === undefined) return;
    const next = tokens.slice(i + 1, i + 3).map((x) => contentTerms(x)[0]).find((t) => t !== undefined);
    if (next !== undefined && !out.has(next)) out.set(next, q);
  });
  return out;
}

/** Terms common to most support sentences: borrowing them from a neighbour changes nothing. */
const GENERIC_BINDING = new Set(['order', 'item', 'northwind', 'account', 'busi', 'dai', 'us', 'customer'].map((w) => w));

/**
 * Check that every factual sentence of a draft is supported by the passages it cites, at the cited
 * article version, in this KB (which holds approved, current articles only). Returns one verdict per
 * sentence; a draft is grounded when every verdict passed.
 */
export function checkGrounding(draft: GroundingDraft, kb: KnowledgeBase): GroundingVerdict[] {
  return draft.sentences.map((sentence, sentenceIndex): GroundingVerdict => {
    const verdict = (passed: boolean, code: GroundingCode, detail: string): GroundingVerdict => ({
      check: 'grounding',
      passed,
      code,
      detail,
      evidence: [sentence.text],
      sentenceIndex,
    });
    if (makesNoClaim(sentence.text)) return verdict(true, 'no_claim', 'courtesy only, makes no claim');
    if (sentence.citations.length === 0) return verdict(false, 'ungrounded_claim', 'makes a claim but cites no passage');

    const cited: Passage[] = [];
    for (const c of sentence.citations) {
      const article = kb.getArticle(c.articleId);
      if (article === undefined) {
        return verdict(false, 'ungrounded_claim', `cites "${c.articleId}", which is not an approved, current article in KB revision ${kb.revision}`);
      }
      if (article.version !== c.articleVersion) {
        return verdict(false, 'ungrounded_claim', `cites "${c.articleId}" at version ${c.articleVersion}, but the served version is ${article.version}`);
      }
      const passage = kb.getPassage(c.passageId);
      if (passage === undefined || passage.articleId !== c.articleId) {
        return verdict(false, 'ungrounded_claim', `cites passage "${c.passageId}", which is not in article "${c.articleId}"`);
      }
      cited.push(passage);
    }
    const problems = supportProblems(claimOf(sentence.text), cited);
    if (problems.length > 0) return verdict(false, 'ungrounded_claim', problems.join('; '));
    return verdict(true, 'grounded', `supported by ${cited.map((p) => p.id).join(', ')}`);
  });
}

/** Only the failures, the shape the guardrail service reports. */
export function groundingFailures(verdicts: readonly GroundingVerdict[]): GroundingVerdict[] {
  return verdicts.filter((v) => !v.passed);
}
