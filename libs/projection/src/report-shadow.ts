import type { ShadowView, TicketView } from './projection.js';

/** Shadow mode in the weekly report (issue 15): what a candidate decided beside production's conclusions. */

export interface ShadowGroup {
  key: string;
  count: number;
  /** Up to five ticket ids. */
  examples: string[];
}

/** One ticket whose candidate decision differs from production's conclusion. */
export interface ShadowChange {
  ticketId: string;
  area: { from: string; to: string };
  route: { from: string; to: string };
  queue: { from: string; to: string };
  priority: { from: string; to: string };
  reasonsAdded: string[];
  reasonsRemoved: string[];
}

export interface ShadowComparison {
  candidate: { policy: string; kb: string };
  /** The production policy revisions those tickets were decided under. */
  production: string[];
  /** Tickets the candidate decided. */
  shadowed: number;
  /** Of those, the ones production has concluded: the ones compared. */
  compared: number;
  /** Shadowed, but production has not concluded them yet. */
  pending: number;
  /** Same route, area, queue, priority and reason codes. */
  same: number;
  sameRoute: number;
  changed: number;
  routeChanged: number;
  byArea: ShadowGroup[];
  /** `production → candidate`. */
  byRoute: ShadowGroup[];
  /** `+code` the candidate adds, `-code` it drops. */
  byReason: ShadowGroup[];
  /** The changes, oldest ticket first, at most MAX_SHADOW_CHANGES (`changed` counts them all). */
  changes: ShadowChange[];
}

export interface ShadowSection {
  /** One per candidate (policy + KB) that decided any of the week's tickets; empty when shadow mode was off. */
  candidates: ShadowComparison[];
}

export const MAX_SHADOW_CHANGES = 100;
const EXAMPLES = 5;

const sorted = (xs: readonly string[]) => [...new Set(xs)].sort();

/** The difference between production's conclusion and the candidate's decision, or undefined when they agree. */
export function shadowChangeOf(t: TicketView, s: ShadowView): ShadowChange | undefined {
  const before = sorted(t.reasons.map((r) => r.code));
  const after = sorted(s.reasons);
  const c: ShadowChange = {
    ticketId: t.ticketId,
    area: { from: t.area, to: s.area },
    route: { from: t.route ?? 'unknown', to: s.route ?? 'unknown' },
    queue: { from: t.queue, to: s.queue },
    priority: { from: t.priority, to: s.priority },
    reasonsAdded: after.filter((x) => !before.includes(x)),
    reasonsRemoved: before.filter((x) => !after.includes(x)),
  };
  const same = c.area.from === c.area.to && c.route.from === c.route.to && c.queue.from === c.queue.to && c.priority.from === c.priority.to && !c.reasonsAdded.length && !c.reasonsRemoved.length;
  return same ? undefined : c;
}

function grouped(changes: readonly ShadowChange[], keys: (c: ShadowChange) => string[]): ShadowGroup[] {
  const m = new Map<string, ShadowGroup>();
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

/** Production's conclusions against each candidate's decisions, over the week's tickets. */
export function shadowSection(tickets: readonly TicketView[]): ShadowSection {
  const byCandidate = new Map<string, { candidate: ShadowComparison['candidate']; pairs: Array<[TicketView, ShadowView]> }>();
  for (const t of tickets) {
    for (const s of t.shadow) {
      const key = `${s.candidate.policy}/${s.candidate.kb}`;
      const entry = byCandidate.get(key) ?? { candidate: { policy: s.candidate.policy, kb: s.candidate.kb }, pairs: [] };
      entry.pairs.push([t, s]);
      byCandidate.set(key, entry);
    }
  }
  const candidates = [...byCandidate.values()].map(({ candidate, pairs }): ShadowComparison => {
    const ordered = [...pairs].sort(([a], [b]) => (a.times.received || a.ticketId).localeCompare(b.times.received || b.ticketId));
    const changes: ShadowChange[] = [];
    const production = new Set<string>();
    let compared = 0;
    let sameRoute = 0;
    for (const [t, s] of ordered) {
      if (!t.route) continue;
      compared++;
      if (t.revisions.policy) production.add(t.revisions.policy);
      if (t.route === s.route) sameRoute++;
      const c = shadowChangeOf(t, s);
      if (c) changes.push(c);
    }
    return {
      candidate,
      production: [...production].sort(),
      shadowed: pairs.length,
      compared,
      pending: pairs.length - compared,
      same: compared - changes.length,
      sameRoute,
      changed: changes.length,
      routeChanged: compared - sameRoute,
      byArea: grouped(changes, (c) => [c.area.from === c.area.to ? c.area.from : `${c.area.from} → ${c.area.to}`]),
      byRoute: grouped(changes, (c) => [`${c.route.from} → ${c.route.to}`]),
      byReason: grouped(changes, (c) => [...c.reasonsAdded.map((r) => `+${r}`), ...c.reasonsRemoved.map((r) => `-${r}`)]),
      changes: changes.slice(0, MAX_SHADOW_CHANGES),
    };
  });
  return { candidates: candidates.sort((a, b) => b.shadowed - a.shadowed || a.candidate.policy.localeCompare(b.candidate.policy)) };
}

/** The comparison as text lines (the CLI's weekly report). */
export function renderShadowText(week: string, s: ShadowSection): string[] {
  return s.candidates.flatMap((c) => {
    const head = `shadow in ${week} — candidate policy ${c.candidate.policy}${c.candidate.kb ? `, KB ${c.candidate.kb}` : ''} vs production ${c.production.join(', ') || '-'}: ${c.compared} compared${c.pending ? ` (${c.pending} not concluded yet)` : ''}, ${c.same} same, ${c.changed} changed, ${c.routeChanged} of them in route`;
    const groups = (title: string, gs: readonly ShadowGroup[]) => (gs.length ? [`  by ${title}: ${gs.map((g) => `${g.key} ${g.count} (e.g. ${g.examples.join(', ')})`).join('; ')}`] : []);
    return [head, ...groups('route', c.byRoute), ...groups('area', c.byArea), ...groups('reason', c.byReason)];
  });
}
