import { status } from '@grpc/grpc-js';
import { normalizeError, type ErrorCode } from '@handrail/errors';

const GRPC: Record<ErrorCode, status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  not_found: status.NOT_FOUND,
  already_exists: status.ALREADY_EXISTS,
  permission_denied: status.PERMISSION_DENIED,
  failed_precondition: status.FAILED_PRECONDITION,
  unavailable: status.UNAVAILABLE,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  internal: status.INTERNAL,
};

/** The one place intake's errors become gRPC statuses. */
export function toGrpcStatus(err: unknown): { code: status; details: string } {
  const e = normalizeError(err);
  // Internal details stay in the logs; callers get a stable message.
  return { code: GRPC[e.code], details: e.code === 'internal' ? 'internal error' : e.message };
}
