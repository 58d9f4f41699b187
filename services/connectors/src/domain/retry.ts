/** Statuses worth trying again: rate limits, server trouble, and gateways/timeouts in between. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `nowMs`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The wait before attempt `attempt + 1`: what the helpdesk asked for (`Retry-After`) when it said,
 * plus up to 10 % so replicas do not return in step; otherwise exponential back-off with full jitter.
 */
export function retryDelayMs(attempt: number, retryAfter: number | undefined, p: RetryPolicy, random: () => number = Math.random): number {
  if (retryAfter !== undefined) return Math.min(Math.max(retryAfter, 0) + Math.floor(random() * 0.1 * Math.max(retryAfter, 100)), Math.max(p.maxDelayMs, retryAfter));
  const ceiling = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.floor(ceiling / 2 + random() * (ceiling / 2)));
}
