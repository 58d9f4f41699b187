import { Verdict, type Citation, type Draft, type DraftSentence } from '@handrail/contracts';
import { checkDraft, splitSentences, type DraftCustomer } from '@handrail/guardrails';
import { checkGrounding, type KnowledgeBase } from '@handrail/kb';
import type { AreaName, PolicyPack } from '@handrail/policy';

/**
 * A person's reply is checked like an AI draft before it goes out: tone, policy promises (amounts
 * above the limit, overconfident guarantees), PII (other people's details, asking for secrets) and
 * grounding. It is sent with the citations of the text actually sent, sentence by sentence.
 */
export interface HumanReplyInput {
  text: string;
  /**
   * `draft`: the AI draft approved or edited — it goes out as the help-centre answer it was drafted
   * as, so every claim must be supported by a passage. `own`: a person's reply to an escalation;
   * where the help centre supports a sentence it is cited, and a sentence it does not support is
   * sent uncited, as that person's statement (tone, policy and PII still apply).
   */
  kind: 'draft' | 'own';
  /** The draft the person started from, when there is one. */
  draft?: Draft | undefined;
  area: AreaName;
  /** The largest amount this sender may promise: the tier limit, or an approved exception's amount. */
  refundLimit: number;
  customer: DraftCustomer;
  policy: PolicyPack;
}

export interface HumanReplyCheck {
  passed: boolean;
  verdicts: Verdict[];
  failures: Verdict[];
  /** The text sent, sentence by sentence, each with the passages that support it. */
  sentences: DraftSentence[];
  /** Every passage cited by the text sent, once. */
  citations: Citation[];
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
const key = (c: Citation) => `${c.articleId}\u0000${c.passageId}\u0000${c.articleVersion}`;

function unique(cs: readonly Citation[]): Citation[] {
  const seen = new Set<string>();
  const out: Citation[] = [];
  for (const c of cs) {
    if (seen.has(key(c))) continue;
    seen.add(key(c));
    out.push({ articleId: c.articleId, passageId: c.passageId, articleVersion: c.articleVersion });
  }
  return out;
}

const grounded = (text: string, citations: Citation[], kb: KnowledgeBase) => checkGrounding({ sentences: [{ text, citations }] }, kb)[0];

/** The passages that support one sentence, trying what the draft cited first, then the help centre. */
function citeSentence(text: string, draft: Draft | undefined, kb: KnowledgeBase): { citations: Citation[]; verdict: ReturnType<typeof grounded> } {
  const bare = grounded(text, [], kb);
  if (bare?.code === 'no_claim') return { citations: [], verdict: bare };
  const same = draft?.sentences.find((s) => norm(s.text) === norm(text));
  const tries: Citation[][] = [];
  if (same?.citations.length) tries.push(same.citations);
  for (const c of draft?.citations ?? []) tries.push([c]);
  if (draft?.citations.length) tries.push(draft.citations);
  for (const r of kb.search(text, { limit: 3, audience: 'customer' })) tries.push([{ articleId: r.articleId, passageId: r.passageId, articleVersion: r.articleVersion }]);
  for (const cs of tries) {
    const v = grounded(text, cs, kb);
    if (v?.passed) return { citations: unique(cs), verdict: v };
  }
  // Not supported: judged against what it would have been sent under (the draft's citations).
  return { citations: [], verdict: grounded(text, unique(same?.citations.length ? same.citations : (draft?.citations ?? [])), kb) };
}

export function checkHumanReply(i: HumanReplyInput, kb: KnowledgeBase): HumanReplyCheck {
  const split = splitSentences(i.text);
  // Approving the draft unchanged keeps the drafter's own sentence split.
  const texts = i.draft && norm(i.draft.text) === norm(i.text) && i.draft.sentences.length ? i.draft.sentences.map((s) => s.text) : split;
  const rules = checkDraft({ text: i.text, sentences: texts, area: i.area, action: 'resolve', customer: i.customer, pack: i.policy, refundLimit: i.refundLimit });
  // Which area may make a commitment is a rule about AI; a person in the cancellation or privacy
  // team confirming a cancellation or an erasure is doing their job. Amounts above the limit stay.
  const verdicts = rules.verdicts.filter((v) => v.passed || !v.rule.startsWith('areas.'));
  if (!verdicts.some((v) => v.check === 'policy')) {
    const at = verdicts.findIndex((v) => v.check === 'pii');
    verdicts.splice(at < 0 ? verdicts.length : at, 0, { check: 'policy', passed: true, code: 'ok', rule: 'policy', detail: `no promise above ${i.refundLimit} ${i.policy.refund_limits.currency}`, evidence: [] });
  }
  const out: Verdict[] = verdicts.map((v) => Verdict.fromPartial({ check: v.check, passed: v.passed, code: v.code, detail: v.detail, evidence: [...v.evidence] }));
  const sentences: DraftSentence[] = [];
  for (const text of texts) {
    const { citations, verdict } = citeSentence(text, i.draft, kb);
    sentences.push({ text, citations });
    if (!verdict) continue;
    if (verdict.passed || i.kind === 'draft') {
      out.push(Verdict.fromPartial({ check: 'grounding', passed: verdict.passed, code: verdict.code, detail: verdict.detail, evidence: [...verdict.evidence] }));
    } else {
      out.push(Verdict.fromPartial({ check: 'grounding', passed: true, code: 'own_statement', detail: 'not in the help centre: sent uncited, as the sender’s own statement', evidence: [text] }));
    }
  }
  const failures = out.filter((v) => !v.passed);
  return { passed: failures.length === 0, verdicts: out, failures, sentences, citations: unique(sentences.flatMap((s) => s.citations)) };
}
