import { Classification, type Ticket } from '@handrail/contracts';
import type { Classifier, ClassificationResult, TrainingExample } from '@handrail/classifier';
import { areaFromName } from '@handrail/events';
import { AREAS, type PolicyPack } from '@handrail/policy';
import { classifyWithLlm, type LlmClassifyFallbackReason, type LlmClassifyOptions } from './llm-classify.js';

/** The policy pack's example phrases are the embedded model's training data. */
export function trainingExamplesFromPolicy(pack: PolicyPack): TrainingExample[] {
  const out: TrainingExample[] = [];
  for (const area of AREAS) {
    for (const [intent, phrases] of Object.entries(pack.areas[area]?.examples ?? {})) {
      for (const text of phrases) out.push({ text, intent, area });
    }
  }
  return out;
}

/** What the model reads: subject and body together. */
export function ticketText(t: Pick<Ticket, 'subject' | 'body'>): string {
  return t.subject ? `${t.subject}\n${t.body}` : t.body;
}

export function toClassification(r: ClassificationResult): Classification {
  return Classification.fromPartial({
    area: areaFromName(r.area),
    intent: r.intent,
    confidence: r.confidence,
    sentiment: r.sentiment,
    entities: r.entities.map((e) => ({ kind: e.kind, value: e.value })),
    riskFlags: [...r.riskFlags],
    outOfScope: r.outOfScope,
    modelVersion: r.modelVersion,
  });
}

export function classifyTicket(classifier: Classifier, t: Ticket): Classification {
  return toClassification(classifier.classify(ticketText(t)));
}

export interface TicketClassification {
  classification: Classification;
  source: 'llm' | 'embedded';
  fallbackReason?: LlmClassifyFallbackReason;
  fallbackDetail?: string;
}

/** The optional LLM path: same contract, the embedded result whenever the LLM answer is not used. */
export async function classifyTicketWithLlm(t: Ticket, o: LlmClassifyOptions): Promise<TicketClassification> {
  const { result, ...rest } = await classifyWithLlm(ticketText(t), o);
  return { classification: toClassification(result), ...rest };
}
