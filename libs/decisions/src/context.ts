import type { Ticket, TicketContext } from '@handrail/contracts';

/** The compact view of a ticket that travels with every decision after `received`: no customer text. */
export function contextOf(t: Ticket): TicketContext {
  return {
    ticketId: t.ticketId,
    connector: t.connector,
    externalId: t.externalId,
    customerId: t.customerId,
    channel: t.channel,
    receivedAt: t.receivedAt,
    customer: t.customer ? { ...t.customer, repeatOf: [...t.customer.repeatOf] } : undefined,
  };
}

/** The customer as decisions see them; an unknown customer is a standard one with no value or risk. */
export function customerOf(c: TicketContext | undefined): { tier: string; accountValue: number; highRisk: boolean } {
  const k = c?.customer;
  return { tier: k?.tier || 'standard', accountValue: k?.accountValue ?? 0, highRisk: k?.highRisk ?? false };
}
