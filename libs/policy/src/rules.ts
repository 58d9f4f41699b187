import { AI_ACTIONS, AREAS, HUMAN_ONLY_AREAS, type AiActionName, type AreaName, type PolicyPack } from './schema.js';

export interface SemanticIssue {
  severity: 'error' | 'warning';
  path: Array<string | number>;
  message: string;
}

type Override = PolicyPack['overrides'][number];

const RANK: Record<AiActionName, number> = { none: 0, assist: 1, draft: 2, resolve: 3 };

/** True when `a` gives AI more autonomy than `b`. */
export function exceeds(a: AiActionName, b: AiActionName): boolean {
  return RANK[a] > RANK[b];
}

/** Below this a classifier is close to guessing between ten areas; letting AI act on it is a mistake, not a policy. */
export const MIN_ACTING_THRESHOLD = 0.5;

/** Actions above `assist` put AI words in front of the customer; those are what human-only areas forbid. */
const CUSTOMER_FACING: readonly AiActionName[] = ['draft', 'resolve'];

export function isHumanOnly(area: AreaName): boolean {
  return HUMAN_ONLY_AREAS.includes(area);
}

/** The override that allows `action` in a human-only area, if the pack records one. */
export function overrideFor(pack: PolicyPack, area: AreaName, action: AiActionName): Override | undefined {
  return (pack.overrides ?? []).find((o) => o.area === area && !exceeds(action, o.ai_action));
}

/**
 * Rules zod cannot express. Errors refuse the pack; warnings are audit items shown with it.
 * Written to tolerate a pack that failed the schema (optional chaining throughout), so a
 * broken file still gets every problem reported in one pass.
 */
export function semanticIssues(pack: PolicyPack): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  const areas: Partial<PolicyPack['areas']> = pack.areas ?? {};
  const overrides = Array.isArray(pack.overrides) ? pack.overrides : [];
  for (const area of AREAS) {
    const a = areas[area];
    // zod already demands every area; this guards packs built in code with a cast.
    if (a === undefined) {
      out.push({ severity: 'error', path: ['areas', area], message: `missing area ${area}: every area must be listed` });
      continue;
    }
    if (isHumanOnly(area) && CUSTOMER_FACING.includes(a.ai_action)) {
      const ov = overrideFor(pack, area, a.ai_action);
      if (!ov) {
        out.push({
          severity: 'error',
          path: ['areas', area, 'ai_action'],
          message: `human-only area ${area} cannot allow AI to ${a.ai_action} without an approved entry in overrides (justification, approved_by, ticket)`,
        });
      } else {
        out.push({
          severity: 'warning',
          path: ['areas', area, 'ai_action'],
          message: `OVERRIDE: AI may ${a.ai_action} in human-only area ${area} — approved by ${ov.approved_by}, ticket ${ov.ticket}: ${ov.justification}`,
        });
      }
    }
    if (a.ai_action !== 'none' && a.ai_action !== 'assist' && a.confidence_threshold < MIN_ACTING_THRESHOLD) {
      out.push({
        severity: 'error',
        path: ['areas', area, 'confidence_threshold'],
        message: `confidence_threshold ${a.confidence_threshold} is below ${MIN_ACTING_THRESHOLD}: AI would ${a.ai_action} on guesses`,
      });
    }
    if (a.ai_action !== 'none' && a.confidence_threshold >= 1) {
      out.push({ severity: 'warning', path: ['areas', area, 'confidence_threshold'], message: `threshold 1 means AI never acts in ${area}; say ai_action: none instead` });
    }
  }
  overrides.forEach((ov, i) => {
    const grant = areas[ov.area]?.ai_action ?? 'none';
    if (!isHumanOnly(ov.area)) {
      out.push({ severity: 'warning', path: ['overrides', i, 'area'], message: `override for ${ov.area} has no effect: it is not a human-only area` });
    } else if (!CUSTOMER_FACING.includes(grant) || exceeds(grant, ov.ai_action)) {
      out.push({ severity: 'warning', path: ['overrides', i], message: `override for ${ov.area} (${ov.ai_action}) is unused by the area's ai_action ${grant}; remove it` });
    }
  });
  if (pack.refund_limits?.by_tier?.['default'] === undefined) {
    out.push({ severity: 'error', path: ['refund_limits', 'by_tier'], message: 'refund_limits.by_tier needs a `default` limit for tiers not listed' });
  }
  if ((pack.escalation?.negative_sentiment_threshold ?? 0) > 0) {
    out.push({
      severity: 'error',
      path: ['escalation', 'negative_sentiment_threshold'],
      message: `negative_sentiment_threshold ${pack.escalation.negative_sentiment_threshold} is positive: neutral and happy customers would be escalated`,
    });
  }
  // Each intent names exactly one area, or the classifier cannot map it back.
  const intentArea = new Map<string, AreaName>();
  for (const area of AREAS) {
    for (const intent of Object.keys(areas[area]?.examples ?? {})) {
      const first = intentArea.get(intent);
      if (first !== undefined) {
        out.push({ severity: 'error', path: ['areas', area, 'examples', intent], message: `intent ${intent} is already an example of ${first}` });
      } else {
        intentArea.set(intent, area);
      }
    }
  }
  // Access: a mapping to a role nobody defined grants nothing, and a pack nobody may approve cannot change again.
  const roles: Record<string, readonly string[]> = pack.access?.roles ?? {};
  for (const [group, mapped] of Object.entries(pack.access?.groups ?? {})) {
    for (const r of Array.isArray(mapped) ? mapped : []) {
      if (!(r in roles)) out.push({ severity: 'error', path: ['access', 'groups', group], message: `group ${group} maps to role ${r}, which access.roles does not define` });
    }
  }
  if (pack.access && !Object.values(roles).some((ps) => ps.includes('policy.approve'))) {
    out.push({ severity: 'error', path: ['access', 'roles'], message: 'no role holds policy.approve: nobody could ever approve the next revision' });
  }
  for (const q of Object.keys(pack.sla?.by_queue ?? {})) {
    if (!AREAS.some((a) => areas[a]?.queue === q)) out.push({ severity: 'warning', path: ['sla', 'by_queue', q], message: `sla for queue ${q}, which no area routes to` });
  }
  if ((pack.sampling?.by_route?.auto_resolved ?? pack.sampling?.default_rate) === 0 && AREAS.some((a) => areas[a]?.ai_action === 'resolve')) {
    out.push({ severity: 'warning', path: ['sampling'], message: 'auto-resolved tickets are never QA-sampled (rate 0)' });
  }
  for (const [code, words] of Object.entries(pack.escalation?.risk_keywords ?? {})) {
    if (Array.isArray(words) && words.length === 0) out.push({ severity: 'warning', path: ['escalation', 'risk_keywords', code], message: `risk keyword group ${code} is empty` });
  }
  return out;
}

function isArea(area: string): area is AreaName {
  return (AREAS as readonly string[]).includes(area);
}

/**
 * What AI may do in an area. Default deny: an unknown area gives `none`, and so does a customer-facing
 * grant in a human-only area that no override covers (a pack that slipped past validation).
 */
export function allowedAction(pack: PolicyPack, area: AreaName | string | undefined): AiActionName {
  if (area === undefined || !isArea(area)) return 'none';
  const grant = pack.areas[area]?.ai_action ?? 'none';
  if (!AI_ACTIONS.includes(grant)) return 'none';
  if (isHumanOnly(area) && CUSTOMER_FACING.includes(grant) && !overrideFor(pack, area, grant)) return 'none';
  return grant;
}

/** Areas where AI may resolve a message alone (effective grants: overrides and default deny applied). */
export function resolvableAreas(pack: PolicyPack): AreaName[] {
  return AREAS.filter((a) => allowedAction(pack, a) === 'resolve');
}

/** Largest refund AI may offer for this tier; unknown tiers get `default`, and no default means 0. */
export function refundLimitFor(pack: PolicyPack, tier: string | undefined): number {
  const byTier = pack.refund_limits.by_tier;
  return (tier !== undefined && Object.hasOwn(byTier, tier) ? byTier[tier] : undefined) ?? byTier['default'] ?? 0;
}

/** Human queue for an area's escalations; unknown areas go to the general queue. */
export function queueFor(pack: PolicyPack, area: AreaName | string | undefined, fallback = 'general'): string {
  if (area === undefined || !isArea(area)) return fallback;
  return pack.areas[area]?.queue ?? fallback;
}

/** Overrides in force, for audit output: each one weakens a human-only area. */
export function activeOverrides(pack: PolicyPack): Override[] {
  return pack.overrides.filter((ov) => {
    const grant = pack.areas[ov.area]?.ai_action ?? 'none';
    return isHumanOnly(ov.area) && CUSTOMER_FACING.includes(grant) && !exceeds(grant, ov.ai_action);
  });
}
