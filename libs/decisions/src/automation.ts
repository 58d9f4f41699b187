import type { AutomationChanged, Reason } from '@handrail/contracts';
import { AI_ACTION, AREA, type AiActionName, type AreaName } from '@handrail/events';
import { exceeds, type PilotPolicy, type PolicyPack } from '@handrail/policy';
import { ticketDraw } from './sampling.js';

/**
 * What the QA loop changed about automation without a policy revision (issue 13): areas a circuit
 * breaker demoted (until a person restores them) and pilots that stopped themselves. Built from
 * `automation_changed` events alone, so the guardrail service, the CLI and `decideTicket` agree.
 */
export interface AutomationState {
  /** Areas whose automation is capped, with the cap and why. */
  readonly demoted: ReadonlyMap<AreaName, { maxAction: AiActionName; reason: string; detail: string; since: string }>;
  /** Pilots that stopped: their slice falls back to the pilot's outside action. */
  readonly stoppedPilots: ReadonlyMap<string, { reason: string; detail: string; since: string }>;
  /** How many changes each area (or `pilot:<name>`) has had: the next change's sequence. */
  readonly changes: ReadonlyMap<string, number>;
}

export function emptyAutomation(): AutomationState {
  return { demoted: new Map(), stoppedPilots: new Map(), changes: new Map() };
}

/** Folds one `automation_changed` event in (a new state; the old one is untouched). */
export function applyAutomationChange(s: AutomationState, c: AutomationChanged, time: string): AutomationState {
  const demoted = new Map(s.demoted);
  const stoppedPilots = new Map(s.stoppedPilots);
  const changes = new Map(s.changes);
  const area = AREA.name(c.area);
  const key = c.action === 'pilot_stop' ? `pilot:${c.pilot}` : (area ?? 'unknown');
  changes.set(key, (changes.get(key) ?? 0) + 1);
  if (c.action === 'demote' && area) {
    const max = AI_ACTION.name(c.maxAction) ?? 'none';
    demoted.set(area, { maxAction: max, reason: c.reason, detail: c.detail, since: time });
  } else if (c.action === 'restore' && area) {
    demoted.delete(area);
  } else if (c.action === 'pilot_stop' && c.pilot) {
    stoppedPilots.set(c.pilot, { reason: c.reason, detail: c.detail, since: time });
  }
  return { demoted, stoppedPilots, changes };
}

/** One level less autonomy: resolve → draft (a person approves), draft → assist (a person handles it). */
export function demotedAction(a: AiActionName): AiActionName {
  switch (a) {
    case 'resolve':
      return 'draft';
    case 'draft':
      return 'assist';
    case 'assist':
    case 'none':
      return a;
  }
}

/** Whether a ticket is in a pilot's slice: its area and channel, and a deterministic draw under the share. */
export function inPilotSlice(p: PilotPolicy, area: AreaName | undefined, channel: string, ticketId: string): boolean {
  if (!area || !p.areas.includes(area)) return false;
  if (p.channels.length > 0 && !p.channels.includes(channel)) return false;
  return ticketDraw(ticketId, `pilot:${p.name}`) < p.traffic_share;
}

/** The pilot covering an area, if any (the first one listed). */
export function pilotFor(pack: PolicyPack, area: AreaName | undefined): PilotPolicy | undefined {
  return area ? pack.pilots.find((p) => p.areas.includes(area)) : undefined;
}

export interface AutomationCap {
  action: AiActionName;
  reasons: Reason[];
  /** The pilot whose slice the ticket is in, if any (and still running). */
  pilot?: string | undefined;
}

/**
 * Lowers what AI may do for one ticket by the QA loop's state: a pilot's area outside its slice (or
 * after it stopped) gets the pilot's outside action; a demoted area gets its cap. Never raises.
 */
export function capAutomation(action: AiActionName, t: { area: AreaName | undefined; channel: string; ticketId: string }, pack: PolicyPack, state: AutomationState): AutomationCap {
  const reasons: Reason[] = [];
  let out = action;
  let pilotName: string | undefined;
  const pilot = pilotFor(pack, t.area);
  if (pilot) {
    const stopped = state.stoppedPilots.get(pilot.name);
    const inside = inPilotSlice(pilot, t.area, t.channel, t.ticketId);
    if (inside && !stopped) pilotName = pilot.name;
    else if (exceeds(out, pilot.outside_action)) {
      out = pilot.outside_action;
      reasons.push(
        stopped
          ? { code: 'pilot_stopped', rule: `pilots.${pilot.name}`, detail: `pilot ${pilot.name} stopped itself (${stopped.reason}): AI may ${out}`, evidence: [stopped.detail] }
          : { code: 'outside_pilot', rule: `pilots.${pilot.name}`, detail: `outside pilot ${pilot.name}'s slice (${pilot.channels.length ? pilot.channels.join('/') : 'all channels'}, ${Math.round(pilot.traffic_share * 100)}% of traffic): AI may ${out}`, evidence: [t.channel] },
      );
    }
  }
  const demoted = t.area ? state.demoted.get(t.area) : undefined;
  if (demoted && exceeds(out, demoted.maxAction)) {
    out = demoted.maxAction;
    reasons.push({ code: 'automation_demoted', rule: `qa.circuit_breakers.${t.area}`, detail: `the circuit breaker demoted ${t.area} (${demoted.reason}); a person with automation.restore re-promotes it`, evidence: [demoted.detail] });
  }
  return { action: out, reasons, pilot: pilotName };
}
