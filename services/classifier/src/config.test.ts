import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@handrail/config';
import { classifierConfigSchema, classifierLlmConfig } from './config.js';

/** What every classifier needs whatever else is set: the pack it starts from. */
const required = { POLICY_FILE: '/etc/handrail/pack.yaml' };

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(classifierConfigSchema, { ...required, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
};

describe('classifier config', () => {
  it('classifier config — the LLM classifier is off unless CLASSIFIER_LLM_BASE_URL is set', () => {
    const c = loadConfig(classifierConfigSchema, required);
    expect(classifierLlmConfig(c)).toBeNull();
    // The drafter's keys do not switch the classifier on.
    expect(classifierLlmConfig(loadConfig(classifierConfigSchema, { ...required, LLM_BASE_URL: 'http://127.0.0.1:1/v1', LLM_MODEL: 'm' }))).toBeNull();
  });

  it('classifier config — a URL without a model is refused at boot, naming the field', () => {
    expect(problemsOf({ CLASSIFIER_LLM_BASE_URL: 'http://127.0.0.1:11434/v1' })).toEqual(['CLASSIFIER_LLM_MODEL: required when CLASSIFIER_LLM_BASE_URL is set']);
    // Every problem at once, the missing model among them.
    const fields = problemsOf({ CLASSIFIER_LLM_BASE_URL: 'ftp://x', CLASSIFIER_LLM_TIMEOUT_MS: '5' }).map((p) => p.split(':')[0]);
    expect(fields.sort()).toEqual(['CLASSIFIER_LLM_BASE_URL', 'CLASSIFIER_LLM_MODEL', 'CLASSIFIER_LLM_TIMEOUT_MS']);
  });

  it('classifier config — the CLASSIFIER_LLM_* keys map onto the client config, with a 3 s default budget and no retries', () => {
    const c = loadConfig(classifierConfigSchema, { ...required, CLASSIFIER_LLM_BASE_URL: 'http://vllm:8000/v1', CLASSIFIER_LLM_MODEL: 'small', CLASSIFIER_LLM_API_KEY: 'k' });
    expect(classifierLlmConfig(c)).toMatchObject({ baseUrl: 'http://vllm:8000/v1', model: 'small', apiKey: 'k', timeoutMs: 3000, maxRetries: 0 });
  });

  it('classifier config — no POLICY_FILE is refused at boot instead of silently running the demo pack (issue 9)', () => {
    const problems = (() => {
      try {
        loadConfig(classifierConfigSchema, {});
      } catch (err) {
        if (err instanceof ConfigError) return [...err.problems];
      }
      return [];
    })();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^POLICY_FILE: required: the policy pack file/);
  });
});
