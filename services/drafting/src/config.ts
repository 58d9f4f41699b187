import { baseConfigSchema, z } from '@handrail/config';
import { demoPaths } from '@handrail/demo';

export const draftingConfigSchema = baseConfigSchema.extend({
  POLICY_FILE: z.string().min(1).default(demoPaths.policy),
  KB_DIR: z.string().min(1).default(demoPaths.kb),
});
