import { baseConfigSchema, z } from '@handrail/config';
import { demoPaths } from '@handrail/demo';

export const guardrailConfigSchema = baseConfigSchema.extend({
  POLICY_FILE: z.string().min(1).default(demoPaths.policy),
  /** Approved help-centre articles that drafts must be grounded in. */
  KB_DIR: z.string().min(1).default(demoPaths.kb),
});
