import { baseConfigSchema, policyFileKey, kbDirKey } from '@handrail/config';

export const guardrailConfigSchema = baseConfigSchema.extend({
  ...policyFileKey,
  ...kbDirKey,
});
