import { HUMAN_ONLY_AREAS, type AiActionName, type AreaName, type PolicyPack } from '@handrail/policy';
import type { RuleHit } from './rule-hit.js';

export interface PermitInput {
  area: AreaName;
  intent: string;
  riskFlags: readonly string[];
  tier: string;
  /** Largest money amount the customer asks back, when the message names one. */
  requestedRefund?: number | undefined;
  /** Matches from the prompt-injection detector; any match means AI never acts alone. */
  injection: readonly string[];
  policy: PolicyPack;
}

export interface PermitResult {
  action: AiActionName;
  reasons: RuleHit[];
  confidenceThreshold: number;
  refundLimit: number;
}

const RANK: Record<AiActionName, number> = { none: 0, assist: 1, draft: 2, resolve: 3 };
const cap = (a: AiActionName, max: AiActionName): AiActionName => (RANK[a] > RANK[max] ? max : a);

export function refundLimitFor(policy: PolicyPack, tier: string): number {
  return policy.refund_limits.by_tier[tier] ?? policy.refund_limits.by_tier['default'] ?? 0;
}

/**
 * What AI may do for this ticket. Starts from the area's grant in the pack and only ever lowers it:
 * default deny for anything the pack does not list, human-only areas, injection, refund limits.
 */
export function permit(i: PermitInput): PermitResult {
  const reasons: RuleHit[] = [];
  const areaPolicy = i.policy.areas[i.area];
  const refundLimit = refundLimitFor(i.policy, i.tier);
  if (!areaPolicy) {
    return {
      action: 'none',
      reasons: [{ code: 'area_not_in_policy', rule: 'default_deny', detail: `area ${i.area} is not in the policy pack`, evidence: [] }],
      confidenceThreshold: 1,
      refundLimit,
    };
  }
  let action = areaPolicy.ai_action;
  if (HUMAN_ONLY_AREAS.includes(i.area)) {
    const override = i.policy.overrides.find((o) => o.area === i.area);
    if (!override) {
      action = 'none';
      reasons.push({ code: 'human_only_area', rule: 'human_only_areas', detail: `${i.area} is handled by humans only`, evidence: [] });
    }
  } else if (action === 'none') {
    reasons.push({ code: 'area_requires_human', rule: `areas.${i.area}.ai_action`, detail: `the policy gives AI no action in ${i.area}`, evidence: [] });
  } else if (action === 'assist') {
    reasons.push({ code: 'area_requires_human', rule: `areas.${i.area}.ai_action`, detail: `AI may only assist a human in ${i.area}`, evidence: [] });
  }
  // A detector that fired for a human-only or no-action area overrides whatever the model thought.
  for (const flag of i.riskFlags) {
    const flaggedArea = flag.split(':')[0] as AreaName;
    const grant = i.policy.areas[flaggedArea]?.ai_action ?? 'none';
    if (flaggedArea !== i.area && (HUMAN_ONLY_AREAS.includes(flaggedArea) || grant === 'none')) {
      action = 'none';
      reasons.push({ code: 'risk_detected', rule: 'risk_detectors', detail: `detector ${flag} fired`, evidence: [flag] });
    }
  }
  if (i.injection.length > 0) {
    action = 'none';
    reasons.push({ code: 'prompt_injection', rule: 'prompt_injection', detail: 'the message tries to steer the assistant', evidence: [...i.injection] });
  }
  if (i.area === 'refund' && i.requestedRefund !== undefined && i.requestedRefund > refundLimit) {
    action = cap(action, 'assist');
    reasons.push({
      code: 'refund_over_limit',
      rule: 'refund_limits',
      detail: `requested ${i.requestedRefund} exceeds the ${i.tier} limit of ${refundLimit} ${i.policy.refund_limits.currency}`,
      evidence: [String(i.requestedRefund)],
    });
  }
  return { action, reasons, confidenceThreshold: areaPolicy.confidence_threshold, refundLimit };
}
