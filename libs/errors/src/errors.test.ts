import { describe, expect, it } from 'vitest';
import { ERROR_CODES, HandrailError, normalizeError, ValidationError } from './index.js';

describe('errors', () => {
  it('normaliser — validation errors name the field and are not retryable', () => {
    const e = new ValidationError([{ field: 'message.body', problem: 'must not be empty' }]);
    expect(e.code).toBe('invalid_argument');
    expect(e.message).toBe('message.body: must not be empty');
    expect(e.fields).toEqual([{ field: 'message.body', problem: 'must not be empty' }]);
    expect(e.retryable).toBe(false);
    expect(normalizeError(e)).toBe(e);
  });

  it('normaliser — unknown errors become internal, keeping the original as the cause', () => {
    const original = new TypeError('x is undefined');
    const e = normalizeError(original);
    expect(e).toBeInstanceOf(HandrailError);
    expect(e.code).toBe('internal');
    expect(e.retryable).toBe(false);
    expect(e.cause).toBe(original);
  });

  it('normaliser — connection failures are retryable', () => {
    const e = normalizeError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(e.code).toBe('unavailable');
    expect(e.retryable).toBe(true);
  });

  it('taxonomy — only unavailable and deadline_exceeded are retryable', () => {
    expect(ERROR_CODES.filter((c) => new HandrailError(c, 'x').retryable)).toEqual(['unavailable', 'deadline_exceeded']);
  });
});
