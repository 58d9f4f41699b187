import type { NormalisedMessage, TicketState } from '../domain/index.js';

/** What the connector needs from a helpdesk, the same for each provider. */
export interface HelpdeskApi {
  /** The ticket as the helpdesk says it is now (uncached: read right before acting). */
  readTicket(ticketId: string): Promise<TicketState>;
  /** Posts a reply or an internal note; answers the helpdesk's id for it. */
  postMessage(m: { ticketId: string; body: string; visibility: 'public' | 'internal'; idempotencyKey: string; groupId?: string }): Promise<{ messageId: string }>;
  /**
   * Our earlier message with this body and visibility, if the helpdesk has it: after an attempt whose
   * answer we never saw (timeout, 5xx), this says whether it went through before we send again.
   */
  findOurMessage(m: { ticketId: string; body: string; visibility: 'public' | 'internal' }): Promise<string | undefined>;
  /** Hands the ticket to a group (Zendesk group, Chatwoot team) and out of the bot's hands. */
  assign(m: { ticketId: string; groupId: string; idempotencyKey: string }): Promise<void>;
  /** The documents the customer mapping reads (`{ user, organization }` / `{ contact, custom_attributes }`). */
  customerRecords(m: NormalisedMessage): Promise<Record<string, unknown>>;
  /** Tickets updated since a time, oldest first, with the cursor to continue from. */
  updatedSince(sinceMs: number): Promise<{ ticketIds: string[]; nextSinceMs: number }>;
  /** Every message of a ticket, oldest first. */
  messages(ticketId: string, receivedAt: string): Promise<NormalisedMessage[]>;
}
