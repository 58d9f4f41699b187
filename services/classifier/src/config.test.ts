import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@handrail/config';
import { classifierConfigSchema, classifierLlmConfig } from './config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(classifierConfigSchema, env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
};

describe('classifier config', () => {
  it('classifier config — the LLM classifier is off unless CLASSIFIER_LLM_BASE_URL is set', () => {
    const c = loadConfig(classifierConfigSchema, {});
    expect(classifierLlmConfig(c)).toBeNull();
    // The drafter's keys do not switch the classifier on.
    expect(classifierLlmConfig(loadConfig(classifierConfigSchema, { LLM_BASE_URL: 'http://127.0.0.1:1/v1', LLM_MODEL: 'm' }))).toBeNull();
  });

  it('classifier config — a URL without a model is refused at boot, naming the field', () => {
    expect(problemsOf({ CLASSIFIER_LLM_BASE_URL: 'http://127.0.0.1:11434/v1' })).toEqual(['CLASSIFIER_LLM_MODEL: required when CLASSIFIER_LLM_BASE_URL is set']);
    // Every problem at once, the missing model among them.
    const fields = problemsOf({ CLASSIFIER_LLM_BASE_URL: 'ftp://x', CLASSIFIER_LLM_TIMEOUT_MS: '5' }).map((p) => p.split(':')[0]);
    expect(fields.sort()).toEqual(['CLASSIFIER_LLM_BASE_URL', 'CLASSIFIER_LLM_MODEL', 'CLASSIFIER_LLM_TIMEOUT_MS']);
  });

  it('classifier config — the CLASSIFIER_LLM_* keys map onto the client config, with a 3 s default budget and no retries', () => {
    const c = loadConfig(classifierConfigSchema, { CLASSIFIER_LLM_BASE_URL: 'http://vllm:8000/v1', CLASSIFIER_LLM_MODEL: 'small', CLASSIFIER_LLM_API_KEY: 'k' });
    expect(classifierLlmConfig(c)).toMatchObject({ baseUrl: 'http://vllm:8000/v1', model: 'small', apiKey: 'k', timeoutMs: 3000, maxRetries: 0 });
  });
});
