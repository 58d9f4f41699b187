import type { KeywordHit, Reason } from '@handrail/contracts';
import type { AreaName, PolicyPack } from '@handrail/policy';

/** Everything the escalation rules look at. Plain data, so a reader can replay any decision. */
export interface TriggerInput {
  area: AreaName;
  confidence: number;
  confidenceThreshold: number;
  outOfScope: boolean;
  sentiment: number;
  /** The pack's risk keywords found in the customer's text (read once, by the classifier stage). */
  riskKeywords: readonly KeywordHit[];
  customer: { tier: string; accountValue: number; highRisk: boolean };
  /** Earlier tickets of this customer on the same issue inside the repeat window. */
  repeatOf: readonly string[];
  /** Earlier tickets of this customer in a human-handled area inside `escalation.open_case.window_hours` (empty when the rule is off). */
  openCases?: ReadonlyArray<{ ticketId: string; area: string; at: string }>;
  /**
   * Why the classifier's models want a person (`out_of_scope`: far from every trained example;
   * `model_disagreement`: the lexical and semantic models name different areas). Issue 12.
   */
  modelDoubts?: readonly Reason[];
  /** Reasons the guardrail attached to its permission (policy exceptions among them). */
  permissionReasons: readonly Reason[];
  policy: PolicyPack;
}

export interface Trigger {
  code: string;
  evaluate(i: TriggerInput): Reason | undefined;
}

/** The named triggers of the escalation policy. Every one that fires adds its reason. */
export const TRIGGERS: readonly Trigger[] = [
  {
    code: 'low_confidence',
    evaluate(i) {
      // The semantic gate reports its own `out_of_scope` reason, with its evidence.
      if (i.outOfScope && !(i.modelDoubts ?? []).some((d) => d.code === 'out_of_scope')) {
        return { code: 'low_confidence', rule: 'escalation.low_confidence', detail: 'the message is unlike anything the classifier knows (out of scope)', evidence: [`confidence=${i.confidence.toFixed(3)}`] };
      }
      if (i.confidence < i.confidenceThreshold) {
        return {
          code: 'low_confidence',
          rule: `areas.${i.area}.confidence_threshold`,
          detail: `confidence ${i.confidence.toFixed(3)} is below the ${i.area} threshold ${i.confidenceThreshold}`,
          evidence: [`confidence=${i.confidence.toFixed(3)}`],
        };
      }
      return undefined;
    },
  },
  {
    code: 'out_of_scope',
    evaluate: (i) => modelDoubt(i, 'out_of_scope'),
  },
  {
    code: 'model_disagreement',
    evaluate: (i) => modelDoubt(i, 'model_disagreement'),
  },
  {
    code: 'risk_keyword',
    evaluate(i) {
      const hits = i.riskKeywords.filter((h) => h.words.length > 0);
      if (hits.length === 0) return undefined;
      return { code: 'risk_keyword', rule: 'escalation.risk_keywords', detail: `risk keywords (${hits.map((h) => h.group).join(', ')})`, evidence: hits.flatMap((h) => h.words) };
    },
  },
  {
    code: 'negative_sentiment',
    evaluate(i) {
      const t = i.policy.escalation.negative_sentiment_threshold;
      if (i.sentiment > t) return undefined;
      return { code: 'negative_sentiment', rule: 'escalation.negative_sentiment_threshold', detail: `sentiment ${i.sentiment.toFixed(2)} is at or below ${t}`, evidence: [`sentiment=${i.sentiment.toFixed(2)}`] };
    },
  },
  {
    code: 'repeat_contact',
    evaluate(i) {
      const rc = i.policy.escalation.repeat_contact;
      if (i.repeatOf.length + 1 < rc.max_contacts) return undefined;
      return {
        code: 'repeat_contact',
        rule: 'escalation.repeat_contact',
        detail: `contact ${i.repeatOf.length + 1} on the same issue within ${rc.window_hours}h (limit ${rc.max_contacts})`,
        evidence: [...i.repeatOf],
      };
    },
  },
  {
    code: 'open_human_case',
    evaluate(i) {
      const oc = i.policy.escalation.open_case;
      const open = i.openCases ?? [];
      if (!oc || open.length === 0) return undefined;
      const areas = [...new Set(open.map((c) => c.area))].join(', ');
      return {
        code: 'open_human_case',
        rule: 'escalation.open_case',
        detail: `the customer has an open case handled by people (${areas}) from the last ${oc.window_hours}h: follow-ups go to them`,
        evidence: open.map((c) => c.ticketId),
      };
    },
  },
  {
    code: 'high_value',
    evaluate(i) {
      const hv = i.policy.escalation.high_value;
      const byValue = i.customer.accountValue >= hv.account_value_at_least;
      const byTier = hv.tiers.includes(i.customer.tier);
      if (!byValue && !byTier && !i.customer.highRisk) return undefined;
      const why = [byValue ? `account value ${i.customer.accountValue} ≥ ${hv.account_value_at_least}` : '', byTier ? `tier ${i.customer.tier}` : '', i.customer.highRisk ? 'account flagged high risk' : '']
        .filter(Boolean)
        .join('; ');
      return { code: 'high_value', rule: 'escalation.high_value', detail: why, evidence: [`tier=${i.customer.tier}`, `value=${i.customer.accountValue}`] };
    },
  },
  {
    code: 'policy_exception',
    evaluate(i) {
      const exceptions = i.permissionReasons.filter((r) => r.code === 'refund_over_limit' || r.code === 'policy_exception');
      if (exceptions.length === 0) return undefined;
      return { code: 'policy_exception', rule: 'refund_limits', detail: exceptions.map((e) => e.detail).join('; '), evidence: exceptions.flatMap((e) => e.evidence) };
    },
  },
];

function modelDoubt(i: TriggerInput, code: string): Reason | undefined {
  const d = (i.modelDoubts ?? []).find((r) => r.code === code);
  return d === undefined ? undefined : { code, rule: d.rule, detail: d.detail, evidence: [...d.evidence] };
}

export function evaluateTriggers(i: TriggerInput, triggers: readonly Trigger[] = TRIGGERS): Reason[] {
  const out: Reason[] = [];
  for (const t of triggers) {
    const hit = t.evaluate(i);
    if (hit) out.push(hit);
  }
  return out;
}
