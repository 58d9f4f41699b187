import type { Reason, Relevance, Verdict } from '@handrail/contracts';
import type { RouteName } from '@handrail/events';
import { noAnswerReason } from './relevance.js';

export interface DraftCheckSummary {
  hasDraft: boolean;
  /** Why drafting produced nothing (e.g. no_grounding). */
  draftFailure?: string | undefined;
  verdicts: readonly Verdict[];
  /** Whether the draft answers the message; absent on events from before issue 12 (then not checked). */
  relevance?: Relevance | undefined;
  /** The pack's `escalation.no_answer`: what happens to a draft that does not answer. */
  noAnswer?: 'escalate' | 'draft' | undefined;
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
  const unanswered = d.relevance !== undefined && !d.relevance.passed ? [noAnswerReason(d.relevance)] : [];
  if (failed.length > 0) {
    return {
      route: 'escalated',
      reasons: [
        ...reasons,
        ...unanswered,
        ...failed.map((v) => ({ code: v.code || `${v.check}_failed`, rule: `guardrail.${v.check}`, detail: v.detail, evidence: [...v.evidence] })),
      ],
    };
  }
  // A grounded reply to another question is never sent as it is: a person answers, or approves it.
  if (unanswered.length > 0) return { route: d.noAnswer === 'draft' ? 'awaiting_approval' : 'escalated', reasons: [...reasons, ...unanswered] };
  return { route: intended, reasons: [...reasons] };
}
