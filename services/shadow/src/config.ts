import { baseConfigSchema, kbDirKey, policyFileKey } from '@handrail/config';

/** As the guardrail: the production pack and KB it falls back to (what production decides with, recorded beside the candidate's). */
export const shadowConfigSchema = baseConfigSchema.extend({
  ...policyFileKey,
  ...kbDirKey,
});
