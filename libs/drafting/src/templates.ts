import type { AreaName } from '@handrail/policy';

/**
 * Approved response templates. Only courtesy lines live here: every factual sentence of a reply is
 * taken from a retrieved KB passage, so the wording of a policy is owned by the help centre alone.
 * Brand voice: warm, plain, no promises the KB does not make.
 */
export interface ResponseTemplate {
  id: string;
  areas: readonly AreaName[];
  opening: string;
  /** Articles this kind of contact is usually answered from; ranked first when they clear the threshold. */
  preferredArticles: readonly string[];
  /** Most KB passages quoted in one reply. */
  maxPassages: number;
  closing: string;
}

const ROUTINE: ResponseTemplate = {
  id: 'routine-v1',
  areas: ['routine'],
  opening: 'Thanks for reaching out.',
  preferredArticles: [],
  maxPassages: 2,
  closing: 'If there is anything else we can help with, just reply to this message.',
};

export const TEMPLATES: readonly ResponseTemplate[] = [
  ROUTINE,
  {
    id: 'status-v1',
    areas: ['faq_status'],
    opening: 'Thanks for getting in touch.',
    preferredArticles: ['order-tracking', 'shipping-times'],
    maxPassages: 2,
    closing: 'If there is anything else we can help with, just reply to this message.',
  },
  {
    id: 'triage-v1',
    areas: ['triage'],
    opening: "I'm sorry for the trouble.",
    preferredArticles: ['refunds-policy', 'order-tracking', 'warranty'],
    maxPassages: 2,
    closing: 'We are here to help, so just reply to this message.',
  },
  {
    id: 'refund-v1',
    areas: ['refund'],
    opening: 'Thanks for reaching out, and sorry for the trouble.',
    preferredArticles: ['refunds-policy', 'returns-policy'],
    maxPassages: 3,
    closing: 'If there is anything else we can help with, just reply to this message.',
  },
  {
    id: 'cancellation-v1',
    areas: ['cancellation'],
    opening: 'Thanks for letting us know.',
    preferredArticles: ['cancellation-policy'],
    maxPassages: 2,
    closing: 'If there is anything else we can help with, just reply to this message.',
  },
  {
    id: 'privacy-v1',
    areas: ['privacy'],
    opening: 'Thanks for reaching out.',
    preferredArticles: ['privacy-requests'],
    maxPassages: 3,
    closing: 'We appreciate your patience.',
  },
  {
    id: 'safety-v1',
    areas: ['safety'],
    opening: 'Thank you for letting us know.',
    preferredArticles: ['product-safety'],
    maxPassages: 2,
    closing: 'We appreciate your patience.',
  },
  {
    id: 'handoff-v1',
    areas: ['legal', 'complaint', 'talk_to_human'],
    opening: 'Thanks for reaching out.',
    preferredArticles: ['contact-hours'],
    maxPassages: 1,
    closing: 'We appreciate your patience.',
  },
];

export function templateFor(area: AreaName): ResponseTemplate {
  // Every area has a template (a test proves it); routine is the plain fallback.
  return TEMPLATES.find((t) => t.areas.includes(area)) ?? ROUTINE;
}
