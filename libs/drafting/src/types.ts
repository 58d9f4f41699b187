import type { Citation, DraftSentence, SearchResult } from '@handrail/kb';
import type { AreaName } from '@handrail/policy';

/** Structurally the classifier's `Entity`; kept local so drafting does not depend on the classifier. */
export interface DraftEntity {
  kind: string;
  value: string;
}

export interface OrderFacts {
  orderId: string;
  /** Order total in the pack's currency. */
  amount: number;
  /** ISO date or date-time. */
  placedAt: string;
  deliveredAt?: string | null;
  status: string;
  /** What the customer or the warehouse says about the item: unused, used, damaged, faulty, … */
  condition?: string | null;
}

export interface DraftRequest {
  text: string;
  intent: string;
  area: AreaName;
  entities: DraftEntity[];
  customerName?: string;
  orders?: OrderFacts[];
  /** Largest refund AI may draft without a human (policy pack `refund_limits`); absent means no autonomy. */
  refundLimit?: number;
}

export interface DraftOptions {
  /** Reference time for the return-window computation; injected so drafts are reproducible. */
  now: Date;
}

export interface Draft {
  text: string;
  sentences: DraftSentence[];
  citations: Citation[];
  templateId: string;
  drafter: 'template-v1';
}

export interface RefundEligibility {
  orderId: string | null;
  /** 'unknown' when the facts needed are missing. */
  eligible: boolean | 'unknown';
  daysSinceDelivery: number | null;
  /** Read from the KB's returns article, not hard-coded. */
  returnWindowDays: number | null;
  withinReturnWindow: boolean | null;
  amount: number | null;
  refundLimit: number | null;
  withinLimit: boolean | null;
  condition: string | null;
  /** True for unused items and for items that arrived damaged or faulty. */
  conditionOk: boolean | null;
  needsHumanApproval: boolean;
  reasons: string[];
}

export interface DraftResult {
  draft: Draft | null;
  /** For the human reviewer: what the KB said and what was computed from order facts. */
  kbFindings: string[];
  reason?: 'no_grounding';
  /** Present for refund drafts. */
  eligibility?: RefundEligibility;
}

export interface HandoffInput {
  text: string;
  area: AreaName;
  intent: string;
  reasons: string[];
  kbResults: SearchResult[];
}

export interface HandoffPacket {
  summary: string;
  kbFindings: string[];
  triggers: string[];
  suggestedNextStep: string;
}
