import { allowedAction, exceeds, isHumanOnly, refundLimitFor, type AiActionName, type AreaName, type PolicyPack } from '@handrail/policy';
import { detectPromptInjection } from './injection.js';
import { fail, pass, type Verdict } from './verdict.js';

export interface PreActionInput {
  /** The classifier's area; undefined or unknown means default deny. */
  area: AreaName | string | undefined;
  intent: string;
  text: string;
  confidence: number;
  /** Largest amount the customer asks back, when the message names one. */
  requestedRefund?: number | undefined;
  tier: string;
  pack: PolicyPack;
  /**
   * Detector hits as `area:detail` (e.g. `safety:product_hazard` from a keyword detector). A hit for
   * another area that is human-only or gives AI no action overrides the classifier's area.
   */
  riskFlags?: readonly string[] | undefined;
}

export interface PreActionResult {
  /** What AI may do for this message; only ever lowered from the area's grant. */
  action: AiActionName;
  /** The failed verdicts, in the order the checks ran. Empty when AI may act as the area allows. */
  reasons: Verdict[];
  /** Every check's verdict, passed ones included, for the audit record. */
  verdicts: Verdict[];
  confidenceThreshold: number;
  refundLimit: number;
}

const lower = (a: AiActionName, cap: AiActionName): AiActionName => (exceeds(a, cap) ? cap : a);

/**
 * Checks before AI acts on a message, cheapest first: the area's grant, risk detectors, classifier
 * confidence, the refund limit, then prompt injection. Every failing check is reported, not only the first, so a
 * reviewer sees all the reasons a ticket came to them.
 */
export function checkPreAction(i: PreActionInput): PreActionResult {
  const verdicts: Verdict[] = [];
  const areas = i.pack.areas as Partial<Record<string, PolicyPack['areas'][AreaName]>>;
  // hasOwn: an area string from a model must not reach Object.prototype ("__proto__", "constructor").
  const areaPolicy = i.area !== undefined && Object.hasOwn(areas, i.area) ? areas[i.area] : undefined;
  const refundLimit = refundLimitFor(i.pack, i.tier);
  const currency = i.pack.refund_limits.currency;
  let action = allowedAction(i.pack, i.area);

  // 1. What the pack lets AI do in this area.
  if (!areaPolicy || i.area === undefined) {
    verdicts.push(fail('area_permission', 'area_not_in_policy', 'default_deny', `area ${i.area ?? '(none)'} is not in the policy pack; default deny`, [`area=${i.area ?? ''}`]));
  } else if (isHumanOnly(i.area as AreaName) && (action === 'none' || action === 'assist')) {
    verdicts.push(fail('area_permission', 'human_only_area', 'human_only_areas', `${i.area} is handled by humans only`, [`area=${i.area}`, `intent=${i.intent}`]));
  } else if (action === 'none' || action === 'assist') {
    verdicts.push(
      fail('area_permission', 'area_requires_human', `areas.${i.area}.ai_action`, action === 'none' ? `the policy gives AI no action in ${i.area}` : `AI may only assist a human in ${i.area}`, [`ai_action=${action}`]),
    );
  } else {
    verdicts.push(pass('area_permission', `areas.${i.area}.ai_action`, `AI may ${action} in ${i.area}`));
  }

  // 2. Risk detectors: the classifier's top area is not the only signal; a hazard mention in an
  // order-status message still goes to a human.
  const risky = (i.riskFlags ?? []).filter((flag) => {
    const flagged = flag.split(':')[0] ?? '';
    return flagged !== i.area && (isHumanOnly(flagged as AreaName) || allowedAction(i.pack, flagged) === 'none');
  });
  if (risky.length > 0) {
    action = 'none';
    verdicts.push(fail('risk', 'risk_detected', 'risk_detectors', `risk detector${risky.length > 1 ? 's' : ''} fired for a human-only or no-AI area`, [...risky]));
  } else {
    verdicts.push(pass('risk', 'risk_detectors', (i.riskFlags ?? []).length === 0 ? 'no risk detector fired' : 'detectors fired only for areas AI may act in'));
  }

  // 3. Confidence: below the area's threshold the classification is not trusted, so a human decides.
  const threshold = areaPolicy?.confidence_threshold ?? 1;
  if (!(i.confidence >= threshold)) {
    action = lower(action, 'assist');
    verdicts.push(
      fail('confidence', 'low_confidence', `areas.${i.area ?? '?'}.confidence_threshold`, `confidence ${i.confidence.toFixed(3)} is below the threshold ${threshold}`, [`confidence=${i.confidence.toFixed(3)}`]),
    );
  } else {
    verdicts.push(pass('confidence', `areas.${i.area ?? '?'}.confidence_threshold`, `confidence ${i.confidence.toFixed(3)} ≥ ${threshold}`));
  }

  // 4. Money: a request above the tier limit is a policy exception whatever the area.
  if (i.requestedRefund !== undefined && i.requestedRefund > refundLimit) {
    action = lower(action, 'assist');
    verdicts.push(
      fail('refund_limit', 'refund_over_limit', 'refund_limits.by_tier', `requested ${i.requestedRefund} ${currency} exceeds the ${i.tier} limit of ${refundLimit} ${currency}: a human must approve the exception`, [
        `requested=${i.requestedRefund}`,
        `limit=${refundLimit}`,
        `tier=${i.tier}`,
      ]),
    );
  } else {
    verdicts.push(pass('refund_limit', 'refund_limits.by_tier', i.requestedRefund === undefined ? 'no amount requested' : `requested ${i.requestedRefund} ≤ limit ${refundLimit} ${currency}`));
  }

  // 5. Injection: the most expensive check, and the only one that forbids even assisting with the text as-is.
  const injection = detectPromptInjection(i.text);
  verdicts.push(injection);
  if (!injection.passed) action = 'none';

  return { action, reasons: verdicts.filter((v) => !v.passed), verdicts, confidenceThreshold: threshold, refundLimit };
}
