import { normalizeError, type ErrorCode, type FieldProblem } from '@handrail/errors';

const HTTP: Record<ErrorCode, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  not_found: 404,
  already_exists: 409,
  permission_denied: 403,
  failed_precondition: 412,
  unavailable: 503,
  deadline_exceeded: 504,
  internal: 500,
};

export interface HttpError {
  status: number;
  body: { error: ErrorCode; message: string; fields?: readonly FieldProblem[] };
}

/** The one place console errors become HTTP responses. */
export function toHttpError(err: unknown): HttpError {
  const e = normalizeError(err);
  return {
    status: HTTP[e.code],
    // Internal details stay in the logs; callers get a stable message.
    body: { error: e.code, message: e.code === 'internal' ? 'internal error' : e.message, ...(e.fields.length ? { fields: e.fields } : {}) },
  };
}
