import { Draft, HandoffPacket, type Classification, type Reason, type Ticket } from '@handrail/contracts';
import { draftReply, draftWithLlm, handoffPacket, type PromptTemplate } from '@handrail/drafting';
import type { LlmClient } from '@handrail/llm';
import type { AreaName } from '@handrail/events';
import type { KnowledgeBase } from '@handrail/kb';
import { ticketText } from './text.js';

export interface ComposeResult {
  draft: Draft | undefined;
  kbFindings: string[];
}

export interface LlmDrafting {
  client: LlmClient;
  promptTemplate: PromptTemplate;
}

/**
 * Drafts a grounded reply for a ticket; `draft` is undefined when no approved passage grounds one.
 * With `llm`, the model writes from the retrieved passages only and falls back to the templates.
 */
export async function composeDraft(ticket: Ticket, c: Classification, area: AreaName, refundLimit: number, kb: KnowledgeBase, llm?: LlmDrafting): Promise<ComposeResult> {
  const request = {
      text: ticketText(ticket),
      intent: c.intent,
      area,
      entities: c.entities.map((e) => ({ kind: e.kind, value: e.value })),
      orders: ticket.orders.map((o) => ({ orderId: o.orderId, amount: o.amount, placedAt: o.placedAt, deliveredAt: o.deliveredAt, status: o.status, condition: o.condition })),
      refundLimit,
  };
  // The ticket's own time: redrafting the same ticket later gives the same eligibility.
  const now = new Date(ticket.receivedAt || Date.now());
  const r = llm ? await draftWithLlm(request, kb, { now, client: llm.client, promptTemplate: llm.promptTemplate }) : draftReply(request, kb, { now });
  if (!r.draft) return { draft: undefined, kbFindings: r.kbFindings };
  const fallback = 'fallbackReason' in r && r.fallbackReason ? [`llm drafter fell back to templates: ${r.fallbackReason}`] : [];
  const toCitation = (x: { articleId: string; passageId: string; articleVersion: string }) => ({ articleId: x.articleId, passageId: x.passageId, articleVersion: x.articleVersion });
  return {
    draft: Draft.fromPartial({
      text: r.draft.text,
      sentences: r.draft.sentences.map((s) => ({ text: s.text, citations: s.citations.map(toCitation) })),
      citations: r.draft.citations.map(toCitation),
      templateId: 'promptVersion' in r.draft && r.draft.promptVersion ? `${r.draft.templateId}+prompt:${r.draft.promptVersion}` : r.draft.templateId,
      drafter: 'model' in r.draft && r.draft.model ? `${r.draft.drafter}:${r.draft.model}` : r.draft.drafter,
    }),
    kbFindings: [...r.kbFindings, ...fallback],
  };
}

/** The packet a human starts from when a ticket is escalated: never from zero. */
export function composeHandoff(ticket: Ticket, area: AreaName, intent: string, reasons: readonly Reason[], kb: KnowledgeBase): HandoffPacket {
  const text = ticketText(ticket);
  const p = handoffPacket({ text, area, intent, reasons: reasons.map((r) => `${r.code}: ${r.detail}`), kbResults: kb.search(text, { limit: 3 }) });
  return HandoffPacket.fromPartial({ summary: p.summary, kbFindings: p.kbFindings, triggers: p.triggers, suggestedNextStep: p.suggestedNextStep });
}
