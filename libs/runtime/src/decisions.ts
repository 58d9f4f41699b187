import type { EventEnvelope } from '@handrail/contracts';
import { actionName, ROUTE } from '@handrail/events';

/**
 * The decision an event records, as metric labels: the route of a conclusion, the action a permit
 * allows, a draft check's verdict — each with its first reason code ("none" without one). Closed sets
 * only: never ids or text.
 */
export function decisionOf(env: EventEnvelope): { decision: string; reason: string } | undefined {
  const p = env.payload;
  if (p?.$case === 'concluded') return { decision: `route:${ROUTE.name(p.value.route) ?? 'unspecified'}`, reason: p.value.reasons[0]?.code || 'none' };
  if (p?.$case === 'permitted') return { decision: `action:${p.value.permission ? actionName(p.value.permission.action) : 'none'}`, reason: p.value.permission?.reasons[0]?.code || 'none' };
  if (p?.$case === 'draftChecked') return { decision: `draft_check:${p.value.passed ? 'passed' : 'failed'}`, reason: p.value.verdicts.find((v) => !v.passed)?.check || 'none' };
  return undefined;
}
