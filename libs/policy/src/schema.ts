import { z } from 'zod';
import { AI_ACTION, AREA, PRIORITY, type AiActionName, type AreaName } from '@handrail/events';
import { accessSchema, slaSchema } from './access.js';

/** The areas of the responsibility table, as `proto/` defines them; every other module names areas with these. */
export const AREAS = AREA.names;
export type { AreaName, AiActionName };
export const areaName = z.enum(AREAS);

/** Ordered from least to most autonomy; anything not granted is `none`. */
export const AI_ACTIONS = AI_ACTION.names;
export const aiAction = z.enum(AI_ACTIONS);

/** Areas where AI may never act alone, whatever a pack says, unless an audited override is present. */
export const HUMAN_ONLY_AREAS: readonly AreaName[] = ['privacy', 'safety', 'legal'];

const unit = z.number().min(0).max(1);

export const areaPolicySchema = z
  .object({
    description: z.string().min(1),
    ai_action: aiAction,
    human_responsibilities: z.array(z.string().min(1)).min(1),
    risk: z.enum(['low', 'medium', 'high', 'critical']),
    required_controls: z.array(z.string().min(1)).default([]),
    /** Below this classifier confidence AI may not act in this area. */
    confidence_threshold: unit,
    /** Human queue that receives escalations from this area. */
    queue: z.string().min(1),
    /** Example customer phrases: the seed training data for the embedded classifier. */
    examples: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).default({}),
  })
  .strict();
export type AreaPolicy = z.infer<typeof areaPolicySchema>;

export const toneRulesSchema = z
  .object({
    brand_voice: z.array(z.string()).default([]),
    banned_phrases: z.array(z.string().min(1)).default([]),
    overconfident_phrases: z.array(z.string().min(1)).default([]),
    dismissive_patterns: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const overrideSchema = z
  .object({
    area: areaName,
    ai_action: aiAction,
    justification: z.string().min(20),
    approved_by: z.string().min(1),
    ticket: z.string().min(1),
  })
  .strict();

const routeName = z.enum(['auto_resolved', 'awaiting_approval', 'escalated']);

/**
 * Who is reviewed. Every decision gets a known inclusion probability: the base rate of its stratum
 * (area × route, else area, else route, else default), raised by `low_margin` and `human_edit`, and 1
 * for the first decisions after a new policy, KB or model revision and for each area's weekly minimum.
 */
export const samplingSchema = z
  .object({
    default_rate: unit,
    by_route: z.partialRecord(routeName, unit).default({}),
    by_area: z.partialRecord(areaName, unit).default({}),
    /** The most specific base rate: per area, per route. */
    by_area_route: z.partialRecord(areaName, z.partialRecord(routeName, unit)).default({}),
    /** Every one of the first N decisions under a new policy, KB or model revision is reviewed (0: off). */
    first_after_revision: z.number().int().min(0).default(0),
    /** The first N decisions of each ISO week in each area are reviewed, so no area goes a week unseen (0: off). */
    weekly_minimum_per_area: z.number().int().min(0).default(0),
    /** Decisions whose confidence is within `within` of the area's threshold: rate × `weight` (at most 1). */
    low_margin: z.object({ within: unit, weight: z.number().min(1) }).strict().optional(),
    /** A draft a person edited before sending is reviewed with at least this probability. */
    human_edit_rate: unit.optional(),
  })
  .strict();

export const SEVERITIES = ['minor', 'major', 'critical'] as const;
export const BUILTIN_DEFECTS = ['hallucination', 'tone_mismatch', 'policy_misapplication', 'incomplete_resolution'] as const;

const breakerSchema = z
  .object({
    /** Demote when the estimated defect rate exceeds this with `confidence` (its one-sided lower bound is above it). */
    max_defect_rate: unit,
    confidence: z.number().gt(0.5).lt(1).default(0.95),
    /** Not one bad ticket: at least this many reviewed decisions first. */
    min_reviews: z.number().int().min(1).default(10),
    /** Severities that count as a defect for the breaker. */
    severities: z.array(z.enum(SEVERITIES)).default([...SEVERITIES]),
  })
  .strict();

const seedSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,40}$/),
    area: areaName,
    intent: z.string().min(1),
    channel: z.string().min(1).default('email'),
    subject: z.string().default(''),
    body: z.string().min(1),
    draft: z.string().min(1),
    /** The categories a reviewer should find. */
    defects: z.array(z.string().min(1)).min(1),
  })
  .strict();

export const qaSchema = z
  .object({
    /** Categories beyond the four built in (hallucination, tone_mismatch, policy_misapplication, incomplete_resolution). */
    defect_taxonomy: z.array(z.object({ category: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/), description: z.string().min(1) }).strict()).default([]),
    circuit_breakers: z
      .object({
        /** Off when absent. */
        default: breakerSchema.optional(),
        by_area: z.partialRecord(areaName, breakerSchema.partial()).default({}),
      })
      .strict()
      .prefault({}),
    /** Known defects mixed into the queue unlabelled: one after every `every` real samples (0: off). */
    seeding: z.object({ every: z.number().int().min(0).default(0), seeds: z.array(seedSchema).default([]) }).strict().prefault({}),
    alarms: z
      .object({
        /** Share of an area's decisions AI may resolve alone, as approved; more (with confidence) raises automation_creep. */
        approved_automation: z.partialRecord(areaName, unit).default({}),
        /** Approvals faster than this are "near-zero review time". */
        fast_approval_ms: z.number().int().min(0).default(5_000),
        /** A person whose share of fast approvals is above this (over at least min_decisions) raises fast_approvals. */
        fast_approval_share: unit.default(0.5),
        min_decisions: z.number().int().min(1).default(10),
        /** A reviewer who caught at most this share of the seeded defects they saw (at least min_seeded) raises reviewer_passes_seeded. */
        min_catch_rate: unit.default(0.5),
        min_seeded: z.number().int().min(1).default(3),
        confidence: z.number().gt(0.5).lt(1).default(0.95),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type QaPolicy = z.infer<typeof qaSchema>;
export type BreakerPolicy = z.infer<typeof breakerSchema>;

const criteriaSchema = z
  .object({
    defect_rate: unit.optional(),
    escalation_rate: unit.optional(),
    unresolved_rate: unit.optional(),
  })
  .strict();

export const pilotSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,40}$/),
    description: z.string().default(''),
    areas: z.array(areaName).min(1),
    /** Channels in the pilot; empty: every channel. */
    channels: z.array(z.string().min(1)).default([]),
    /** Share of the matching traffic in the pilot (a deterministic draw per ticket). */
    traffic_share: unit,
    /** What AI may do outside the pilot's slice in its areas (and everywhere once it stopped). */
    outside_action: aiAction.default('draft'),
    /** Success: every rate's upper confidence bound below its maximum once the sample sizes are reached. */
    success: criteriaSchema.extend({ min_tickets: z.number().int().min(1), min_reviews: z.number().int().min(0).default(0) }).strict(),
    /** Stop: any rate's lower confidence bound above its limit, once its sample size is reached. */
    stop: criteriaSchema.extend({ min_tickets: z.number().int().min(1), min_reviews: z.number().int().min(0).default(0) }).strict(),
    confidence: z.number().gt(0.5).lt(1).default(0.95),
  })
  .strict();
export type PilotPolicy = z.infer<typeof pilotSchema>;

export const policyPackSchema = z
  .object({
    version: z.literal(1),
    name: z.string().min(1),
    description: z.string().default(''),
    areas: z.record(areaName, areaPolicySchema),
    refund_limits: z
      .object({
        currency: z.string().length(3).default('USD'),
        /** Largest amount AI may draft without a human approving it, by account tier; `default` for unknown tiers. */
        by_tier: z.record(z.string().min(1), z.number().min(0)),
      })
      .strict(),
    escalation: z
      .object({
        risk_keywords: z.record(z.string().min(1), z.array(z.string().min(1))).default({}),
        /** Sentiment in [-1, 1]; at or below this is "strongly negative". */
        negative_sentiment_threshold: z.number().min(-1).max(1),
        repeat_contact: z
          .object({ window_hours: z.number().positive(), max_contacts: z.number().int().min(1) })
          .strict(),
        /**
         * Optional: a customer whose earlier contact within `window_hours` went to an area people
         * handle (any area whose ai_action is not `resolve`) is not answered by AI alone: follow-ups
         * ("I forgot it", "cancel it on the 21st") belong with that case. Off when absent.
         */
        open_case: z.object({ window_hours: z.number().positive() }).strict().optional(),
        high_value: z
          .object({ account_value_at_least: z.number().min(0), tiers: z.array(z.string()).default([]) })
          .strict(),
        /** Queue priorities by reason code; the highest that applies wins. */
        priorities: z.record(z.string(), z.enum(PRIORITY.names)).default({}),
        /**
         * A draft that is grounded but does not answer the message (reason `no_answer`, issue 12):
         * `escalate` sends nothing and hands the ticket to a person; `draft` keeps the AI reply for a
         * person to approve or edit. Never sent as it is.
         */
        no_answer: z.enum(['escalate', 'draft']).default('escalate'),
      })
      .strict(),
    approved_sources: z.array(z.string().min(1)).default([]),
    /**
     * How the classifier combines its two models and where out of scope begins (issue 12): the setting
     * `make eval` / `make eval-oos` choose by cross-validation on the training data plus a synthetic
     * out-of-scope slice, pasted here so the running classifier decides with it. Absent: the built-in
     * defaults. Every field is optional; the semantic model's version (which decisions cite) covers them.
     */
    classifier: z
      .object({
        /** Cosine similarity to the nearest trained example below which a message is out of scope. */
        semantic_gate: unit.optional(),
        /** Similarity band above the gate over which the confidence is scaled down (0: none). */
        ramp: unit.optional(),
        /** Weight of the semantic model's probability against the lexical one's. */
        semantic_weight: unit.optional(),
        /** Area disagreement goes to a person when both models are at least this sure (above 1: never). */
        disagreement_confidence: z.number().min(0).max(2).optional(),
        /** Weight of the intent probabilities against the area probabilities in the confidence. */
        intent_weight: unit.optional(),
        /**
         * Share of held-out training messages less typical than which a message is out of scope
         * (relative Mahalanobis over the encoder's vectors; 0: off). Sees intents never taught.
         */
        typicality_gate: unit.optional(),
        /** How the two models' area probabilities are pooled: `linear` (weighted mean, the default) or `log` (weighted geometric mean). */
        pooling: z.enum(['linear', 'log']).optional(),
      })
      .strict()
      .optional(),
    tone: toneRulesSchema,
    sampling: samplingSchema,
    /** The QA loop (issue 13): defect taxonomy, circuit breakers, seeded defects, alarms. */
    qa: qaSchema.prefault({}),
    /** Pilots: automation limited to chosen areas, channels and a share of traffic, with criteria stated up front. */
    pilots: z.array(pilotSchema).default([]),
    /**
     * Prompt of the optional LLM drafter, versioned with the policy so every draft names both.
     * Placeholders: {{passages}} (the retrieved passages, the only knowledge the model sees) and {{message}}.
     */
    llm_prompt: z
      .object({ version: z.string().min(1), system: z.string().min(1), user: z.string().min(1) })
      .strict()
      .optional(),
    /** Explicit, audited exceptions to the human-only rule. Empty in any sane pack. */
    overrides: z.array(overrideSchema).default([]),
    /** Roles, their permissions and the IdP-group mapping; absent: the five standard roles. */
    access: accessSchema.prefault({}),
    /** How long a ticket may wait per queue before its SLA is breached. */
    sla: slaSchema.prefault({}),
  })
  .strict();

export type PolicyPack = z.infer<typeof policyPackSchema>;
