import { AutomationChanged } from '@handrail/contracts';
import { inPilotSlice } from '@handrail/decisions';
import { AI_ACTION, AREA, type AreaName } from '@handrail/events';
import { allowedAction, exceeds, type AiActionName, type PolicyPack } from '@handrail/policy';
import { qaUnitOf, qaUnitsOf, type TicketView } from '@handrail/projection';
import { breakerVerdict, catchRates, improvementBacklog, pilotVerdict, type BacklogEntry, type BreakerVerdict, type CatchRate, type PilotVerdict } from '@handrail/qa';
import { breakerRuleFor, currentAction } from './plan.js';
import type { LoopState } from './state.js';

export interface AreaStatus {
  area: AreaName;
  /** What the pack grants. */
  granted: AiActionName;
  /** What AI may do now (lower when demoted). */
  current: AiActionName;
  demoted: { reason: string; detail: string; since: string } | undefined;
  breaker: (BreakerVerdict & { since: string }) | undefined;
}

export interface PilotStatus {
  name: string;
  areas: string[];
  channels: string[];
  trafficShare: number;
  stopped: { reason: string; detail: string; since: string } | undefined;
  result: PilotVerdict;
}

export interface QaOverview {
  areas: AreaStatus[];
  pilots: PilotStatus[];
  catchRates: CatchRate[];
  backlog: BacklogEntry[];
}

/** Per pilot: its slice's decisions judged against the pack's pre-registered criteria. */
export function pilotStatuses(tickets: Iterable<TicketView>, pack: PolicyPack, loop: LoopState): PilotStatus[] {
  const all = [...tickets].filter((t) => t.route && !t.seed);
  return pack.pilots.map((p) => {
    const units = all.filter((t) => inPilotSlice(p, AREA.parse(t.area), t.channel, t.ticketId)).map(qaUnitOf);
    const stopped = loop.automation.stoppedPilots.get(p.name);
    const result = pilotVerdict(units, p);
    // Once it stopped itself, the pilot failed, whatever later numbers say.
    return { name: p.name, areas: [...p.areas], channels: [...p.channels], trafficShare: p.traffic_share, stopped, result: stopped ? { ...result, verdict: 'fail', stop: true } : result };
  });
}

/** The QA loop at a glance: each area's automation and breaker, pilots, reviewers' catch rates, the backlog. */
export function qaOverview(tickets: Iterable<TicketView>, pack: PolicyPack, loop: LoopState): QaOverview {
  const list = [...tickets].filter((t) => t.route);
  const areas: AreaStatus[] = AREA.names.map((area) => {
    const rule = breakerRuleFor(pack, area);
    const since = loop.lastChangeAt.get(area) ?? '';
    const units = list.filter((t) => t.area === area && t.times.concluded > since).map(qaUnitOf);
    const d = loop.automation.demoted.get(area);
    return {
      area,
      granted: allowedAction(pack, area),
      current: currentAction(pack, area, loop.automation),
      demoted: d ? { reason: d.reason, detail: d.detail, since: d.since } : undefined,
      breaker: rule ? { ...breakerVerdict(units, rule), since } : undefined,
    };
  });
  const units = qaUnitsOf(list);
  return { areas, pilots: pilotStatuses(list, pack, loop), catchRates: catchRates(units), backlog: improvementBacklog(units) };
}

/**
 * A person re-promotes a demoted area back to what the pack grants. The caller checks the
 * permission (automation.restore); this says whether there is anything to restore and what is recorded.
 */
export function planRestore(area: AreaName, pack: PolicyPack, loop: LoopState, note: string): { change: AutomationChanged; idSuffix: string } | { nothing: string } {
  const d = loop.automation.demoted.get(area);
  if (!d) return { nothing: `${area} is not demoted` };
  const granted = allowedAction(pack, area);
  if (!exceeds(granted, d.maxAction)) return { nothing: `${area} is at what the pack grants (${granted})` };
  const seq = (loop.automation.changes.get(area) ?? 0) + 1;
  return {
    change: AutomationChanged.fromPartial({ action: 'restore', area: AREA.value(area), maxAction: AI_ACTION.value(granted), previousAction: AI_ACTION.value(d.maxAction), reason: 'restored_by_person', detail: note }),
    idSuffix: `${area}-${seq}`,
  };
}
