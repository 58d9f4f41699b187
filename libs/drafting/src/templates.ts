import type { AreaName } from '@handrail/policy';

/**
 * Approved response templates. Only courtesy lines live here: every factual sentence of a reply is
 * taken from a retrieved KB passage, so the wording of a policy is owned by the help centre alone.
 * Brand voice: warm, plain, no promises the KB does not make.
 *
 * Article ids name the demo help centre; a deployment with another KB supplies its own templates.
 */
export interface ResponseTemplate {
  id: string;
  areas: readonly AreaName[];
  opening: string;
  /** When set, only these articles may be quoted: human-only areas get the one article written for them. */
  onlyArticles?: readonly string[];
  /** Articles this kind of contact is usually answered from; ranked first among equally relevant results. */
  preferredArticles: readonly string[];
  /** Articles never quoted for this kind of contact (e.g. recall guidance in a shipping answer). */
  excludedArticles: readonly string[];
  /** Sentences matching this are left out: a commitment this area may not make (e.g. refunds in triage). */
  avoidSentences?: RegExp;
  /** Most KB passages quoted in one reply. */
  maxPassages: number;
  closing: string;
}

const CLOSING = 'If there is anything else we can help with, just reply to this message.';
/** Articles that belong to the human-only areas: quoted there, not in everyday answers. */
const HUMAN_ONLY_ARTICLES = ['product-safety', 'privacy-requests'];

const ROUTINE: ResponseTemplate = {
  id: 'routine-v1',
  areas: ['routine'],
  opening: 'Thanks for reaching out.',
  preferredArticles: [],
  excludedArticles: HUMAN_ONLY_ARTICLES,
  avoidSentences: /\brefund/i,
  maxPassages: 2,
  closing: CLOSING,
};

export const TEMPLATES: readonly ResponseTemplate[] = [
  ROUTINE,
  {
    id: 'status-v1',
    areas: ['faq_status'],
    opening: 'Thanks for getting in touch.',
    preferredArticles: ['order-tracking', 'shipping-times'],
    excludedArticles: HUMAN_ONLY_ARTICLES,
    avoidSentences: /\brefund/i,
    maxPassages: 2,
    closing: CLOSING,
  },
  {
    id: 'triage-v1',
    areas: ['triage'],
    opening: "I'm sorry for the trouble.",
    preferredArticles: ['refunds-policy', 'order-tracking', 'warranty'],
    excludedArticles: HUMAN_ONLY_ARTICLES,
    // Triage gathers facts; only the refund area may talk about refunds.
    avoidSentences: /\brefund/i,
    maxPassages: 2,
    closing: 'We are here to help, so just reply to this message.',
  },
  {
    id: 'refund-v1',
    areas: ['refund'],
    opening: 'Thanks for reaching out, and sorry for the trouble.',
    preferredArticles: ['refunds-policy', 'returns-policy'],
    excludedArticles: HUMAN_ONLY_ARTICLES,
    maxPassages: 3,
    closing: CLOSING,
  },
  {
    id: 'cancellation-v1',
    areas: ['cancellation'],
    opening: 'Thanks for letting us know.',
    preferredArticles: ['cancellation-policy'],
    excludedArticles: HUMAN_ONLY_ARTICLES,
    avoidSentences: /\brefund/i,
    maxPassages: 2,
    closing: CLOSING,
  },
  {
    id: 'privacy-v1',
    areas: ['privacy'],
    opening: 'Thanks for reaching out.',
    onlyArticles: ['privacy-requests'],
    preferredArticles: ['privacy-requests'],
    excludedArticles: [],
    maxPassages: 3,
    closing: 'We appreciate your patience.',
  },
  {
    id: 'safety-v1',
    areas: ['safety'],
    opening: 'Thank you for letting us know.',
    onlyArticles: ['product-safety'],
    preferredArticles: ['product-safety'],
    excludedArticles: [],
    maxPassages: 2,
    closing: 'We appreciate your patience.',
  },
  {
    id: 'handoff-v1',
    areas: ['legal', 'complaint', 'talk_to_human'],
    opening: 'Thanks for reaching out.',
    // These contacts go to a person; the draft only says how and when people are reachable.
    onlyArticles: ['contact-hours'],
    preferredArticles: ['contact-hours'],
    excludedArticles: [],
    maxPassages: 1,
    closing: 'We appreciate your patience.',
  },
];

export function templateFor(area: AreaName): ResponseTemplate {
  // Every area has a template (a test proves it); routine is the plain fallback.
  return TEMPLATES.find((t) => t.areas.includes(area)) ?? ROUTINE;
}
