/** The checks this library runs, cheapest first. */
export const CHECKS = ['area_permission', 'risk', 'confidence', 'refund_limit', 'prompt_injection', 'tone', 'policy', 'pii'] as const;
export type CheckName = (typeof CHECKS)[number];

/** Closed set of reason codes a failed check reports; they match the escalation priorities in the pack. */
export const REASON_CODES = [
  'area_not_in_policy',
  'human_only_area',
  'area_requires_human',
  'risk_detected',
  'low_confidence',
  'refund_over_limit',
  'prompt_injection',
  'tone_violation',
  'policy_violation',
  'pii_leak',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * One named, explained result. `rule` is the pack field (or built-in rule) that decided it, so the
 * verdict maps 1:1 onto the services' RuleHit / proto Reason.
 */
export interface Verdict {
  check: CheckName;
  passed: boolean;
  /** `ok` when passed. */
  code: ReasonCode | 'ok';
  rule: string;
  detail: string;
  /** What matched; PII is masked before it gets here. */
  evidence: string[];
}

export const pass = (check: CheckName, rule: string, detail: string): Verdict => ({ check, passed: true, code: 'ok', rule, detail, evidence: [] });

export const fail = (check: CheckName, code: ReasonCode, rule: string, detail: string, evidence: string[] = []): Verdict => ({
  check,
  passed: false,
  code,
  rule,
  detail,
  evidence,
});

/** Evidence is audit data, not a transcript: keep each item short. */
export function clip(s: string, max = 80): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
