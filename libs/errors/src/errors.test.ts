import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { HandrailError, normalizeError, toExitCode, toGrpcStatus, toHttpStatus, ValidationError } from './index.js';

describe('errors', () => {
  it('normaliser — validation errors name the field at every boundary', () => {
    const e = new ValidationError([{ field: 'message.body', problem: 'must not be empty' }]);
    expect(toGrpcStatus(e)).toEqual({ code: status.INVALID_ARGUMENT, details: 'message.body: must not be empty' });
    expect(toExitCode(e)).toBe(2);
    expect(toHttpStatus(e)).toBe(400);
    expect(e.retryable).toBe(false);
  });

  it('normaliser — unknown errors become internal and hide their text from callers', () => {
    const e = normalizeError(new TypeError('x is undefined'));
    expect(e).toBeInstanceOf(HandrailError);
    expect(e.code).toBe('internal');
    expect(toGrpcStatus(new Error('secret detail')).details).toBe('internal error');
  });

  it('normaliser — connection failures are retryable', () => {
    const e = normalizeError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(e.code).toBe('unavailable');
    expect(e.retryable).toBe(true);
  });
});
