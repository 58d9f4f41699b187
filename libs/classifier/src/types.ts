import type { Classification } from '@handrail/contracts';
import type { AreaName } from '@handrail/events';

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

/**
 * What a classifier answers is the contract's `Classification` (area as the proto enum): the shape
 * every stage, event and evaluation uses, defined once in `proto/`.
 */
export type { Classification };

export interface Classifier {
  readonly version: string;
  classify(text: string): Classification;
}
