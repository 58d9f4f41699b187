import { normalizeError, type ErrorCode, type HandrailError } from '@handrail/errors';
import { UsageError } from './io.js';

const EXIT: Record<ErrorCode, number> = {
  invalid_argument: 2,
  not_found: 3,
  already_exists: 4,
  permission_denied: 5,
  failed_precondition: 6,
  unavailable: 7,
  deadline_exceeded: 7,
  internal: 1,
  unauthenticated: 8,
};

/** node:util parseArgs rejects unknown flags and bad values with a TypeError coded ERR_PARSE_ARGS_*. */
function isParseArgsError(err: unknown): err is TypeError {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** The CLI's normaliser: argument-parser mistakes are usage errors, the rest goes through the taxonomy. */
export function cliError(err: unknown): HandrailError {
  if (isParseArgsError(err)) return new UsageError(err.message);
  return normalizeError(err);
}

/** The one place errors become process exit codes. */
export function toExitCode(err: unknown): number {
  return EXIT[cliError(err).code];
}
