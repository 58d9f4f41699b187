import { trainClassifier } from '@handrail/classifier';
import { resolvableAreas, type PolicyPack } from '@handrail/policy';
import type { TrainingCandidate } from './evaluate.js';

/**
 * The ways to train our classifier that `auto` chooses between by cross-validation on the training
 * data: `area` (confidence = the predicted area's probability) and `pooled` (confidence pooled over
 * every area the policy lets AI resolve, since confusing two of them changes nothing about who
 * handles the message). Which wins depends on the data: pooled where resolvable areas overlap
 * (Banking77, Bitext, NLU++ hotels), area where they do not (NLU++ banking).
 * Tried and dropped: learned risk-cue vetoes (never chosen by cross-validation on any shared set).
 */
export function standardCandidates(policy: PolicyPack): TrainingCandidate[] {
  const resolvable = resolvableAreas(policy);
  return [
    { name: 'area', trainFn: (e) => trainClassifier(e) },
    { name: 'pooled', trainFn: (e) => trainClassifier(e, { confidenceGroups: [resolvable] }) },
  ];
}
