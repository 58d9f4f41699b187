import { Ticket } from '@handrail/contracts';
import { createClassifier, type ClassificationResult, type Classifier } from '@handrail/classifier';
import type { KnowledgeBase } from '@handrail/kb';
import { loadPolicyFile, policyRevisionId, type PolicyPack } from '@handrail/policy';
import { toClassification, trainingExamplesFromPolicy } from '@handrail/svc-classifier/domain';
import { composeDraft } from '@handrail/svc-drafting/domain';
import { concludeAfterDraft, decideOffline, type RouteName } from '@handrail/svc-escalation/domain';
import { checkDraftAll, injectionEvidence, type RuleHit, type VerdictResult } from '@handrail/svc-guardrail/domain';

export interface OfflinePolicy {
  pack: PolicyPack;
  revision: string;
  classifier: Classifier;
}

export async function loadOfflinePolicy(file: string): Promise<OfflinePolicy> {
  const pack = await loadPolicyFile(file);
  return { pack, revision: policyRevisionId(pack), classifier: createClassifier(trainingExamplesFromPolicy(pack)) };
}

export interface OfflineResult {
  classification: ClassificationResult;
  action: string;
  route: RouteName;
  reasons: RuleHit[];
  draft: { text: string; citations: Array<{ article: string; passage: string; version: string }> } | null;
  verdicts: VerdictResult[];
  kbFindings: string[];
}

/**
 * One message through the same decision code the services run — classifier, guardrail permission,
 * escalation triggers, drafting, draft checks and the conclusion — in process, without the bus.
 */
export async function runOffline(text: string, p: OfflinePolicy, kb: KnowledgeBase, o: { tier?: string; now?: Date } = {}): Promise<OfflineResult> {
  const classification = p.classifier.classify(text);
  const decision = decideOffline({ text, classification, policy: p.pack, customer: { tier: o.tier ?? 'standard' }, injection: injectionEvidence(text) });
  const base = { classification, action: decision.action, kbFindings: [] as string[], verdicts: [] as VerdictResult[], draft: null };
  if (decision.route === 'escalated') return { ...base, route: decision.route, reasons: decision.reasons };
  const refundLimit = p.pack.refund_limits.by_tier[o.tier ?? 'standard'] ?? p.pack.refund_limits.by_tier['default'] ?? 0;
  const ticket = Ticket.fromPartial({ ticketId: 't-offline', body: text, receivedAt: (o.now ?? new Date()).toISOString() });
  const composed = await composeDraft(ticket, toClassification(classification), refundLimit, kb);
  const verdicts = composed.draft
    ? checkDraftAll({ draft: composed.draft, area: classification.area, action: decision.action, refundLimit, customer: {}, policy: p.pack }, { kb, kbRevision: kb.revision })
    : [];
  const conclusion = concludeAfterDraft(decision.route, decision.reasons, { hasDraft: composed.draft !== undefined, verdicts });
  return {
    classification,
    action: decision.action,
    route: conclusion.route,
    reasons: conclusion.reasons,
    draft: composed.draft
      ? { text: composed.draft.text, citations: composed.draft.citations.map((c) => ({ article: c.articleId, passage: c.passageId, version: c.articleVersion })) }
      : null,
    verdicts,
    kbFindings: composed.kbFindings,
  };
}
