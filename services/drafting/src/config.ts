import { baseConfigSchema, policyFileKey, kbDirKey } from '@handrail/config';
import { llmEnvShape } from '@handrail/llm';

export const draftingConfigSchema = baseConfigSchema.extend({
  ...policyFileKey,
  ...kbDirKey,
  /** Off unless LLM_BASE_URL is set: the optional LLM drafter over an OpenAI-compatible endpoint. */
  ...llmEnvShape,
});
