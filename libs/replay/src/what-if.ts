import type { TicketConcluded } from '@handrail/contracts';
import { contactRecordOf, decideTicket, type ContactRecord } from '@handrail/decisions';
import { AREA, PRIORITY, ROUTE } from '@handrail/events';
import type { ResolvedKb, ResolvedPolicy, RevisionResolver } from './revisions.js';
import type { RecordedTicket } from './tickets.js';

/** One recorded decision that would come out differently under the candidate. */
export interface DecisionChange {
  ticketId: string;
  storedAt: string;
  area: { from: string; to: string };
  route: { from: string; to: string };
  queue: { from: string; to: string };
  priority: { from: string; to: string };
  reasonsAdded: string[];
  reasonsRemoved: string[];
}

export interface Group {
  key: string;
  count: number;
  /** Up to five ticket ids. */
  examples: string[];
}

/** What a candidate policy (or KB) would change over recorded traffic: the approver's evidence. */
export interface ImpactReport {
  candidate: { policy: string; policySource: string; kb: string; kbSource: string };
  window: { from: string | null; to: string | null };
  generatedAt: string;
  tickets: number;
  changed: number;
  /** Tickets that could not be re-decided (no received ticket, no recorded conclusion). */
  skipped: number;
  byArea: Group[];
  byRoute: Group[];
  byReason: Group[];
  /** Every change, oldest first. */
  changes: DecisionChange[];
}

const EXAMPLES = 5;
const areaName = (c: TicketConcluded) => AREA.name(c.area) ?? 'unknown';
const routeName = (c: TicketConcluded) => ROUTE.name(c.route) ?? 'unknown';
const priorityName = (c: TicketConcluded) => PRIORITY.name(c.priority) ?? 'unknown';
const codes = (c: TicketConcluded) => [...new Set(c.reasons.map((r) => r.code))].sort();

/** The change between a recorded conclusion and the candidate's, or undefined when it is the same decision. */
export function changeOf(ticketId: string, storedAt: string, was: TicketConcluded, now: TicketConcluded): DecisionChange | undefined {
  const before = codes(was);
  const after = codes(now);
  const change: DecisionChange = {
    ticketId,
    storedAt,
    area: { from: areaName(was), to: areaName(now) },
    route: { from: routeName(was), to: routeName(now) },
    queue: { from: was.queue, to: now.queue },
    priority: { from: priorityName(was), to: priorityName(now) },
    reasonsAdded: after.filter((c) => !before.includes(c)),
    reasonsRemoved: before.filter((c) => !after.includes(c)),
  };
  const same = change.area.from === change.area.to && change.route.from === change.route.to && change.queue.from === change.queue.to && change.priority.from === change.priority.to && !change.reasonsAdded.length && !change.reasonsRemoved.length;
  return same ? undefined : change;
}

function grouped(changes: readonly DecisionChange[], keys: (c: DecisionChange) => string[]): Group[] {
  const m = new Map<string, Group>();
  for (const c of changes) {
    for (const key of keys(c)) {
      const g = m.get(key) ?? { key, count: 0, examples: [] };
      g.count++;
      if (g.examples.length < EXAMPLES) g.examples.push(c.ticketId);
      m.set(key, g);
    }
  }
  return [...m.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** Builds the report from the changes (grouping by area, route transition and reason). */
export function impactReport(candidate: ImpactReport['candidate'], window: ImpactReport['window'], tickets: number, skipped: number, changes: DecisionChange[], now = new Date()): ImpactReport {
  return {
    candidate,
    window,
    generatedAt: now.toISOString(),
    tickets,
    changed: changes.length,
    skipped,
    byArea: grouped(changes, (c) => [c.area.from === c.area.to ? c.area.from : `${c.area.from} → ${c.area.to}`]),
    byRoute: grouped(changes, (c) => [`${c.route.from} → ${c.route.to}`]),
    byReason: grouped(changes, (c) => [...c.reasonsAdded.map((r) => `+${r}`), ...c.reasonsRemoved.map((r) => `-${r}`)]),
    changes,
  };
}

export interface WhatIfOptions {
  candidate: ResolvedPolicy;
  /** The KB to decide with; by default the one each ticket's decision named. */
  kb?: ResolvedKb | undefined;
  window: ImpactReport['window'];
}

/**
 * Re-decides recorded tickets under a candidate policy, in process with `decideTicket` — nothing is
 * published anywhere — and reports every conclusion that would change. Contact history is the
 * recorded one, with each earlier ticket of the window as the candidate would have classified it.
 */
export async function whatIf(tickets: AsyncIterable<RecordedTicket>, resolver: RevisionResolver, o: WhatIfOptions): Promise<ImpactReport> {
  const candidateContacts = new Map<string, ContactRecord>();
  const changes: DecisionChange[] = [];
  let count = 0;
  let skipped = 0;
  let kbSource = o.kb ? `${o.kb.revision} (${o.kb.source})` : 'each decision’s recorded KB revision';
  for await (const rec of tickets) {
    count++;
    const concluded = rec.events.find((e) => e.payload?.$case === 'concluded');
    const was = concluded?.payload?.$case === 'concluded' ? concluded.payload.value : undefined;
    const recordedKb = rec.events.map((e) => e.revisions?.kb ?? '').find(Boolean);
    const kb = o.kb ?? (recordedKb ? await resolver.kb(recordedKb) : undefined) ?? (await resolver.currentKb());
    if (!was || !kb) {
      skipped++;
      continue;
    }
    if (!o.kb && !recordedKb) kbSource = `${kb.revision} (${kb.source})`;
    const history = rec.history.map((h) => candidateContacts.get(h.ticketId) ?? h);
    const d = await decideTicket({ ticket: rec.ticket, history }, { policy: o.candidate, kb: { kb: kb.kb, revision: kb.revision }, classify: resolver.classifier(o.candidate) });
    candidateContacts.set(rec.ticketId, contactRecordOf(d.permitted));
    const c = changeOf(rec.ticketId, rec.storedAt, was, d.concluded);
    if (c) changes.push(c);
  }
  return impactReport({ policy: o.candidate.revision, policySource: o.candidate.source, kb: o.kb?.revision ?? '', kbSource }, o.window, count, skipped, changes);
}
