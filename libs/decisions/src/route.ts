import type { Reason } from '@handrail/contracts';
import { PRIORITY, type PriorityName, type RouteName } from '@handrail/events';
import { queueFor, type AiActionName, type AreaName, type PolicyPack } from '@handrail/policy';
import { evaluateTriggers, type TriggerInput } from './triggers.js';

export interface RouteDecision {
  /** `escalated` is final now; the other two are where the ticket goes if its draft passes every check. */
  route: RouteName;
  needsDraft: boolean;
  reasons: Reason[];
  queue: string;
  priority: PriorityName;
}

/** Proto order is urgency order: low < normal < high < urgent. */
const rank = (p: PriorityName): number => PRIORITY.names.indexOf(p);

export function priorityFor(policy: PolicyPack, area: AreaName, reasons: readonly Reason[]): PriorityName {
  let best: PriorityName = area === 'safety' ? 'urgent' : 'normal';
  for (const r of reasons) {
    const p = policy.escalation.priorities[r.code];
    if (p && rank(p) > rank(best)) best = p;
  }
  return best;
}


/**
 * Who handles this ticket. The permission says what AI may do; the triggers say whether a human
 * must look anyway. Every reason that applies is kept, not only the first.
 */
export function decideRoute(action: AiActionName, t: TriggerInput): RouteDecision {
  const fired = evaluateTriggers(t);
  const reasons = [...t.permissionReasons.filter((r) => r.code !== 'refund_over_limit'), ...fired];
  // A follow-up AI would otherwise handle goes to the queue of the people who own the open case.
  const latestOpen = fired.some((r) => r.code === 'open_human_case') && (action === 'resolve' || action === 'draft') ? [...(t.openCases ?? [])].sort((a, b) => b.at.localeCompare(a.at))[0] : undefined;
  const queue = queueFor(t.policy, latestOpen?.area ?? t.area);
  if (action === 'none' || action === 'assist' || fired.length > 0) {
    if (reasons.length === 0) {
      reasons.push({ code: 'area_requires_human', rule: 'default_deny', detail: `AI is not allowed to act in ${t.area}`, evidence: [] });
    }
    return { route: 'escalated', needsDraft: false, reasons, queue, priority: priorityFor(t.policy, t.area, reasons) };
  }
  return {
    route: action === 'resolve' ? 'auto_resolved' : 'awaiting_approval',
    needsDraft: true,
    reasons,
    queue,
    priority: 'low',
  };
}
