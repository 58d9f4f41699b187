import type { Reason } from '@handrail/contracts';
import { AREA } from '@handrail/events';
import { allowedAction, exceeds, isHumanOnly, refundLimitFor, type AiActionName, type AreaName, type PolicyPack } from '@handrail/policy';

export interface PermitInput {
  /** Undefined when the classification names no known area: default deny. */
  area: AreaName | undefined;
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
  reasons: Reason[];
  confidenceThreshold: number;
  refundLimit: number;
}

const cap = (a: AiActionName, max: AiActionName): AiActionName => (exceeds(a, max) ? max : a);

/**
 * What AI may do for this ticket. Starts from the area's grant in the pack and only ever lowers it:
 * default deny for anything the pack does not list, human-only areas, injection, refund limits.
 */
export function permit(i: PermitInput): PermitResult {
  const reasons: Reason[] = [];
  const area = i.area;
  const areaPolicy = area ? i.policy.areas[area] : undefined;
  const refundLimit = refundLimitFor(i.policy, i.tier);
  if (!area || !areaPolicy) {
    return {
      action: 'none',
      reasons: [{ code: 'area_not_in_policy', rule: 'default_deny', detail: `area ${area ?? 'unknown'} is not in the policy pack`, evidence: [] }],
      confidenceThreshold: 1,
      refundLimit,
    };
  }
  // allowedAction applies default deny and the human-only rule (unless an audited override covers it).
  let action = allowedAction(i.policy, area);
  if (isHumanOnly(area) && action !== areaPolicy.ai_action) {
    reasons.push({ code: 'human_only_area', rule: 'human_only_areas', detail: `${area} is handled by humans only`, evidence: [] });
  } else if (isHumanOnly(area) && (action === 'none' || action === 'assist')) {
    reasons.push({ code: 'human_only_area', rule: `areas.${area}.ai_action`, detail: `${area} is handled by humans only`, evidence: [] });
  } else if (action === 'none') {
    reasons.push({ code: 'area_requires_human', rule: `areas.${area}.ai_action`, detail: `the policy gives AI no action in ${area}`, evidence: [] });
  } else if (action === 'assist') {
    reasons.push({ code: 'area_requires_human', rule: `areas.${area}.ai_action`, detail: `AI may only assist a human in ${area}`, evidence: [] });
  }
  // A detector that fired for a human-only or no-action area overrides whatever the model thought.
  for (const flag of i.riskFlags) {
    const flaggedArea = AREA.parse(flag.split(':')[0] ?? '');
    const grant = flaggedArea ? (i.policy.areas[flaggedArea]?.ai_action ?? 'none') : 'none';
    if (flaggedArea !== area && (flaggedArea === undefined || isHumanOnly(flaggedArea) || grant === 'none')) {
      action = 'none';
      reasons.push({ code: 'risk_detected', rule: 'risk_detectors', detail: `detector ${flag} fired`, evidence: [flag] });
    }
  }
  // Any other detector hit still means a person reads the reply before it goes out.
  if (i.riskFlags.length > 0 && exceeds(action, 'draft')) {
    action = 'draft';
    reasons.push({ code: 'risk_detected', rule: 'risk_detectors', detail: `detector ${i.riskFlags.join(', ')} fired: a person approves the reply`, evidence: [...i.riskFlags] });
  }
  if (i.injection.length > 0) {
    action = 'none';
    reasons.push({ code: 'prompt_injection', rule: 'prompt_injection', detail: 'the message tries to steer the assistant', evidence: [...i.injection] });
  }
  if (area === 'refund' && i.requestedRefund !== undefined && i.requestedRefund > refundLimit) {
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

/** Largest money amount the message names: what a refund request asks for. */
export function requestedAmount(entities: ReadonlyArray<{ kind: string; value: string }>): number | undefined {
  const amounts = entities
    .filter((e) => e.kind === 'amount')
    .map((e) => Number(e.value.replace(/[^0-9.]/g, '')))
    .filter((n) => Number.isFinite(n));
  return amounts.length > 0 ? Math.max(...amounts) : undefined;
}
