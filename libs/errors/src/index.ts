/**
 * The closed set of error codes. Each boundary maps these, and only these, to its own status, in a
 * module beside its adapter (intake's gRPC server, the console's HTTP server, the CLI's entry).
 */
export const ERROR_CODES = [
  'invalid_argument',
  'unauthenticated',
  'not_found',
  'already_exists',
  'permission_denied',
  'failed_precondition',
  'unavailable',
  'deadline_exceeded',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const RETRYABLE: Record<ErrorCode, boolean> = {
  invalid_argument: false,
  unauthenticated: false,
  not_found: false,
  already_exists: false,
  permission_denied: false,
  failed_precondition: false,
  unavailable: true,
  deadline_exceeded: true,
  internal: false,
};

export interface FieldProblem {
  field: string;
  problem: string;
}

export class HandrailError extends Error {
  override readonly name: string = 'HandrailError';
  readonly retryable: boolean;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields: readonly FieldProblem[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = RETRYABLE[code];
  }
}

export class ValidationError extends HandrailError {
  override readonly name = 'ValidationError';
  constructor(fields: readonly FieldProblem[]) {
    super('invalid_argument', fields.map((f) => `${f.field}: ${f.problem}`).join('; '), fields);
  }
}

export class NotFoundError extends HandrailError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super('not_found', message);
  }
}

export class PermissionDeniedError extends HandrailError {
  override readonly name = 'PermissionDeniedError';
  constructor(message: string) {
    super('permission_denied', message);
  }
}

/** No verified identity: a missing, expired, wrongly signed or wrong-audience token. */
export class UnauthenticatedError extends HandrailError {
  override readonly name: string = 'UnauthenticatedError';
  constructor(message: string, cause?: unknown) {
    super('unauthenticated', message, [], { cause });
  }
}

export class UnavailableError extends HandrailError {
  override readonly name = 'UnavailableError';
  constructor(message: string, cause?: unknown) {
    super('unavailable', message, [], { cause });
  }
}

/** Anything thrown becomes a HandrailError; unknown errors are `internal` and not retryable. */
export function normalizeError(err: unknown): HandrailError {
  if (err instanceof HandrailError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'CONNECTION_REFUSED' || /timeout|timed out/i.test(message)) {
    return new HandrailError('unavailable', message, [], { cause: err });
  }
  return new HandrailError('internal', message, [], { cause: err });
}
