import type { Reason, Verdict } from '@handrail/contracts';
import type { RouteName } from '@handrail/events';

export interface DraftCheckSummary {
  hasDraft: boolean;
  /** Why drafting produced nothing (e.g. no_grounding). */
  draftFailure?: string | undefined;
  verdicts: readonly Verdict[];
}

export interface Conclusion {
  route: RouteName;
  reasons: Reason[];
}

/** The terminal decision after drafting: the intended route only if the draft exists and passed every check. */
export function concludeAfterDraft(intended: RouteName, reasons: readonly Reason[], d: DraftCheckSummary): Conclusion {
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
