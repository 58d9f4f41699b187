import { HandrailError } from '@handrail/errors';
import { isRetryableStatus, retryAfterMs } from '../domain/index.js';

/** A helpdesk answered with an error status (or did not answer): retryable for 429, 5xx and network trouble. */
export class HelpdeskHttpError extends HandrailError {
  override readonly name = 'HelpdeskHttpError';
  readonly status: number;
  /** Milliseconds the helpdesk asked us to wait (`Retry-After`), if it said. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, message: string, retryAfter: number | undefined) {
    const retryable = status === 0 || isRetryableStatus(status);
    super(retryable ? 'unavailable' : status === 404 ? 'not_found' : status === 401 || status === 403 ? 'permission_denied' : 'failed_precondition', message);
    this.status = status;
    this.retryAfterMs = retryAfter;
  }
}

export interface HttpClient {
  json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

/**
 * JSON over fetch with a timeout per request. The token goes in a header built here and nowhere
 * else; error messages carry the method, path and status, never the headers.
 */
export function httpClient(o: { baseUrl: string; authHeaders: () => Record<string, string>; timeoutMs: number; fetchImpl?: typeof fetch }): HttpClient {
  const doFetch = o.fetchImpl ?? fetch;
  return {
    async json<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
      let res: Response;
      try {
        res = await doFetch(`${o.baseUrl}${path}`, {
          method,
          headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers, ...o.authHeaders() },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(o.timeoutMs),
        });
      } catch (err) {
        throw new HelpdeskHttpError(0, `${method} ${path}: ${(err as Error).name === 'TimeoutError' ? `no answer in ${o.timeoutMs} ms` : (err as Error).message}`, undefined);
      }
      const text = await res.text();
      if (!res.ok) throw new HelpdeskHttpError(res.status, `${method} ${path}: HTTP ${res.status}`, retryAfterMs(res.headers.get('retry-after'), Date.now()));
      if (!text) return {} as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new HelpdeskHttpError(502, `${method} ${path}: answer is not JSON`, undefined);
      }
    },
  };
}
