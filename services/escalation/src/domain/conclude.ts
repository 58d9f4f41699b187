import type { RuleHit } from '@handrail/svc-guardrail/domain';
import type { RouteName } from './route.js';

export interface DraftCheckSummary {
  hasDraft: boolean;
  /** Why drafting produced nothing (e.g. no_grounding). */
  draftFailure?: string | undefined;
  verdicts: ReadonlyArray<{ check: string; passed: boolean; code: string; detail: string; evidence: string[] }>;
}

export interface Conclusion {
  route: RouteName;
  reasons: RuleHit[];
}

/** The terminal decision after drafting: the intended route only if the draft exists and passed every check. */
export function concludeAfterDraft(intended: RouteName, reasons: readonly RuleHit[], d: DraftCheckSummary): Conclusion {
  if (!d.hasDraft) {
    const code = d.draftFailure || 'no_grounding';
    return {
      route: 'escalated',
      reasons: [...reasons, { code, rule: 'drafting.grounding', detail: 'no approved knowledge grounds a reply', evidence: [] }],
    };
  }
  const failed = d.verdicts.filter((v) => !v.passed);
  if (failed.length > 0) {
    return {
      route: 'escalated',
      reasons: [
        ...reasons,
        ...failed.map((v) => ({ code: v.code || `${v.check}_failed`, rule: `guardrail.${v.check}`, detail: v.detail, evidence: [...v.evidence] })),
      ],
    };
  }
  return { route: intended, reasons: [...reasons] };
}
