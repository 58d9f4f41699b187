import { NO_ANSWER_THRESHOLD } from '@handrail/kb';
import type { AreaName } from '@handrail/policy';
import type { HandoffInput, HandoffPacket } from './types.js';

const SUMMARY_GIST_CHARS = 160;

/** Contact details and card numbers are masked: the human has the ticket if they need them. */
export function redactPii(text: string): string {
  return text
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '[email]')
    .replace(/\b(?:\d[ -]?){13,19}\b/g, '[card]')
    .replace(/(?:\+?\d{1,3}[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}\b/g, '[phone]')
    .replace(/\b\d{1,5}\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd)\b\.?/g, '[address]');
}

const NEXT_STEP: Record<AreaName, string> = {
  faq_status: 'Check the order status and reply with the tracking details.',
  routine: 'Review the draft against the KB findings and send or edit it.',
  triage: 'Ask for the order number and photos if needed, then decide replacement, refund or repair.',
  refund: 'Check the order facts against the return window and refund limit, then approve or decline the refund.',
  privacy: 'Verify the customer’s identity, then handle the data request through the privacy team.',
  safety: 'Contact the customer, confirm they have stopped using the product, and check it against the recall list.',
  cancellation: 'Check whether the order has been dispatched, then confirm or decline the cancellation.',
  legal: 'Route to the legal team; do not admit liability or promise outcomes.',
  complaint: 'Acknowledge the complaint personally and review the customer’s contact history before replying.',
  talk_to_human: 'Reply personally: the customer asked for a person.',
};

function humanise(intent: string): string {
  return intent.replace(/[_-]+/g, ' ').trim() || 'an unclassified request';
}

function gist(text: string): string {
  const first = redactPii(text).replace(/\s+/g, ' ').trim();
  return first.length > SUMMARY_GIST_CHARS ? `${first.slice(0, SUMMARY_GIST_CHARS - 1).trimEnd()}…` : first;
}

/** What a human needs to pick up an escalated contact without re-reading everything. */
export function handoffPacket(input: HandoffInput): HandoffPacket {
  const useful = input.kbResults.filter((r) => r.score >= NO_ANSWER_THRESHOLD);
  const kbFindings =
    useful.length > 0
      ? useful.map((r) => `${r.title} (${r.passageId}@${r.articleVersion}, score ${r.score.toFixed(2)}): ${r.text}`)
      : [`No approved article covers this (best score ${(input.kbResults[0]?.score ?? 0).toFixed(2)}).`];
  return {
    summary: `Customer contact about ${humanise(input.intent)} (area: ${input.area}). Customer wrote: "${gist(input.text)}"`,
    kbFindings,
    triggers: [...new Set(input.reasons)],
    suggestedNextStep: NEXT_STEP[input.area],
  };
}
