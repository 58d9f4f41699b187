import { baseConfigSchema, z } from '@handrail/config';
import { demoPaths } from '@handrail/demo';

export const classifierConfigSchema = baseConfigSchema.extend({
  /** Pack used until the policy store holds an approved revision. */
  POLICY_FILE: z.string().min(1).default(demoPaths.policy),
});
