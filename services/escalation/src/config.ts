import { baseConfigSchema, policyFileKey } from '@handrail/config';

export const escalationConfigSchema = baseConfigSchema.extend({
  ...policyFileKey,
});
