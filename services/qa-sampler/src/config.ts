import { baseConfigSchema, policyFileKey, z } from '@handrail/config';

export const qaConfigSchema = baseConfigSchema.extend({
  ...policyFileKey,
  /** How often the breakers, pilots and alarms are re-evaluated when something changed. */
  QA_EVALUATE_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(1000),
});
