import { Verdict, type Draft } from '@handrail/contracts';
import { checkDraft, type DraftCustomer } from '@handrail/guardrails';
import { checkGrounding, type KnowledgeBase } from '@handrail/kb';
import type { AiActionName, AreaName, PolicyPack } from '@handrail/policy';

export interface DraftCheckInput {
  draft: Draft;
  area: AreaName;
  action: AiActionName;
  refundLimit: number;
  /** The customer's own contact details: a draft may repeat these, and no other PII. */
  customer: DraftCustomer;
  policy: PolicyPack;
}

/**
 * Every check a draft must pass, cheap before expensive: tone, policy and PII (string rules) first,
 * then grounding of each sentence against the passages it cites. All verdicts are returned.
 */
export function checkDraftAll(i: DraftCheckInput, kb: KnowledgeBase): Verdict[] {
  const sentences = i.draft.sentences.map((s) => ({
    text: s.text,
    citations: s.citations.map((c) => ({ articleId: c.articleId, passageId: c.passageId, articleVersion: c.articleVersion })),
  }));
  const rules = checkDraft({
    text: i.draft.text,
    sentences: sentences.map((s) => s.text),
    area: i.area,
    action: i.action,
    customer: i.customer,
    pack: i.policy,
    refundLimit: i.refundLimit,
  });
  const grounding = checkGrounding({ sentences }, kb);
  return [...rules.verdicts, ...grounding].map((v) => Verdict.fromPartial({ check: v.check, passed: v.passed, code: v.code, detail: v.detail, evidence: [...v.evidence] }));
}
