import { baseConfigSchema, z } from '@handrail/config';
import { demoPaths } from '@handrail/demo';
import { llmEnvShape } from '@handrail/llm';

export const draftingConfigSchema = baseConfigSchema.extend({
  POLICY_FILE: z.string().min(1).default(demoPaths.policy),
  KB_DIR: z.string().min(1).default(demoPaths.kb),
  /** Off unless LLM_BASE_URL is set: the optional LLM drafter over an OpenAI-compatible endpoint. */
  ...llmEnvShape,
});
