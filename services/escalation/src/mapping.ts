import { Priority, Reason, Route } from '@handrail/contracts';
import type { RuleHit } from '@handrail/svc-guardrail/domain';
import type { PriorityName, RouteName } from './domain/index.js';

export const ROUTE: Record<RouteName, Route> = {
  auto_resolved: Route.ROUTE_AUTO_RESOLVED,
  awaiting_approval: Route.ROUTE_AWAITING_APPROVAL,
  escalated: Route.ROUTE_ESCALATED,
};
export const PRIORITY: Record<PriorityName, Priority> = {
  low: Priority.PRIORITY_LOW,
  normal: Priority.PRIORITY_NORMAL,
  high: Priority.PRIORITY_HIGH,
  urgent: Priority.PRIORITY_URGENT,
};
export const toReason = (r: RuleHit): Reason => ({ code: r.code, rule: r.rule, detail: r.detail, evidence: [...r.evidence] });
export const fromReason = (r: Reason): RuleHit => ({ code: r.code, rule: r.rule, detail: r.detail, evidence: [...r.evidence] });
