import type { ClassificationResult } from '@handrail/classifier';
import type { AiActionName, PolicyPack } from '@handrail/policy';
import { permit, requestedAmount, type RuleHit } from '@handrail/svc-guardrail/domain';
import { decideRoute, type RouteName } from './route.js';

export interface OfflineDecisionInput {
  text: string;
  classification: ClassificationResult;
  policy: PolicyPack;
  customer?: { tier?: string; accountValue?: number; priorContacts?: number; repeatOf?: string[]; highRisk?: boolean };
  /** Matches of the prompt-injection detector for `text`. */
  injection?: readonly string[];
}

export interface OfflineDecision {
  route: RouteName;
  action: AiActionName;
  reasons: RuleHit[];
}

/**
 * The guardrail permission and the escalation route for one message, exactly as the guardrail and
 * escalation services compute them, without the bus (used by `handrail eval` and `handrail draft`).
 * A route other than `escalated` is where the ticket goes if its draft then passes every check.
 */
export function decideOffline(i: OfflineDecisionInput): OfflineDecision {
  const c = i.classification;
  const tier = i.customer?.tier ?? 'standard';
  const p = permit({
    area: c.area,
    intent: c.intent,
    riskFlags: c.riskFlags,
    tier,
    requestedRefund: requestedAmount(c.entities),
    injection: i.injection ?? [],
    policy: i.policy,
  });
  const r = decideRoute(p.action, {
    area: c.area,
    confidence: c.confidence,
    confidenceThreshold: p.confidenceThreshold,
    outOfScope: c.outOfScope,
    sentiment: c.sentiment,
    text: i.text,
    customer: { tier, accountValue: i.customer?.accountValue ?? 0, highRisk: i.customer?.highRisk ?? false },
    repeatOf: i.customer?.repeatOf ?? [],
    permissionReasons: p.reasons,
    policy: i.policy,
  });
  return { route: r.route, action: p.action, reasons: r.reasons };
}
