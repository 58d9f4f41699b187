import { ValidationError } from '@handrail/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { createLlmClient, type LlmConfig } from './client.js';
import { llmConfigFromEnv, llmEnvShape } from './env.js';
import { LlmError } from './errors.js';
import { startFakeChatServer, type FakeChatServer } from './testing/fake-chat-server.js';
import { z } from 'zod';

let server: FakeChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const config = (baseUrl: string, over: Partial<LlmConfig> = {}): LlmConfig => ({
  baseUrl,
  model: 'test-model',
  timeoutMs: 2000,
  maxRetries: 2,
  retryBaseDelayMs: 10,
  ...over,
});

async function failure(p: Promise<unknown>): Promise<LlmError> {
  const err: unknown = await p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmError);
  return err as LlmError;
}

describe('llm client', () => {
  it('llm client — posts an OpenAI chat-completions request and returns the first choice', async () => {
    server = await startFakeChatServer([{ content: 'hello there' }]);
    const client = createLlmClient(config(`${server.baseUrl}/`, { apiKey: 'sk-test' }));
    const out = await client.complete(
      [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
      { temperature: 0, maxTokens: 50, jsonObject: true },
    );
    expect(out).toBe('hello there');
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v1/chat/completions');
    expect(req?.headers.authorization).toBe('Bearer sk-test');
    expect(req?.body).toEqual({
      model: 'test-model',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
      stream: false,
      temperature: 0,
      max_tokens: 50,
      response_format: { type: 'json_object' },
    });
  });

  it('llm client — no API key sends no authorization header', async () => {
    server = await startFakeChatServer([{ content: 'ok' }]);
    await createLlmClient(config(server.baseUrl)).complete([{ role: 'user', content: 'x' }]);
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('llm client — a 500 then a 200 is retried and succeeds', async () => {
    server = await startFakeChatServer([{ status: 500, body: '{"error":"overloaded"}' }, { content: 'second time lucky' }]);
    const out = await createLlmClient(config(server.baseUrl)).complete([{ role: 'user', content: 'x' }]);
    expect(out).toBe('second time lucky');
    expect(server.requests).toHaveLength(2);
  });

  it('llm client — a 429 is retried, honouring Retry-After within the cap', async () => {
    server = await startFakeChatServer([{ status: 429, body: '{}', headers: { 'retry-after': '0' } }, { content: 'ok' }]);
    const slept: number[] = [];
    const client = createLlmClient(config(server.baseUrl), { sleep: async (ms) => void slept.push(ms) });
    expect(await client.complete([{ role: 'user', content: 'x' }])).toBe('ok');
    expect(slept).toEqual([0]);
  });

  it('llm client — a 400 is not retried and is a non-retryable http error', async () => {
    server = await startFakeChatServer([{ status: 400, body: '{"error":{"message":"echo: secret customer text"}}' }, { content: 'never' }]);
    const err = await failure(createLlmClient(config(server.baseUrl)).complete([{ role: 'user', content: 'x' }]));
    expect(err.kind).toBe('http');
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.message).not.toContain('secret');
    expect(server.requests).toHaveLength(1);
  });

  it('llm client — retries stop after maxRetries with exponential back-off', async () => {
    server = await startFakeChatServer([{ status: 503, body: '{}' }]);
    const slept: number[] = [];
    const client = createLlmClient(config(server.baseUrl, { maxRetries: 3, retryBaseDelayMs: 100 }), { sleep: async (ms) => void slept.push(ms) });
    const err = await failure(client.complete([{ role: 'user', content: 'x' }]));
    expect(err).toMatchObject({ kind: 'http', status: 503, attempts: 4, retryable: true, code: 'unavailable' });
    expect(server.requests).toHaveLength(4);
    expect(slept).toEqual([100, 200, 400]);
  });

  it('llm client — a slow server times out and is not retried', async () => {
    server = await startFakeChatServer([{ content: 'too late', delayMs: 1500 }]);
    const started = Date.now();
    const err = await failure(createLlmClient(config(server.baseUrl, { timeoutMs: 200 })).complete([{ role: 'user', content: 'x' }]));
    expect(err.kind).toBe('timeout');
    expect(err.code).toBe('deadline_exceeded');
    expect(Date.now() - started).toBeLessThan(1200);
    expect(server.requests).toHaveLength(1);
  });

  it('llm client — a dropped connection is a network error, retried', async () => {
    server = await startFakeChatServer([{ hangUp: true }, { content: 'back again' }]);
    expect(await createLlmClient(config(server.baseUrl)).complete([{ role: 'user', content: 'x' }])).toBe('back again');
    expect(server.requests).toHaveLength(2);
  });

  it('llm client — nothing listening gives a network error after the retries', async () => {
    server = await startFakeChatServer([{ content: 'unused' }]);
    const deadUrl = server.baseUrl;
    await server.close();
    server = undefined;
    const err = await failure(createLlmClient(config(deadUrl, { maxRetries: 1 })).complete([{ role: 'user', content: 'x' }]));
    expect(err).toMatchObject({ kind: 'network', attempts: 2, retryable: true });
  });

  it('llm client — a 200 that is not a chat completion is a bad response, not retried', async () => {
    server = await startFakeChatServer([{ status: 200, body: '<html>proxy login</html>' }]);
    expect((await failure(createLlmClient(config(server.baseUrl)).complete([{ role: 'user', content: 'x' }]))).kind).toBe('bad_response');
    await server.close();
    server = await startFakeChatServer([{ status: 200, body: '{"choices":[{"message":{"content":null}}]}' }]);
    expect((await failure(createLlmClient(config(server.baseUrl)).complete([{ role: 'user', content: 'x' }]))).kind).toBe('bad_response');
    expect(server.requests).toHaveLength(1);
  });

  it('llm client — a bad config fails when the client is made, naming every field', () => {
    let err: unknown;
    try {
      createLlmClient({ baseUrl: 'ftp://x', model: ' ', timeoutMs: 0, maxRetries: -1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields.map((f) => f.field)).toEqual(['baseUrl', 'model', 'timeoutMs', 'maxRetries']);
  });
});

describe('llm env', () => {
  const schema = z.object(llmEnvShape);

  it('llm env — unset base URL means the drafter is off', () => {
    expect(llmConfigFromEnv(schema.parse({}))).toBeNull();
  });

  it('llm env — keys parse into a client config with defaults', () => {
    const env = schema.parse({ LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'llama3.1:8b', LLM_TIMEOUT_MS: '3000' });
    expect(llmConfigFromEnv(env)).toEqual({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1:8b', timeoutMs: 3000, maxRetries: 1 });
  });

  it('llm env — a base URL without a model is refused', () => {
    expect(() => llmConfigFromEnv(schema.parse({ LLM_BASE_URL: 'http://127.0.0.1:8000/v1' }))).toThrow(ValidationError);
    expect(schema.safeParse({ LLM_BASE_URL: 'file:///etc/passwd' }).success).toBe(false);
  });
});
