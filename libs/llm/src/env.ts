import { ValidationError } from '@handrail/errors';
import { z } from 'zod';
import type { LlmConfig } from './client.js';

/**
 * Environment keys of the optional LLM drafter, for a service's config schema
 * (`baseConfigSchema.extend(llmEnvShape)`). Unset `LLM_BASE_URL` means the drafter is off.
 */
export const llmEnvShape = {
  LLM_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  LLM_MODEL: z.string().min(1).optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
};

export interface LlmEnv {
  LLM_BASE_URL?: string | undefined;
  LLM_MODEL?: string | undefined;
  LLM_API_KEY?: string | undefined;
  LLM_TIMEOUT_MS: number;
  LLM_MAX_RETRIES: number;
}

/** The client config from parsed env keys, or null when the LLM drafter is off. */
export function llmConfigFromEnv(env: LlmEnv): LlmConfig | null {
  if (env.LLM_BASE_URL === undefined) return null;
  if (env.LLM_MODEL === undefined) throw new ValidationError([{ field: 'LLM_MODEL', problem: 'required when LLM_BASE_URL is set' }]);
  return {
    baseUrl: env.LLM_BASE_URL,
    model: env.LLM_MODEL,
    ...(env.LLM_API_KEY !== undefined ? { apiKey: env.LLM_API_KEY } : {}),
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxRetries: env.LLM_MAX_RETRIES,
  };
}
