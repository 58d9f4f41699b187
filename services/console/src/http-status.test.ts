import { describe, expect, it } from 'vitest';
import { ERROR_CODES, HandrailError, PermissionDeniedError, ValidationError } from '@handrail/errors';
import { toHttpError } from './http-status.js';

describe('console HTTP status', () => {
  it('http status — validation errors are 400 naming the field', () => {
    const e = new ValidationError([{ field: 'action', problem: 'must be approve, edit or reject' }]);
    expect(toHttpError(e)).toEqual({
      status: 400,
      body: { error: 'invalid_argument', message: 'action: must be approve, edit or reject', fields: [{ field: 'action', problem: 'must be approve, edit or reject' }] },
    });
    expect(toHttpError(new PermissionDeniedError('not your queue')).status).toBe(403);
    expect(toHttpError(new HandrailError('failed_precondition', 'already decided')).status).toBe(412);
  });

  it('http status — unknown errors are 500 and hide their text from callers', () => {
    expect(toHttpError(new Error('secret detail'))).toEqual({ status: 500, body: { error: 'internal', message: 'internal error' } });
  });

  it('http status — every code of the taxonomy has its own status', () => {
    const statuses = ERROR_CODES.map((c) => toHttpError(new HandrailError(c, c)).status);
    expect(new Set(statuses).size).toBe(ERROR_CODES.length);
  });
});
