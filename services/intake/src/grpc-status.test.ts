import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, HandrailError, NotFoundError, ValidationError } from '@handrail/errors';
import { toGrpcStatus } from './grpc-status.js';

describe('intake gRPC status', () => {
  it('grpc status — validation errors are INVALID_ARGUMENT naming the field', () => {
    const e = new ValidationError([{ field: 'message.body', problem: 'must not be empty' }]);
    expect(toGrpcStatus(e)).toEqual({ code: status.INVALID_ARGUMENT, details: 'message.body: must not be empty' });
    expect(toGrpcStatus(new NotFoundError('no events for ticket t-1'))).toEqual({ code: status.NOT_FOUND, details: 'no events for ticket t-1' });
  });

  it('grpc status — unknown errors are INTERNAL and hide their text from callers', () => {
    expect(toGrpcStatus(new Error('secret detail'))).toEqual({ code: status.INTERNAL, details: 'internal error' });
    expect(toGrpcStatus(new HandrailError('internal', 'stack says x'))).toEqual({ code: status.INTERNAL, details: 'internal error' });
  });

  it('grpc status — every code of the taxonomy has its own status', () => {
    const codes = ERROR_CODES.map((c) => toGrpcStatus(new HandrailError(c, c)).code);
    expect(new Set(codes).size).toBe(ERROR_CODES.length);
    expect(toGrpcStatus(new HandrailError('unavailable', 'x')).code).toBe(status.UNAVAILABLE);
  });
});
