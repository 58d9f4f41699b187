import { stemmer } from 'stemmer';

/**
 * Shared text processing for indexing, querying and the grounding check. The same pipeline runs on
 * articles and on queries/drafts, so synonyms collapse to one term on both sides.
 */

const STOPWORDS = new Set(
  (
    'a an the and or but if then else of to in on at by for with from into onto about as is are was were be been being ' +
    'am do does did doing have has had having i me my mine myself we us our ours you your yours yourself he him his she ' +
    'her it its they them their this that these those there here what which who whom whose when where why how ' +
    'so than too very just also only own same such both each few more most other some any all no nor not ' +
    'can could will would shall should may might must get got gets getting please hi hello hey thanks thank ' +
    'dear regards cheers ok okay yes im ive id dont cant wont didnt doesnt isnt arent wasnt hasnt havent ' +
    'one up out over again further once still even like want need help know let longer'
  ).split(' '),
);

/** Words that say something about polarity: kept for grounding even though they are stopwords for search. */
const NEGATIONS = new Set(['not', 'no', 'never', 'cannot', 'cant', 'wont', 'dont', 'doesnt', 'isnt', 'arent', 'nor', 'without']);

/**
 * Support-language synonym groups. The first word is the canonical term. Phrases (with spaces) are
 * rewritten before tokenising; single words are matched on their stem.
 */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['refund', 'reimburse', 'reimbursement', 'money back', 'my money', 'repay', 'repayment'],
  ['parcel', 'package', 'shipment', 'delivery box'],
  ['cancel', 'cancellation', 'stop', 'terminate', 'call off', 'cancelation'],
  ['deliver', 'delivery', 'arrive', 'arrival', 'received', 'receive'],
  ['dispatch', 'ship', 'shipping', 'shipped', 'postage', 'send out', 'sent out', 'left our warehouse', 'leaves our warehouse', 'leave our warehouse', 'leaving our warehouse'],
  ['track', 'tracking', 'trace', 'where is my', 'wheres my', 'order status'],
  ['password', 'passcode', 'pwd'],
  ['signin', 'sign in', 'log in', 'login', 'logon', 'log on', 'signon'],
  ['exchange', 'swap', 'replace size', 'different size'],
  ['damag', 'broken', 'broke', 'damaged', 'defective', 'faulty', 'cracked', 'smashed', 'defect', 'stopped working'],
  ['promo', 'promo code', 'coupon', 'voucher', 'discount code', 'discount'],
  ['giftcard', 'gift card', 'gift cards', 'gift certificate', 'gift voucher'],
  ['unsafe', 'hazard', 'hazardous', 'dangerous', 'safety', 'overheat', 'overheating', 'caught fire', 'burn', 'burned', 'smoke'],
  ['recall', 'recalled'],
  ['cost', 'fee', 'price', 'charge'],
  ['return', 'send back', 'send it back', 'sent back', 'take back'],
  ['delay', 'late', 'delayed', 'slow', 'overdue', 'taking forever'],
  ['address', 'postcode', 'zip code'],
  ['personal data', 'my data', 'personal information', 'gdpr', 'data request'],
  ['delete', 'erase', 'remove', 'deletion', 'erasure'],
  ['instalment', 'installment', 'pay later', 'split payment', 'klarna'],
  ['contact', 'reach', 'phone', 'call', 'speak', 'customer service', 'customer support', 'support team'],
  ['weekend', 'weekends', 'saturday', 'sunday'],
  ['hour', 'opening hours', 'open'],
  ['warranty', 'guarantee'],
  ['time', 'times', 'how long', 'when will', 'how soon'],
  // British and American spellings of the same word.
  ['color', 'colour', 'colours', 'colors'],
  ['personalized', 'personalised'],
];

const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, twenty: 20, thirty: 30, forty: 40,
  fifty: 50, sixty: 60, ninety: 90, hundred: 100,
};

const phraseRules: { pattern: RegExp; replacement: string }[] = [];
const stemToCanonical = new Map<string, string>();
for (const group of SYNONYM_GROUPS) {
  const canonical = (group[0] ?? '').replace(/\s+/g, '');
  for (const member of group) {
    if (member.includes(' ')) {
      phraseRules.push({ pattern: new RegExp(`\\b${member.replace(/\s+/g, '\\s+')}\\b`, 'g'), replacement: ` ${canonical} ` });
    } else if (!stemToCanonical.has(stemmer(member))) {
      // First group wins, so adding a group never silently re-maps an earlier one.
      stemToCanonical.set(stemmer(member), canonical);
    }
  }
}
// Longer phrases first so "send it back" wins over shorter overlaps.
phraseRules.sort((a, b) => b.pattern.source.length - a.pattern.source.length);

function rewritePhrases(lower: string): string {
  let out = lower;
  for (const rule of phraseRules) out = out.replace(rule.pattern, rule.replacement);
  return out;
}

/** Lower-case word tokens, apostrophes folded ("can't" → "cant"). */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/[’']/g, '')
      .match(/[a-z0-9]+/g) ?? []
  );
}

/** One token → its canonical stemmed term, or null for stopwords. */
export function normaliseTerm(token: string): string | null {
  const lower = token.toLowerCase();
  if (STOPWORDS.has(lower) || lower.length < 2) return null;
  if (NEGATIONS.has(lower)) return null;
  const stem = stemmer(lower);
  return stemToCanonical.get(stem) ?? stemToCanonical.get(lower) ?? stem;
}

/** Content terms of a text: phrases rewritten, stopwords dropped, stemmed, synonyms collapsed. */
export function contentTerms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(rewritePhrases(text.toLowerCase().replace(/[’']/g, '')))) {
    if (/^\d+$/.test(w)) continue;
    const term = normaliseTerm(w);
    if (term !== null) out.push(term);
  }
  return out;
}

/** Tokeniser handed to minisearch: whole-text rewrite so phrases survive. */
export function tokenizeForIndex(text: string): string[] {
  return words(rewritePhrases(text.toLowerCase().replace(/[’']/g, '')));
}

export function hasNegation(text: string): boolean {
  return words(text).some((w) => NEGATIONS.has(w));
}

export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.length > 0 ? slug.slice(0, 60) : 'section';
}

/** Sentence split that keeps "$4.95", "e.g." and "8am" intact. */
export function splitSentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+(?=["(A-Z0-9])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A number, amount or time window found in text, in a comparable canonical form. */
export interface Quantity {
  /** e.g. "money:4.95", "window:5-7:business_day", "window:30:day", "percent:50", "number:4", "time:2pm" */
  key: string;
  /** The text it came from, for error messages. */
  surface: string;
}

const UNIT_ALIASES: Record<string, string> = {
  second: 'second', seconds: 'second', sec: 'second', secs: 'second',
  minute: 'minute', minutes: 'minute', min: 'minute', mins: 'minute',
  hour: 'hour', hours: 'hour', hr: 'hour', hrs: 'hour',
  day: 'day', days: 'day',
  week: 'week', weeks: 'week',
  month: 'month', months: 'month',
  year: 'year', years: 'year',
};

function numberValue(raw: string): number | null {
  const cleaned = raw.replace(/,/g, '');
  if (/^\d+(\.\d+)?$/.test(cleaned)) return Number(cleaned);
  const word = NUMBER_WORDS[raw.toLowerCase()];
  return word === undefined ? null : word;
}

const NUM = String.raw`(\d[\d,]*(?:\.\d+)?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|thirty|forty|fifty|sixty|ninety|hundred)`;
const WINDOW_RE = new RegExp(
  String.raw`\b${NUM}(?:\s*(?:-|–|—|to)\s*${NUM})?(?:\s*|-)(business|working)?\s*(?:-|\s)?(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b`,
  'gi',
);
/** "about a week", "within an hour": only singular units, so "a great day" or "a few days" do not count. */
const ARTICLE_WINDOW_RE = /\b(an?)\s+(business\s+|working\s+)?(minute|hour|day|week|month|year)\b/gi;
const MONEY_RE = /(?:\$|usd\s?)(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(?:dollars|usd)\b/gi;
const PERCENT_RE = new RegExp(String.raw`\b${NUM}\s?(?:%|percent\b)`, 'gi');
const CLOCK_RE = /\b(\d{1,2})(?::(\d{2}))?\s?(am|pm)\b/gi;
const BARE_NUMBER_RE = /\b\d[\d,]*(?:\.\d+)?\b/g;
const WORD_NUMBER_RE = /\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety|hundred)\b/gi;

function money(raw: string): string {
  const n = Number(raw.replace(/,/g, ''));
  return `money:${Number.isInteger(n) ? String(n) : n.toFixed(2)}`;
}

/**
 * Every quantity in a text. Each character span is claimed by the most specific reading
 * (money, window, percent, clock time) before bare numbers are collected, so "30 days" yields one
 * window and not also the number 30.
 */
export function extractQuantities(text: string): Quantity[] {
  const found: Quantity[] = [];
  const claimed: [number, number][] = [];
  const isClaimed = (start: number, end: number) => claimed.some(([s, e]) => start < e && end > s);
  const claim = (m: RegExpExecArray) => claimed.push([m.index, m.index + m[0].length]);

  for (const m of text.matchAll(MONEY_RE)) {
    const raw = m[1] ?? m[2];
    if (raw === undefined) continue;
    found.push({ key: money(raw), surface: m[0] });
    claim(m);
  }
  for (const m of text.matchAll(WINDOW_RE)) {
    if (isClaimed(m.index, m.index + m[0].length)) continue;
    const low = numberValue(m[1] ?? '');
    const high = m[2] === undefined ? null : numberValue(m[2]);
    const unitWord = (m[4] ?? '').toLowerCase();
    const unit = UNIT_ALIASES[unitWord] ?? unitWord;
    if (low === null) continue;
    const business = m[3] !== undefined && unit === 'day' ? 'business_' : '';
    const range = high === null ? String(low) : `${low}-${high}`;
    found.push({ key: `window:${range}:${business}${unit}`, surface: m[0].trim() });
    claim(m);
  }
  for (const m of text.matchAll(ARTICLE_WINDOW_RE)) {
    if (isClaimed(m.index, m.index + m[0].length)) continue;
    const unit = (m[3] ?? '').toLowerCase();
    const business = m[2] !== undefined && unit === 'day' ? 'business_' : '';
    found.push({ key: `window:1:${business}${unit}`, surface: m[0].trim() });
    claim(m);
  }
  for (const m of text.matchAll(PERCENT_RE)) {
    if (isClaimed(m.index, m.index + m[0].length)) continue;
    found.push({ key: `percent:${numberValue(m[1] ?? '') ?? m[1]}`, surface: m[0] });
    claim(m);
  }
  for (const m of text.matchAll(CLOCK_RE)) {
    if (isClaimed(m.index, m.index + m[0].length)) continue;
    const minutes = m[2] === undefined || m[2] === '00' ? '' : `:${m[2]}`;
    found.push({ key: `time:${Number(m[1])}${minutes}${(m[3] ?? '').toLowerCase()}`, surface: m[0] });
    claim(m);
  }
  for (const m of text.matchAll(BARE_NUMBER_RE)) {
    if (isClaimed(m.index, m.index + m[0].length)) continue;
    found.push({ key: `number:${Number(m[0].replace(/,/g, ''))}`, surface: m[0] });
    claim(m);
  }
  for (const m of text.matchAll(WORD_NUMBER_RE)) {
    if (isClaimed(m.index, m.index + m[0].length)) continue;
    found.push({ key: `number:${numberValue(m[0]) ?? m[0]}`, surface: m[0] });
    claim(m);
  }
  return found;
}
