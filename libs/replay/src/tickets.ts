import { scanStream, type Bus, type ScannedMessage } from '@handrail/bus';
import type { EventEnvelope, Ticket } from '@handrail/contracts';
import { appendContact, contactRecordOf, type ContactRecord } from '@handrail/decisions';
import type { Topology } from '@handrail/events';

/** Reads a stored event: authenticated and opened (the services' key path), or why not. */
export type OpenEvent = (m: ScannedMessage) => Promise<{ ok: true; env: EventEnvelope } | { ok: false; reason: string }>;

/** A ticket as the stream recorded it: its events (opened), the ticket intake received, and where it sits. */
export interface RecordedTicket {
  ticketId: string;
  ticket: Ticket;
  events: EventEnvelope[];
  /** Stream sequence of its `received` event. */
  seq: number;
  storedAt: string;
  /**
   * The customer's contacts the escalation service had recorded before this ticket's `permitted`
   * event (stream order: the order it handled them), as the contacts bucket held them then.
   */
  history: ContactRecord[];
  /** Events that could not be read (unauthenticated, undecodable): the ticket cannot be trusted whole. */
  unreadable: string[];
}

export interface TicketWindow {
  from?: Date | undefined;
  to?: Date | undefined;
  ticket?: string | undefined;
  /** How far before `from` contact history is read (the policy's repeat/open-case windows, twice over). */
  historyHours?: number | undefined;
}

interface Contact {
  seq: number;
  customerId: string;
  record: ContactRecord;
}

/**
 * Every ticket received inside the window, one at a time, with its recorded events and the contact
 * history its decision saw. Memory holds the window's contact records (a few fields per ticket) and
 * one ticket's events, never the stream.
 */
export async function* recordedTickets(bus: Bus, topo: Topology, open: OpenEvent, w: TicketWindow): AsyncGenerator<RecordedTicket> {
  const historyHours = w.historyHours ?? 24 * 7;
  const historyFrom = w.from ? new Date(w.from.getTime() - 2 * historyHours * 3_600_000) : undefined;
  // Pass 1: who contacted us when, in the order the escalation service recorded it.
  const contacts = new Map<string, Contact[]>();
  for await (const m of scanStream(bus, topo.streams.events, { filter: topo.subjects.eventsOfType('permitted'), from: historyFrom, to: w.to })) {
    const r = await open(m);
    if (!r.ok || r.env.payload?.$case !== 'permitted') continue;
    const p = r.env.payload.value;
    const customerId = p.context?.customerId;
    if (!customerId) continue;
    const list = contacts.get(customerId) ?? [];
    list.push({ seq: m.seq, customerId, record: contactRecordOf(p) });
    contacts.set(customerId, list);
  }
  const historyBefore = (customerId: string, permittedSeq: number): ContactRecord[] => {
    let h: ContactRecord[] = [];
    for (const c of contacts.get(customerId) ?? []) {
      if (c.seq >= permittedSeq) break;
      h = appendContact(h, c.record, historyHours);
    }
    return h;
  };
  // Pass 2: each ticket received in the window, its whole timeline.
  const filter = w.ticket ? topo.subjects.event('received', w.ticket) : topo.subjects.eventsOfType('received');
  for await (const m of scanStream(bus, topo.streams.events, { filter, from: w.from, to: w.to })) {
    const r = await open(m);
    if (!r.ok || r.env.payload?.$case !== 'received' || !r.env.payload.value.ticket) continue;
    const ticket = r.env.payload.value.ticket;
    const events: EventEnvelope[] = [];
    const unreadable: string[] = [];
    let permittedSeq = Number.MAX_SAFE_INTEGER;
    for await (const e of scanStream(bus, topo.streams.events, { filter: topo.subjects.ticketTimeline(ticket.ticketId) })) {
      const o = await open(e);
      if (!o.ok) {
        unreadable.push(`seq ${e.seq}: ${o.reason}`);
        continue;
      }
      if (o.env.payload?.$case === 'permitted') permittedSeq = e.seq;
      events.push(o.env);
    }
    yield { ticketId: ticket.ticketId, ticket, events, seq: m.seq, storedAt: m.time, history: historyBefore(ticket.customerId, permittedSeq), unreadable };
  }
}
