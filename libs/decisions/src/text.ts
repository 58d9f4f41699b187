import type { Ticket } from '@handrail/contracts';

/**
 * The customer's words as every decision reads them: subject and body together. The one place the
 * text is assembled, so the classifier, the risk keywords and the injection detector see the same string.
 */
export function ticketText(t: Pick<Ticket, 'subject' | 'body'>): string {
  return t.subject ? `${t.subject}\n${t.body}` : t.body;
}
