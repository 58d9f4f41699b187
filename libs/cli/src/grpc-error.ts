import { status } from '@grpc/grpc-js';
import { HandrailError, normalizeError, type ErrorCode } from '@handrail/errors';

/** gRPC statuses back into the taxonomy, so a refusal from intake exits like the same error would locally. */
const FROM_GRPC: Partial<Record<status, ErrorCode>> = {
  [status.INVALID_ARGUMENT]: 'invalid_argument',
  [status.OUT_OF_RANGE]: 'invalid_argument',
  [status.NOT_FOUND]: 'not_found',
  [status.ALREADY_EXISTS]: 'already_exists',
  [status.PERMISSION_DENIED]: 'permission_denied',
  [status.UNAUTHENTICATED]: 'unauthenticated',
  [status.FAILED_PRECONDITION]: 'failed_precondition',
  [status.UNAVAILABLE]: 'unavailable',
  [status.DEADLINE_EXCEEDED]: 'deadline_exceeded',
};

function isGrpcError(err: unknown): err is Error & { code: status; details?: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'number' && 'metadata' in err;
}

/** A failed call to the gRPC server at `addr` as a HandrailError; the details name the field for bad input. */
export function fromGrpcError(err: unknown, addr: string): HandrailError {
  if (!isGrpcError(err)) return normalizeError(err);
  const code = FROM_GRPC[err.code] ?? 'internal';
  if (code === 'unavailable') return new HandrailError(code, `intake is not reachable at ${addr}`, [], { cause: err });
  return new HandrailError(code, err.details || err.message, [], { cause: err });
}
