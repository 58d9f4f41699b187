import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, HandrailError, NotFoundError, PermissionDeniedError, UnavailableError, ValidationError } from '@handrail/errors';
import { cliError, toExitCode } from './exit-code.js';
import { UsageError } from './io.js';

describe('cli exit codes', () => {
  it('exit code — each code of the taxonomy has its exit code; usage mistakes are 2', () => {
    expect(toExitCode(new ValidationError([{ field: 'message.body', problem: 'must not be empty' }]))).toBe(2);
    expect(toExitCode(new UsageError('a ticket id is required'))).toBe(2);
    expect(toExitCode(new NotFoundError('no events for ticket t-1'))).toBe(3);
    expect(toExitCode(new HandrailError('already_exists', 'x'))).toBe(4);
    expect(toExitCode(new PermissionDeniedError('self-approval is not allowed'))).toBe(5);
    expect(toExitCode(new HandrailError('failed_precondition', 'x'))).toBe(6);
    expect(toExitCode(new UnavailableError('cannot reach NATS'))).toBe(7);
    expect(toExitCode(new HandrailError('deadline_exceeded', 'x'))).toBe(7);
    expect(ERROR_CODES.every((c) => Number.isInteger(toExitCode(new HandrailError(c, c))))).toBe(true);
  });

  it('exit code — unknown errors are internal (1); connection failures are unavailable (7)', () => {
    expect(toExitCode(new TypeError('x is undefined'))).toBe(1);
    expect(toExitCode(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(7);
  });

  it('exit code — parseArgs mistakes are usage errors with the parser\'s reason (issue 9)', () => {
    const parse = (args: string[]) => () => parseArgs({ args, options: { limit: { type: 'string' }, json: { type: 'boolean' } } });
    for (const args of [['--bogus'], ['--limit'], ['--json=yes'], ['stray']]) {
      let caught: unknown;
      try {
        parse(args)();
      } catch (err) {
        caught = err;
      }
      const e = cliError(caught);
      expect(e).toBeInstanceOf(UsageError);
      expect(e.message).toBe((caught as Error).message);
      expect(toExitCode(caught)).toBe(2);
    }
  });
});
