import type { Draft } from '@handrail/contracts';
import { checkDraft, detectPromptInjection, type DraftCustomer } from '@handrail/guardrails';
import { checkGrounding, type KnowledgeBase } from '@handrail/kb';
import type { AiActionName, AreaName, PolicyPack } from '@handrail/policy';

export interface VerdictResult {
  check: string;
  passed: boolean;
  code: string;
  detail: string;
  evidence: string[];
}

export interface DraftCheckDeps {
  kb: KnowledgeBase;
  kbRevision: string;
}

export interface DraftCheckInput {
  draft: Draft;
  area: AreaName;
  action: AiActionName;
  refundLimit: number;
  /** The customer's own contact details: a draft may repeat these, and no other PII. */
  customer: DraftCustomer;
  policy: PolicyPack;
}

/** Matched injection evidence in customer text; empty when none. */
export function injectionEvidence(text: string): string[] {
  const v = detectPromptInjection(text);
  return v.passed ? [] : v.evidence;
}

/**
 * Every check a draft must pass, cheap before expensive: tone, policy and PII (string rules) first,
 * then grounding of each sentence against the passages it cites. All verdicts are returned.
 */
export function checkDraftAll(i: DraftCheckInput, d: DraftCheckDeps): VerdictResult[] {
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
  const grounding = checkGrounding({ sentences }, d.kb);
  return [...rules.verdicts, ...grounding].map((v) => ({ check: v.check, passed: v.passed, code: v.code, detail: v.detail, evidence: [...v.evidence] }));
}
