/** One earlier contact of a customer, as kept in the contacts bucket. */
export interface ContactRecord {
  ticketId: string;
  area: string;
  intent: string;
  channel: string;
  at: string;
}

/**
 * Earlier tickets on the same issue (same area) inside the window, counting only contacts received
 * before this one — so a redelivered ticket gets the same answer it got the first time.
 */
export function repeatContacts(history: readonly ContactRecord[], current: ContactRecord, windowHours: number): string[] {
  const at = Date.parse(current.at);
  const from = at - windowHours * 3_600_000;
  return history
    .filter((h) => h.ticketId !== current.ticketId && h.area === current.area)
    .filter((h) => {
      const t = Date.parse(h.at);
      return t >= from && t < at;
    })
    .map((h) => h.ticketId);
}

/**
 * Earlier contacts inside the window whose area a person handles (`humanAreas`): while such a case
 * is open, the customer's next messages are probably about it ("I forgot it", "kill it on the 21st")
 * and belong with the people who own it, whatever they look like on their own.
 */
export function openHumanCases(history: readonly ContactRecord[], current: ContactRecord, windowHours: number, humanAreas: ReadonlySet<string>): ContactRecord[] {
  const at = Date.parse(current.at);
  const from = at - windowHours * 3_600_000;
  return history.filter((h) => {
    const t = Date.parse(h.at);
    return h.ticketId !== current.ticketId && humanAreas.has(h.area) && t >= from && t < at;
  });
}

/** The history with `current` added once, pruned to the window (plus slack) and a size cap. */
export function appendContact(history: readonly ContactRecord[], current: ContactRecord, windowHours: number, cap = 50): ContactRecord[] {
  if (history.some((h) => h.ticketId === current.ticketId)) return [...history];
  const keepFrom = Date.parse(current.at) - 2 * windowHours * 3_600_000;
  return [...history.filter((h) => Date.parse(h.at) >= keepFrom), current]
    .sort((a, b) => a.at.localeCompare(b.at))
    .slice(-cap);
}
