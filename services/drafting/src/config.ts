import { baseConfigSchema, policyFileKey, kbDirKey, z } from '@handrail/config';
import { llmEnvShape } from '@handrail/llm';

export const draftingConfigSchema = baseConfigSchema.extend({
  ...policyFileKey,
  ...kbDirKey,
  /** Off unless LLM_BASE_URL is set: the optional LLM drafter over an OpenAI-compatible endpoint. */
  ...llmEnvShape,
  /**
   * Answer relevance (issue 12): the sentence encoder measures how close a draft's passages are to
   * the message. `off` leaves the lexical checks alone, with their stricter gate.
   */
  ANSWER_SEMANTIC: z.enum(['on', 'off']).default('on'),
  /** A directory for the help centre's passage vectors on disk, shared by processes (unset: embedded at every start). */
  ENCODER_STORE_DIR: z.string().min(1).optional(),
});
