import { baseConfigSchema, policyFileKey } from '@handrail/config';

export const qaConfigSchema = baseConfigSchema.extend({
  ...policyFileKey,
});
