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
    tone: toneRulesSchema,
    sampling: z
      .object({
        default_rate: unit,
        by_route: z.partialRecord(z.enum(['auto_resolved', 'awaiting_approval', 'escalated']), unit).default({}),
        by_area: z.partialRecord(areaName, unit).default({}),
      })
      .strict(),
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
