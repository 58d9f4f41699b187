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

const COMMITMENT =
  /\b(?:we will|we'll|we are going to|we're going to|we have|we've|i will|i'll|i have|i've|you will|you'll|we can|i can|we shall|we are|we're|i am|i'm)\b|\bhas been (?:issued|approved|processed|cancel+ed|deleted|erased|refunded)\b|\bis on its way\b/iu;
const AMOUNT = /(?:(?:US)?\$|USD\s?|€|£)\s?(\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)|(\d+(?:\.\d{1,2})?)\s?(?:USD|dollars|bucks|EUR|euros?|GBP|pounds)\b/giu;
const MONEY_VERB = /\b(?:refund(?:ed|ing)?|reimburs\w*|credit(?:ed)?|compensat\w*|money back|pay you|send you|goodwill)\b/iu;

/** Commitments that belong to one area: AI may make them only there, and only where a human or the pack allows. */
const COMMITMENTS: ReadonlyArray<{ kind: string; owner: AreaName; re: RegExp }> = [
  { kind: 'refund', owner: 'refund', re: /\b(?:refund(?:ed)?|reimburs\w*|money back)\b/iu },
  { kind: 'cancellation', owner: 'cancellation', re: /\b(?:cancel(?:l?ed)?|terminate[ds]?)\b\s+(?:your|the|this)\s+(?:order|subscription|membership|plan)|\b(?:order|subscription|membership|plan)\s+(?:has been|is|was)\s+cancel+ed\b/iu },
  {
    kind: 'data deletion',
    owner: 'privacy',
    re: /\b(?:delete[ds]?|erase[ds]?|remove[ds]?|wipe[ds]?)\b\s+(?:all\s+)?(?:of\s+)?(?:your|the)\s+(?:account|data|personal (?:data|information)|information|details)|\b(?:account|data)\s+(?:has been|is|was|will be)\s+(?:deleted|erased|removed)\b/iu,
  },
];

const HEDGE = /\b(?:if|once|after|eligible|may|might|could|would need|needs? approval|subject to|up to)\b/iu;

function amounts(sentence: string): number[] {
  return [...sentence.matchAll(AMOUNT)].map((m) => Number((m[1] ?? m[2] ?? '').replace(/,/g, ''))).filter((n) => Number.isFinite(n));
}

function policyVerdicts(i: DraftCheckInput, sentences: readonly string[]): Verdict[] {
  const out: Verdict[] = [];
  const currency = i.pack.refund_limits.currency;
  for (const s of sentences) {
    if (!COMMITMENT.test(s)) continue;
    if (MONEY_VERB.test(s)) {
      const over = amounts(s).filter((n) => n > i.refundLimit);
      if (over.length > 0) {
        out.push(
          fail('policy', 'policy_violation', 'refund_limits.by_tier', `the draft promises ${over.join(', ')} ${currency}, above the refund limit of ${i.refundLimit} ${currency}`, [
            clip(s),
            `limit=${i.refundLimit}`,
          ]),
        );
      }
    }
    for (const c of COMMITMENTS) {
      if (!c.re.test(s)) continue;
      // "Once your return arrives we'll refund you" is still a promise; only open offers are hedged.
      if (c.kind === 'refund' && HEDGE.test(s) && !/\bwe(?:'ll| will)\b/iu.test(s)) continue;
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
            [clip(s)],
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

const digits = (s: string) => s.replace(/\D/g, '');

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
    if (d.length >= 13 && d.length <= 19 && luhn(d)) {
      cardSpans.push([m.index, m.index + m[0].length]);
      // Even the customer's own full card number is never written back.
      out.push(fail('pii', 'pii_leak', 'pii.card', 'the draft contains a payment card number', [maskDigits(m[0])]));
    }
  }
  for (const m of text.matchAll(PHONE)) {
    const d = digits(m[0]);
    if (d.length < 7 || d.length > 15) continue;
    if (cardSpans.some(([a, b]) => m.index >= a && m.index < b)) continue;
    // Dates, prices and order numbers are digit runs too; a phone number has 9+ digits or a + prefix.
    if (d.length < 9 && !m[0].startsWith('+')) continue;
    if ((own.phone && d.endsWith(own.phone)) || companyDigits.some((c) => c.endsWith(d.slice(-9)) || d.endsWith(c.slice(-9)))) continue;
    out.push(fail('pii', 'pii_leak', 'pii.phone', "the draft contains a phone number that is not the customer's own", [maskDigits(m[0])]));
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
