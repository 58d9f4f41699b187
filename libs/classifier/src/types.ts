import type { AreaName } from '@handrail/policy';

/** One labelled training phrase. `area` is the responsibility-table area the intent belongs to. */
export interface TrainingExample {
  text: string;
  intent: string;
  area: AreaName;
}

export interface Entity {
  kind: 'order_id' | 'amount' | 'email' | 'phone' | 'date' | string;
  value: string;
}

/** The classifier's output contract; the service maps it onto the `Classification` proto message. */
export interface ClassificationResult {
  area: AreaName;
  intent: string;
  /** Calibrated probability that `intent` (and so `area`) is right, in [0, 1]. */
  confidence: number;
  /** Sentiment in [-1, 1]; negative is unhappy. */
  sentiment: number;
  entities: Entity[];
  /** Deterministic high-risk detectors that fired, e.g. "safety:fraud", "privacy:data_deletion". */
  riskFlags: string[];
  /** True when the message is unlike any trained intent. */
  outOfScope: boolean;
  modelVersion: string;
}

export interface Classifier {
  readonly version: string;
  classify(text: string): ClassificationResult;
}
