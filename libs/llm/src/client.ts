import { ValidationError, type FieldProblem } from '@handrail/errors';
import { LlmError, isRetryableStatus } from './errors.js';

export interface LlmConfig {
  /** e.g. `http://127.0.0.1:11434/v1` (Ollama), `http://vllm:8000/v1`, `https://api.openai.com/v1`. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Per attempt, body included. */
  timeoutMs: number;
  /** Further attempts after a 429, 5xx or network failure; 0 means one attempt. */
  maxRetries: number;
  /** First back-off delay; doubles per retry. Default 250 ms. */
  retryBaseDelayMs?: number;
  /** Longest single back-off, `Retry-After` included. Default 5000 ms. */
  retryMaxDelayMs?: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  temperature?: number;
  maxTokens?: number;
  /** Ask for `response_format: { type: 'json_object' }` (OpenAI, vLLM and Ollama honour it). */
  jsonObject?: boolean;
}

export interface LlmClient {
  readonly model: string;
  /** The first choice's message content; throws `LlmError`. */
  complete(messages: readonly ChatMessage[], options?: ChatOptions): Promise<string>;
}

export interface LlmClientDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_BASE_DELAY_MS = 250;
const DEFAULT_MAX_DELAY_MS = 5000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Content of `choices[0].message`, or null when the body is not a chat completion. */
export function messageContent(body: unknown): string | null {
  if (!isRecord(body) || !Array.isArray(body.choices)) return null;
  const first: unknown = body.choices[0];
  if (!isRecord(first) || !isRecord(first.message)) return null;
  const content = first.message.content;
  return typeof content === 'string' ? content : null;
}

/** `Retry-After` in milliseconds (seconds or HTTP date), or null. */
function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** Config problems, empty when usable: checked once when the client is made, not at the first request. */
export function llmConfigProblems(config: LlmConfig): FieldProblem[] {
  const problems: FieldProblem[] = [];
  let url: URL | null = null;
  try {
    url = new URL(config.baseUrl);
  } catch {
    problems.push({ field: 'baseUrl', problem: 'not a URL' });
  }
  if (url !== null && url.protocol !== 'http:' && url.protocol !== 'https:') problems.push({ field: 'baseUrl', problem: 'must be http(s)' });
  if (config.model.trim() === '') problems.push({ field: 'model', problem: 'must not be empty' });
  if (!Number.isInteger(config.timeoutMs) || config.timeoutMs <= 0) problems.push({ field: 'timeoutMs', problem: 'must be a positive integer' });
  if (!Number.isInteger(config.maxRetries) || config.maxRetries < 0) problems.push({ field: 'maxRetries', problem: 'must be an integer ≥ 0' });
  return problems;
}

/**
 * An OpenAI-compatible chat-completions client (`POST {baseUrl}/chat/completions`). Retries 429,
 * 5xx and connection failures with exponential back-off; a timeout is not retried, so one call never
 * takes much longer than `timeoutMs` while the model is simply slow. Logs nothing.
 */
export function createLlmClient(config: LlmConfig, deps: LlmClientDeps = {}): LlmClient {
  const problems = llmConfigProblems(config);
  if (problems.length > 0) throw new ValidationError(problems);
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? defaultSleep;
  const url = `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const baseDelay = config.retryBaseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const maxDelay = config.retryMaxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (config.apiKey !== undefined && config.apiKey !== '') headers.authorization = `Bearer ${config.apiKey}`;

  async function attempt(body: string, attemptNo: number): Promise<{ content: string } | { retryable: LlmError; delayMs: number | null }> {
    let response: Response;
    let parsed: unknown;
    try {
      response = await doFetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(config.timeoutMs) });
      if (!response.ok) {
        // Drain the body so the connection can be reused; its text may echo the prompt, so it is not kept.
        await response.body?.cancel().catch(() => undefined);
        const error = new LlmError('http', `chat completions answered HTTP ${response.status}`, response.status, attemptNo);
        if (!isRetryableStatus(response.status)) throw error;
        return { retryable: error, delayMs: retryAfterMs(response.headers.get('retry-after'), Date.now()) };
      }
      const text = await response.text();
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new LlmError('bad_response', 'chat completions answered a body that is not JSON', response.status, attemptNo);
      }
    } catch (err) {
      if (err instanceof LlmError) throw err;
      if (isTimeout(err)) {
        throw new LlmError('timeout', `no complete answer within ${config.timeoutMs} ms`, undefined, attemptNo, { cause: err });
      }
      return { retryable: new LlmError('network', 'could not reach the chat completions endpoint', undefined, attemptNo, { cause: err }), delayMs: null };
    }
    const content = messageContent(parsed);
    if (content === null) throw new LlmError('bad_response', 'answer has no choices[0].message.content string', response.status, attemptNo);
    return { content };
  }

  return {
    model: config.model,
    async complete(messages, options = {}) {
      const body = JSON.stringify({
        model: config.model,
        messages,
        stream: false,
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
        ...(options.jsonObject ? { response_format: { type: 'json_object' } } : {}),
      });
      for (let attemptNo = 1; ; attemptNo++) {
        const outcome = await attempt(body, attemptNo);
        if ('content' in outcome) return outcome.content;
        if (attemptNo > config.maxRetries) throw outcome.retryable;
        const backoff = Math.min(maxDelay, baseDelay * 2 ** (attemptNo - 1));
        await sleep(Math.min(maxDelay, outcome.delayMs ?? backoff));
      }
    },
  };
}

/**
 * The same client, telling `observe` how each call ended ("ok" or the LlmError kind) and how long it
 * took — for metrics; it never sees the prompt or the answer.
 */
export function observedLlmClient(client: LlmClient, observe: (result: string, seconds: number) => void): LlmClient {
  return {
    model: client.model,
    async complete(messages, options) {
      const t0 = performance.now();
      try {
        const out = await client.complete(messages, options);
        observe('ok', (performance.now() - t0) / 1000);
        return out;
      } catch (err) {
        observe(err instanceof LlmError ? err.kind : 'error', (performance.now() - t0) / 1000);
        throw err;
      }
    },
  };
}
