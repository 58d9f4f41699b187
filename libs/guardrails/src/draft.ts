import { allowedAction, type AiActionName, type AreaName, type PolicyPack } from '@handrail/policy';
import { clip, fail, pass, type Verdict } from './verdict.js';

export interface DraftCustomer {
  email?: string | undefined;
  phone?: string | undefined;
  name?: string | undefined;
  /** The customer's own postal address, which a draft may repeat back. */
  address?: string | undefined;
}

export interface DraftCheckInput {
  text: string;
  /** The drafter's sentence split, when it has one; otherwise the text is split here. */
  sentences?: readonly string[] | undefined;
  area: AreaName;
  action: AiActionName;
  customer: DraftCustomer;
  pack: PolicyPack;
  refundLimit: number;
  /** The company's own published contacts (support e-mail, phone) that drafts may give out. */
  companyContacts?: readonly string[] | undefined;
}

export interface DraftCheckResult {
  passed: boolean;
  /** One passing verdict per clean check, one failing verdict per problem found. */
  verdicts: Verdict[];
  failures: Verdict[];
}

export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const normaliseQuotes = (s: string) => s.replace(/[’‘]/g, "'");
const phraseRe = (phrase: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(normaliseQuotes(phrase)).replace(/\s+/g, '\\s+')}(?![\\p{L}\\p{N}])`, 'iu');
const NEGATED_BEFORE = /\b(?:not|cannot|can't|can not|won't|unable to|no|never|don't|do not)\s+(?:\w+\s+){0,2}$/iu;

// ── Tone ────────────────────────────────────────────────────────────────────────────────────

type ToneKind = 'banned' | 'overconfident' | 'dismissive';

function toneVerdicts(sentences: readonly string[], pack: PolicyPack): Verdict[] {
  const lists: Array<[ToneKind, string, readonly string[]]> = [
    ['banned', 'tone.banned_phrases', pack.tone.banned_phrases],
    ['overconfident', 'tone.overconfident_phrases', pack.tone.overconfident_phrases],
    ['dismissive', 'tone.dismissive_patterns', pack.tone.dismissive_patterns],
  ];
  const out: Verdict[] = [];
  for (const [kind, rule, phrases] of lists) {
    for (const phrase of phrases) {
      const re = phraseRe(phrase);
      for (const raw of sentences) {
        const s = normaliseQuotes(raw);
        const m = re.exec(s);
        if (!m) continue;
        // "We can't guarantee a date" is the honest hedge the rule wants, not an overconfident claim.
        if (kind === 'overconfident' && NEGATED_BEFORE.test(s.slice(0, m.index))) continue;
        out.push(fail('tone', 'tone_violation', rule, `${kind} phrase "${phrase}"`, [phrase, clip(raw)]));
        break;
      }
    }
  }
  return out;
}

// ── Policy: money and commitments ───────────────────────────────────────────────────────────

// A promise is a first-person modal followed by the act ("we'll refund", "I have cancelled"), or
// its passive ("your refund has been issued"). "We're here to help with your refund" is not one.
const MODAL = "(?:we|i)(?:'ll|'re going to|'m going to| will| shall| can| are going to| am going to)\\s+(?:(?!not\\b|never\\b)\\w+\\s+){0,2}?";
// "We have a refund policy" is possession; "we have refunded" is the act.
const DONE = "(?:we|i)(?:'ve| have)\\s+(?:already\\s+|just\\s+|now\\s+)?";
const MONEY_OBJECT = '(?:a\\s+|an\\s+|your\\s+|the\\s+|full\\s+|you\\s+)*(?:refund|reimbursement|credit|money back|compensation|\\$|USD|€|£|\\d)';

/** Commitments that belong to one area: AI may make them only there, and only where the pack lets AI draft or resolve. */
const COMMITMENTS: ReadonlyArray<{ kind: string; owner: AreaName; re: RegExp }> = [
  {
    kind: 'refund',
    owner: 'refund',
    re: new RegExp(
      `\\b${MODAL}(?:refund|reimburse|compensate|credit)\\w*` +
        `|\\b${DONE}(?:refunded|reimbursed|credited|compensated|(?:issued|processed|approved|sent)\\s+${MONEY_OBJECT})` +
        `|\\b${MODAL}(?:issue|process|send|approve|give|pay)\\w*\\s+${MONEY_OBJECT}` +
        `|\\byou(?:'ll| will)\\s+(?:\\w+\\s+)?(?:receive|get|see)\\s+${MONEY_OBJECT}` +
        `|\\b(?:refund|reimbursement|credit|money)\\s+(?:of\\s+\\S+\\s+)?(?:has been|is being|was|will be)\\s+(?:issued|processed|approved|sent|credited|returned)` +
        // "Your refund of $9,000 is guaranteed / is approved / is on its way": a promise, whoever writes it.
        `|\\b(?:your|the|a|full)\\s+(?:full\\s+)?(?:refund|reimbursement|credit)\\s+(?:of\\s+\\S+\\s+)?(?:is|has been)\\s+(?:guaranteed|confirmed|approved|assured|on its way)`,
      'iu',
    ),
  },
  {
    kind: 'cancellation',
    owner: 'cancellation',
    re: new RegExp(`\\b${MODAL}(?:cancel|terminate)\\w*|\\b${DONE}(?:cancel+ed|terminated)\\b|\\b(?:order|subscription|membership|plan)\\s+(?:has been|is|was|will be)\\s+(?:cancel+ed|terminated)\\b`, 'iu'),
  },
  {
    kind: 'data deletion',
    owner: 'privacy',
    re: new RegExp(
      `\\b(?:${MODAL}(?:delete|erase|remove|wipe)|${DONE}(?:deleted|erased|removed|wiped))\\s+(?:all\\s+)?(?:of\\s+)?(?:your|the)\\s+(?:account|data|personal|information|details)` +
        `|\\b(?:account|data|information)\\s+(?:has been|is|was|will be)\\s+(?:deleted|erased|removed|wiped)\\b`,
      'iu',
    ),
  },
];

const AMOUNT = /(?:(?:US)?\$|USD\s?|€|£)\s?(\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)|(\d+(?:\.\d{1,2})?)\s?(?:USD|dollars|bucks|EUR|euros?|GBP|pounds)\b/giu;

function amounts(sentence: string): number[] {
  return [...sentence.matchAll(AMOUNT)].map((m) => Number((m[1] ?? m[2] ?? '').replace(/,/g, ''))).filter((n) => Number.isFinite(n));
}

function policyVerdicts(i: DraftCheckInput, sentences: readonly string[]): Verdict[] {
  const out: Verdict[] = [];
  const currency = i.pack.refund_limits.currency;
  const refund = COMMITMENTS[0];
  for (const raw of sentences) {
    const s = normaliseQuotes(raw);
    if (refund?.re.test(s)) {
      const over = amounts(s).filter((n) => n > i.refundLimit);
      if (over.length > 0) {
        out.push(
          fail('policy', 'policy_violation', 'refund_limits.by_tier', `the text promises ${over.join(', ')} ${currency}, above the refund limit of ${i.refundLimit} ${currency}`, [
            clip(raw),
            `limit=${i.refundLimit}`,
          ]),
        );
      }
    }
    for (const c of COMMITMENTS) {
      if (!c.re.test(s)) continue;
      const ownerAction = allowedAction(i.pack, c.owner);
      const allowed = i.area === c.owner && (ownerAction === 'draft' || ownerAction === 'resolve') && i.action !== 'none' && i.action !== 'assist';
      if (!allowed) {
        out.push(
          fail(
            'policy',
            'policy_violation',
            `areas.${c.owner}.ai_action`,
            i.area === c.owner
              ? `the draft commits to a ${c.kind}, but AI may only ${ownerAction} in ${c.owner}`
              : `the draft commits to a ${c.kind} in ${i.area}; only the ${c.owner} area (AI: ${ownerAction}) may`,
            [clip(raw)],
          ),
        );
      }
    }
  }
  return out;
}

// ── PII ─────────────────────────────────────────────────────────────────────────────────────

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
const PHONE = /(?<![\w/-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}(?![\w/-])|(?<![\w/+-])\+?\d{10,13}(?![\w/-])/g;
const STREET =
  /\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Way|Place|Pl|Terrace|Close|Crescent)\b\.?/g;

// The secrets a customer is never asked for, and the ways a reply asks for them ("reply with your
// full card number", "send us the CVV", "what is your password?"). Instructions for the customer's own
// use ("choose a new password on the sign-in page") ask nothing of them.
const SECRET = '((?:full\\s+|whole\\s+|complete\\s+|entire\\s+|long\\s+)?(?:credit\\s+|debit\\s+|payment\\s+)?card\\s*(?:number|no\\.?|details)|cvv2?|cvc2?|card\\s+security\\s+code|security\\s+code|pin(?:\\s+number|\\s+code)?|password|passcode|social\\s+security\\s+number|ssn|one[- ]time\\s+(?:code|password|passcode)|verification\\s+code|bank\\s+login)';
const ASK =
  "(?:reply|respond|write\\s+back|get\\s+back\\s+to\\s+us)(?:\\s+to\\s+(?:this|me|us))?(?:\\s+\\w+)?\\s+with|send\\s+(?:us|me|over|it)|e-?mail\\s+(?:us|me)|text\\s+(?:us|me)|give\\s+(?:us|me)|tell\\s+(?:us|me)|provide\\s+(?:us|me)?|share\\s+(?:with\\s+(?:us|me)\\s+)?|what(?:'s|\\s+is|\\s+are)|type\\s+(?:in\\s+)?(?:here|below)";
const SOLICIT = new RegExp(`\\b(?:${ASK})\\b[^.?!]{0,40}?\\b${SECRET}\\b`, 'iu');
const digits = (s: string) => s.replace(/\D/g, '');
/** Order, tracking and reference numbers are long digit runs too; what precedes them says which it is. */
const ID_CONTEXT = /\b(?:order|purchase|invoice|tracking|reference|ref|ticket|case|confirmation|transaction|item|sku|parcel|account)s?\b(?:\s+[\w#:]+){0,4}?\s*[:#]?\s*$/iu;
const PHONE_CONTEXT = /\b(?:call|phone|tel|telephone|mobile|cell|text|sms|whatsapp|reach|dial)\b[^.\d]{0,40}$/iu;
const before = (text: string, index: number) => text.slice(Math.max(0, index - 60), index);

function luhn(num: string): boolean {
  let sum = 0;
  for (let k = 0; k < num.length; k++) {
    let d = Number(num[num.length - 1 - k]);
    if (k % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function maskEmail(e: string): string {
  const [user = '', domain = ''] = e.split('@');
  return `${user.slice(0, 1)}***@${domain}`;
}
const maskDigits = (s: string) => `***${digits(s).slice(-4)}`;
const maskAddress = (s: string) => s.replace(/^\d+/, '#').replace(/\s+\S+(?=\s)/, ' ***');

function piiVerdicts(i: DraftCheckInput): Verdict[] {
  const out: Verdict[] = [];
  const text = i.text;
  const own = {
    email: i.customer.email?.toLowerCase(),
    phone: i.customer.phone ? digits(i.customer.phone).slice(-9) : undefined,
    address: i.customer.address?.toLowerCase().replace(/[^a-z0-9]/g, ''),
  };
  const company = (i.companyContacts ?? []).map((c) => c.toLowerCase());
  const companyDigits = company.map(digits).filter((d) => d.length >= 7);

  for (const m of text.match(EMAIL) ?? []) {
    const e = m.toLowerCase();
    if (e === own.email || company.includes(e)) continue;
    out.push(fail('pii', 'pii_leak', 'pii.email', "the draft contains an e-mail address that is not the customer's own", [maskEmail(m)]));
  }
  const cardSpans: Array<[number, number]> = [];
  for (const m of text.matchAll(CARD)) {
    const d = digits(m[0]);
    // Card numbers start 2-6 (Mastercard, Amex, Visa, Discover...) and pass the Luhn check.
    if (d.length >= 13 && d.length <= 19 && /^[2-6]/.test(d) && luhn(d) && !ID_CONTEXT.test(before(text, m.index))) {
      cardSpans.push([m.index, m.index + m[0].length]);
      // Even the customer's own full card number is never written back.
      out.push(fail('pii', 'pii_leak', 'pii.card', 'the draft contains a payment card number', [maskDigits(m[0])]));
    }
  }
  for (const m of text.matchAll(PHONE)) {
    const d = digits(m[0]);
    if (d.length < 7 || d.length > 15) continue;
    if (cardSpans.some(([a, b]) => m.index >= a && m.index < b)) continue;
    // Dates, prices and order numbers are digit runs too; a phone number has 9+ digits or a + prefix,
    // and a bare run without separators counts only where the text talks about calling.
    if (d.length < 9 && !m[0].startsWith('+')) continue;
    if (ID_CONTEXT.test(before(text, m.index))) continue;
    if (/^\d+$/.test(m[0]) && !PHONE_CONTEXT.test(before(text, m.index))) continue;
    if ((own.phone && d.endsWith(own.phone)) || companyDigits.some((c) => c.endsWith(d.slice(-9)) || d.endsWith(c.slice(-9)))) continue;
    out.push(fail('pii', 'pii_leak', 'pii.phone', "the draft contains a phone number that is not the customer's own", [maskDigits(m[0])]));
  }
  // Asking for secrets: no one at the company ever needs them, so a reply that asks is phishing or a mistake.
  for (const raw of splitSentences(text)) {
    const m = SOLICIT.exec(normaliseQuotes(raw));
    if (m) out.push(fail('pii', 'pii_leak', 'pii.solicitation', `the reply asks the customer for their ${m[1]?.toLowerCase().replace(/\s+/g, ' ')}`, [clip(raw)]));
  }
  for (const m of text.match(STREET) ?? []) {
    const norm = m.toLowerCase().replace(/[^a-z0-9]/g, '');
    if (own.address?.includes(norm.replace(/\.$/, ''))) continue;
    out.push(fail('pii', 'pii_leak', 'pii.address', "the draft contains a street address that is not the customer's own", [maskAddress(m)]));
  }
  return out;
}

/**
 * Checks on a draft before anyone sees it: tone, policy (money and commitments), PII. Grounding is
 * `@handrail/kb` `checkGrounding`; the guardrail service runs both.
 */
export function checkDraft(i: DraftCheckInput): DraftCheckResult {
  const sentences = i.sentences && i.sentences.length > 0 ? i.sentences : splitSentences(i.text);
  const groups: Array<[Verdict['check'], string, Verdict[]]> = [
    ['tone', 'no banned, overconfident or dismissive phrases', toneVerdicts(sentences, i.pack)],
    ['policy', `no promise above ${i.refundLimit} ${i.pack.refund_limits.currency} and no commitment the area does not allow`, policyVerdicts(i, sentences)],
    ['pii', "no contact or card details other than the customer's own", piiVerdicts(i)],
  ];
  const verdicts: Verdict[] = [];
  for (const [check, ok, found] of groups) {
    if (found.length === 0) verdicts.push(pass(check, check, ok));
    else verdicts.push(...found);
  }
  const failures = verdicts.filter((v) => !v.passed);
  return { passed: failures.length === 0, verdicts, failures };
}
