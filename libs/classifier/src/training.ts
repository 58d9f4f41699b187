import { AREAS, type PolicyPack } from '@handrail/policy';
import type { TrainingExample } from './types.js';

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
