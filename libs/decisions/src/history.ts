import type { PolicyPack } from '@handrail/policy';
import { AREAS, resolvableAreas } from '@handrail/policy';

/** One earlier contact of a customer, as kept in the contacts bucket. */
export interface ContactRecord {
  ticketId: string;
  area: string;
  intent: string;
  channel: string;
  at: string;
}

/**
 * Other contacts received inside the window before this one — never later ones, so a redelivered
 * ticket gets the same answer it got the first time.
 */
function earlierInWindow(history: readonly ContactRecord[], current: ContactRecord, windowHours: number): ContactRecord[] {
  const at = Date.parse(current.at);
  const from = at - windowHours * 3_600_000;
  return history.filter((h) => {
    const t = Date.parse(h.at);
    return h.ticketId !== current.ticketId && t >= from && t < at;
  });
}

/** Earlier tickets on the same issue (same area) inside the window. */
export function repeatContacts(history: readonly ContactRecord[], current: ContactRecord, windowHours: number): string[] {
  return earlierInWindow(history, current, windowHours)
    .filter((h) => h.area === current.area)
    .map((h) => h.ticketId);
}

/**
 * Earlier contacts inside the window whose area a person handles (`humanAreas`): while such a case
 * is open, the customer's next messages are probably about it ("I forgot it", "kill it on the 21st")
 * and belong with the people who own it, whatever they look like on their own.
 */
export function openHumanCases(history: readonly ContactRecord[], current: ContactRecord, windowHours: number, humanAreas: ReadonlySet<string>): ContactRecord[] {
  return earlierInWindow(history, current, windowHours).filter((h) => humanAreas.has(h.area));
}

/** The history with `current` added once, pruned to the window (plus slack) and a size cap. */
export function appendContact(history: readonly ContactRecord[], current: ContactRecord, windowHours: number, cap = 50): ContactRecord[] {
  if (history.some((h) => h.ticketId === current.ticketId)) return [...history];
  const keepFrom = Date.parse(current.at) - 2 * windowHours * 3_600_000;
  return [...history.filter((h) => Date.parse(h.at) >= keepFrom), current]
    .sort((a, b) => a.at.localeCompare(b.at))
    .slice(-cap);
}

/** What the customer's history says about this contact. */
export interface ContactLookup {
  /** Earlier tickets on the same issue inside the repeat window. */
  repeatOf: string[];
  /** Earlier tickets in an area people handle, inside the open-case window (empty when the rule is off). */
  openCases: ContactRecord[];
}

/** How far back the pack's contact rules look, in hours. */
export function historyWindowHours(pack: PolicyPack): number {
  return Math.max(pack.escalation.repeat_contact.window_hours, pack.escalation.open_case?.window_hours ?? 0);
}

/** The repeat-contact and open-case facts of `current`, from the customer's earlier contacts. */
export function contactLookup(history: readonly ContactRecord[], current: ContactRecord, pack: PolicyPack): ContactLookup {
  const resolvable = new Set<string>(resolvableAreas(pack));
  const humanAreas = new Set<string>(AREAS.filter((a) => !resolvable.has(a)));
  return {
    repeatOf: repeatContacts(history, current, pack.escalation.repeat_contact.window_hours),
    openCases: pack.escalation.open_case ? openHumanCases(history, current, pack.escalation.open_case.window_hours, humanAreas) : [],
  };
}
