import { baseConfigSchema, policyFileKey, z } from '@handrail/config';
import { ValidationError } from '@handrail/errors';
import type { LlmConfig } from '@handrail/llm';

export const classifierConfigSchema = baseConfigSchema
  .extend({
    ...policyFileKey,
    /**
     * The optional LLM classifier: off unless CLASSIFIER_LLM_BASE_URL is set. Its own prefix, so
     * classification and drafting can use different endpoints and models.
     */
    CLASSIFIER_LLM_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    CLASSIFIER_LLM_MODEL: z.string().min(1).optional(),
    CLASSIFIER_LLM_API_KEY: z.string().min(1).optional(),
    /** Whole budget per ticket, retries included; past it the embedded result is used. */
    CLASSIFIER_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
    /** Classification is on every ticket's path: by default a failure falls back at once. */
    CLASSIFIER_LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(3).default(0),
    /** The meaning-aware second model (sentence encoder + nearest neighbours + head), issue 12. */
    CLASSIFIER_SEMANTIC: z.enum(['on', 'off']).default('on'),
    /** Worker threads for the encoder, each with its own model (0: the service's own thread). */
    ENCODER_THREADS: z.coerce.number().int().min(0).max(16).default(0),
    /** Most texts per encoder call: the consumer's in-flight messages are embedded together. */
    ENCODER_MAX_BATCH: z.coerce.number().int().min(1).max(1024).default(128),
    /** How long a lone message waits for company before it is embedded, in ms. */
    ENCODER_LINGER_MS: z.coerce.number().min(0).max(1000).default(2),
    /** Texts whose vectors are kept in memory (LRU): the pack's examples and repeated messages. */
    ENCODER_CACHE_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
    /** A directory for the pack's example vectors on disk, shared by processes (unset: embedded at every start). */
    ENCODER_STORE_DIR: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.CLASSIFIER_LLM_BASE_URL !== undefined && c.CLASSIFIER_LLM_MODEL === undefined) {
      ctx.addIssue({ code: 'custom', path: ['CLASSIFIER_LLM_MODEL'], message: 'required when CLASSIFIER_LLM_BASE_URL is set' });
    }
  });

export type ClassifierConfig = z.infer<typeof classifierConfigSchema>;

type ClassifierLlmEnv = Pick<
  ClassifierConfig,
  'CLASSIFIER_LLM_BASE_URL' | 'CLASSIFIER_LLM_MODEL' | 'CLASSIFIER_LLM_API_KEY' | 'CLASSIFIER_LLM_TIMEOUT_MS' | 'CLASSIFIER_LLM_MAX_RETRIES'
>;

/** The LLM client config from the parsed keys, or null when the LLM classifier is off. */
export function classifierLlmConfig(c: ClassifierLlmEnv): LlmConfig | null {
  if (c.CLASSIFIER_LLM_BASE_URL === undefined) return null;
  // The schema refuses this at boot already; repeated so the helper never turns a typo into "off".
  if (c.CLASSIFIER_LLM_MODEL === undefined) {
    throw new ValidationError([{ field: 'CLASSIFIER_LLM_MODEL', problem: 'required when CLASSIFIER_LLM_BASE_URL is set' }]);
  }
  return {
    baseUrl: c.CLASSIFIER_LLM_BASE_URL,
    model: c.CLASSIFIER_LLM_MODEL,
    ...(c.CLASSIFIER_LLM_API_KEY !== undefined ? { apiKey: c.CLASSIFIER_LLM_API_KEY } : {}),
    timeoutMs: c.CLASSIFIER_LLM_TIMEOUT_MS,
    maxRetries: c.CLASSIFIER_LLM_MAX_RETRIES,
    // Short back-off: a retry has to fit inside the per-ticket budget.
    retryBaseDelayMs: 100,
    retryMaxDelayMs: 500,
  };
}
