import { AREAS, type PolicyPack } from '@handrail/policy';
import type { HybridOptions } from './hybrid.js';
import type { SemanticOptions } from './semantic.js';
import type { TrainingExample } from './types.js';

/** The pack's `classifier:` setting (issue 12: the CV-chosen gates) as the models' options; empty when absent. */
export function modelOptionsFromPolicy(pack: PolicyPack): { semantic: Partial<SemanticOptions>; hybrid: Partial<HybridOptions> } {
  const c = pack.classifier;
  const semantic: Partial<SemanticOptions> = {
    ...(c?.semantic_gate !== undefined ? { gate: c.semantic_gate } : {}),
    // The typicality model is fitted only when the pack's gate will read it.
    ...((c?.typicality_gate ?? 0) > 0 ? { typicality: true } : {}),
  };
  const hybrid: Partial<HybridOptions> = {
    ...(c?.ramp !== undefined ? { ramp: c.ramp } : {}),
    ...(c?.semantic_weight !== undefined ? { semanticWeight: c.semantic_weight } : {}),
    ...(c?.disagreement_confidence !== undefined ? { disagreementConfidence: c.disagreement_confidence } : {}),
    ...(c?.intent_weight !== undefined ? { intentWeight: c.intent_weight } : {}),
    ...(c?.typicality_gate !== undefined ? { typicalityGate: c.typicality_gate } : {}),
    ...(c?.pooling !== undefined ? { pooling: c.pooling } : {}),
  };
  return { semantic, hybrid };
}

/** A CV-chosen hybrid setting as the pack's `classifier:` block (what `make eval` prints to paste). */
export function classifierBlockOf(s: { gate: number } & HybridOptions): NonNullable<PolicyPack['classifier']> {
  return { semantic_gate: s.gate, ramp: s.ramp, semantic_weight: s.semanticWeight, disagreement_confidence: s.disagreementConfidence, intent_weight: s.intentWeight, typicality_gate: s.typicalityGate, pooling: s.pooling ?? 'linear' };
}

/** The pack's example phrases as a set: the texts whose vectors may be kept on disk (`withStoredVectors`). */
export function trainingPhrases(pack: PolicyPack): Set<string> {
  return new Set(trainingExamplesFromPolicy(pack).map((e) => e.text));
}

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
