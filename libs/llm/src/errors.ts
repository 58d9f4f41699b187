import { HandrailError, type ErrorCode } from '@handrail/errors';

export const LLM_ERROR_KINDS = ['timeout', 'http', 'bad_response', 'network'] as const;
export type LlmErrorKind = (typeof LLM_ERROR_KINDS)[number];

/** HTTP statuses worth another attempt: rate limiting and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

function codeFor(kind: LlmErrorKind, status: number | undefined): ErrorCode {
  switch (kind) {
    case 'timeout':
      return 'deadline_exceeded';
    case 'network':
      return 'unavailable';
    case 'http':
      return status !== undefined && isRetryableStatus(status) ? 'unavailable' : 'failed_precondition';
    case 'bad_response':
      return 'internal';
  }
}

/**
 * Every failure of a chat-completions call. Messages name the endpoint's behaviour (status, timeout),
 * never the prompt or the model's text, so they are safe to log.
 */
export class LlmError extends HandrailError {
  override readonly name = 'LlmError';
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status?: number,
    /** Attempts made, the failing one included. */
    readonly attempts = 1,
    options?: { cause?: unknown },
  ) {
    super(codeFor(kind, status), message, [], options);
  }
}
