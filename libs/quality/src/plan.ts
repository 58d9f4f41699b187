import { AutomationChanged, QaAlert, type RateEstimate as RateEstimateMsg } from '@handrail/contracts';
import { demotedAction, inPilotSlice, type AutomationState } from '@handrail/decisions';
import { AI_ACTION, AREA, type AreaName } from '@handrail/events';
import { allowedAction, exceeds, type AiActionName, type PolicyPack } from '@handrail/policy';
import { qaUnitOf, type TicketView } from '@handrail/projection';
import { automationCreepAlarms, breakerVerdict, fastApprovalAlarms, pilotVerdict, reviewerAlarms, type Alarm, type BreakerRule, type QaUnit, type RateEstimate } from '@handrail/qa';

/**
 * What the QA loop does about what reviewers found (issue 13), as plain functions over the read
 * model: which areas to demote, which pilots stop, which alarms to raise. The service publishes
 * what these return; event ids carry a sequence, so replicas and restarts never act twice.
 */

/** The pack's breaker for an area (the default merged with the area's own), or none. */
export function breakerRuleFor(pack: PolicyPack, area: AreaName): BreakerRule | undefined {
  const b = pack.qa.circuit_breakers;
  const own = b.by_area[area];
  if (!b.default && !own?.max_defect_rate) return undefined;
  const base = { confidence: 0.95, min_reviews: 10, severities: ['minor', 'major', 'critical'], ...(b.default ?? {}) };
  const merged = { ...base, ...Object.fromEntries(Object.entries(own ?? {}).filter(([, v]) => v !== undefined)) };
  if (merged.max_defect_rate === undefined) return undefined;
  return { max_defect_rate: merged.max_defect_rate, confidence: merged.confidence, min_reviews: merged.min_reviews, severities: merged.severities };
}

/** What AI may do in an area now: the pack's grant, lowered by a demotion in force. */
export function currentAction(pack: PolicyPack, area: AreaName, automation: AutomationState): AiActionName {
  const granted = allowedAction(pack, area);
  const cap = automation.demoted.get(area)?.maxAction;
  return cap && exceeds(granted, cap) ? cap : granted;
}

const estimateMsg = (e: RateEstimate, bound: number): RateEstimateMsg => ({ rate: e.rate, lower: e.lower, upper: e.upper, bound, confidence: e.confidence, samples: e.samples, effectiveN: e.effectiveN });

export interface PlannedChange {
  change: AutomationChanged;
  /** Event id suffix: `<area or pilot>-<sequence>`. */
  idSuffix: string;
  alert: QaAlert;
}

/** When automation in `area` last changed (demote, restore): only decisions after it count for the next verdict. */
function lastChange(automationTimes: ReadonlyMap<string, string>, key: string): string {
  return automationTimes.get(key) ?? '';
}

/**
 * Areas to demote: those with a breaker whose decisions since the last change show a defect rate
 * above the bound with confidence. resolve → draft; draft → assist (a person handles it).
 */
export function planDemotions(tickets: Iterable<TicketView>, pack: PolicyPack, automation: AutomationState, lastChangeAt: ReadonlyMap<string, string>, areas?: ReadonlySet<string>): PlannedChange[] {
  const byArea = new Map<AreaName, QaUnit[]>();
  for (const t of tickets) {
    const area = AREA.parse(t.area);
    if (!area || !t.route || (areas && !areas.has(area))) continue;
    if (t.times.concluded <= lastChange(lastChangeAt, area)) continue;
    const list = byArea.get(area) ?? [];
    list.push(qaUnitOf(t));
    byArea.set(area, list);
  }
  const out: PlannedChange[] = [];
  for (const [area, units] of byArea) {
    const rule = breakerRuleFor(pack, area);
    if (!rule) continue;
    const now = currentAction(pack, area, automation);
    const next = demotedAction(now);
    if (next === now) continue;
    const v = breakerVerdict(units, rule);
    if (!v.trip) continue;
    const seq = (automation.changes.get(area) ?? 0) + 1;
    out.push({
      change: AutomationChanged.fromPartial({ action: 'demote', area: AREA.value(area), maxAction: AI_ACTION.value(next), previousAction: AI_ACTION.value(now), reason: 'defect_rate_above_bound', detail: v.reason, estimate: estimateMsg(v.estimate, v.bound) }),
      idSuffix: `${area}-${seq}`,
      alert: QaAlert.fromPartial({ kind: 'breaker_tripped', area: AREA.value(area), detail: `${area} demoted from ${now} to ${next}: ${v.reason}`, value: v.estimate.rate, threshold: v.bound }),
    });
  }
  return out;
}

/** Pilots that meet a stop condition and have not stopped yet. */
export function planPilotStops(tickets: Iterable<TicketView>, pack: PolicyPack, automation: AutomationState): PlannedChange[] {
  const all = [...tickets];
  const out: PlannedChange[] = [];
  for (const p of pack.pilots) {
    if (automation.stoppedPilots.has(p.name)) continue;
    const units = all.filter((t) => t.route && !t.seed && inPilotSlice(p, AREA.parse(t.area), t.channel, t.ticketId)).map(qaUnitOf);
    const v = pilotVerdict(units, p);
    if (!v.stop) continue;
    const seq = (automation.changes.get(`pilot:${p.name}`) ?? 0) + 1;
    const area = p.areas[0] ?? 'triage';
    out.push({
      change: AutomationChanged.fromPartial({ action: 'pilot_stop', area: AREA.value(area), pilot: p.name, maxAction: AI_ACTION.value(p.outside_action), previousAction: AI_ACTION.value(allowedAction(pack, area)), reason: 'pilot_stop_condition', detail: v.reasons.filter((r) => r.startsWith('stop:')).join('; ') }),
      idSuffix: `pilot-${p.name}-${seq}`,
      alert: QaAlert.fromPartial({ kind: 'pilot_stopped', area: AREA.value(area), detail: `pilot ${p.name} stopped itself: ${v.reasons.filter((r) => r.startsWith('stop:')).join('; ')}` }),
    });
  }
  return out;
}

/** The week's alarms: automation creep per area, fast approvals per person, reviewers missing seeded defects. */
export function planAlarms(tickets: Iterable<TicketView>, pack: PolicyPack, week: string): Array<{ alert: QaAlert; idSuffix: string }> {
  const units = [...tickets].filter((t) => t.route).map(qaUnitOf).filter((u) => u.week === week);
  const a = pack.qa.alarms;
  const alarms: Alarm[] = [
    ...automationCreepAlarms(units, a.approved_automation, { confidence: a.confidence, minDecisions: a.min_decisions }),
    ...fastApprovalAlarms(units, { fastMs: a.fast_approval_ms, maxShare: a.fast_approval_share, minDecisions: a.min_decisions, confidence: a.confidence }),
    ...reviewerAlarms(units, { minCatchRate: a.min_catch_rate, minSeeded: a.min_seeded }),
  ];
  return alarms.map((x) => ({
    alert: QaAlert.fromPartial({ kind: x.kind, area: AREA.parse(x.area) ? AREA.value(AREA.parse(x.area) ?? 'triage') : undefined, subject: x.subject, detail: x.detail, value: x.value, threshold: x.threshold }),
    // One alert of a kind per area or person per week.
    idSuffix: `${x.kind}-${(x.area || x.subject).replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)}-${week}`,
  }));
}
