import { createHash } from 'node:crypto';
import type { AreaName, RouteName } from '@handrail/events';
import type { PolicyPack } from '@handrail/policy';

export interface SamplingDecision {
  sampled: boolean;
  rate: number;
  /** Which rule set the rate: `by_area.refund`, `by_route.auto_resolved` or `default_rate`. */
  rule: string;
}

/** A uniform number in [0, 1) from the ticket id: the same ticket always draws the same number. */
export function ticketDraw(ticketId: string, salt = 'qa'): number {
  const h = createHash('sha256').update(`${salt}:${ticketId}`).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

/**
 * Samples AI-assisted work even when nothing looks wrong. The most specific rate wins (area, then
 * route, then default); the draw is deterministic so a redelivery never samples twice or differently.
 */
export function decideSample(policy: PolicyPack, ticketId: string, area: AreaName | undefined, route: RouteName): SamplingDecision {
  const s = policy.sampling;
  let rate = s.default_rate;
  let rule = 'default_rate';
  const byRoute = s.by_route[route];
  if (byRoute !== undefined) {
    rate = byRoute;
    rule = `by_route.${route}`;
  }
  const byArea = area ? s.by_area[area] : undefined;
  if (byArea !== undefined && area) {
    rate = byArea;
    rule = `by_area.${area}`;
  }
  return { sampled: ticketDraw(ticketId) < rate, rate, rule };
}
