import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { toExitCode } from './exit-code.js';
import { fromGrpcError } from './grpc-error.js';

const grpcError = (code: status, details: string) => Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });

describe('cli gRPC errors', () => {
  it('grpc error — INVALID_ARGUMENT from intake exits 2 with the field it names', () => {
    const e = fromGrpcError(grpcError(status.INVALID_ARGUMENT, 'message.body: must not be empty'), '127.0.0.1:50051');
    expect(e.code).toBe('invalid_argument');
    expect(e.message).toBe('message.body: must not be empty');
    expect(toExitCode(e)).toBe(2);
  });

  it('grpc error — UNAVAILABLE says which address did not answer and exits 7', () => {
    const e = fromGrpcError(grpcError(status.UNAVAILABLE, 'No connection established'), '127.0.0.1:1');
    expect(e.message).toBe('intake is not reachable at 127.0.0.1:1');
    expect(toExitCode(e)).toBe(7);
  });

  it('grpc error — other statuses map to the matching exit code; unknown ones are internal', () => {
    const exit = (c: status) => toExitCode(fromGrpcError(grpcError(c, 'x'), 'a'));
    expect(exit(status.NOT_FOUND)).toBe(3);
    expect(exit(status.ALREADY_EXISTS)).toBe(4);
    expect(exit(status.PERMISSION_DENIED)).toBe(5);
    expect(exit(status.FAILED_PRECONDITION)).toBe(6);
    expect(exit(status.DEADLINE_EXCEEDED)).toBe(7);
    expect(exit(status.INTERNAL)).toBe(1);
    expect(exit(status.UNKNOWN)).toBe(1);
    expect(toExitCode(fromGrpcError(new TypeError('not from gRPC'), 'a'))).toBe(1);
  });
});
