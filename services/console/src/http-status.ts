import { normalizeError, type ErrorCode, type FieldProblem } from '@handrail/errors';
import { TokenRejectedError } from '@handrail/identity';
import type { Verdict } from '@handrail/contracts';
import { ChecksFailedError, ForbiddenError } from './domain/index.js';

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
  body: {
    error: ErrorCode;
    message: string;
    fields?: readonly FieldProblem[];
    /** 401: why the token was refused (expired, bad_signature, wrong_audience, missing, …). */
    problem?: string;
    /** 403: the permission (or `rule:…`) that refused the action, and what was tried. */
    permission?: string;
    action?: string;
    /** 422: each failing check of a reply that was not sent. */
    checks?: readonly Verdict[];
    canOverride?: boolean;
  };
}

/** The one place console errors become HTTP responses. */
export function toHttpError(err: unknown): HttpError {
  const e = normalizeError(err);
  const body: HttpError['body'] = { error: e.code, message: e.code === 'internal' ? 'internal error' : e.message, ...(e.fields.length ? { fields: e.fields } : {}) };
  if (err instanceof TokenRejectedError) body.problem = err.problem;
  if (err instanceof ForbiddenError) Object.assign(body, { permission: err.permission, action: err.action });
  // A reply that failed its checks is understood but not processable as it is: 422, with every check named.
  if (err instanceof ChecksFailedError) return { status: 422, body: { ...body, checks: err.failures, canOverride: err.canOverride } };
  // Internal details stay in the logs; callers get a stable message.
  return { status: HTTP[e.code], body };
}
