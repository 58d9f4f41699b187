import { HandrailError } from '@handrail/errors';
import { assertToken } from '@handrail/events';

/** A usage mistake: exit code 2 with the message and a pointer to --help. */
export class UsageError extends HandrailError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('invalid_argument', message);
  }
}

export function printTable(rows: Array<Record<string, string>>, columns: string[]): string {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))].join('\n');
}

/** Refuses positional arguments beyond the first `max`: a typo must not be silently ignored. */
export function noExtraArgs(positionals: readonly string[], max: number): void {
  const extra = positionals[max];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
}

/** The ticket id positional argument (the only one), checked before anything touches the bus. */
export function ticketIdArg(positionals: readonly string[]): string {
  const id = positionals[0];
  if (!id) throw new UsageError('a ticket id is required');
  noExtraArgs(positionals, 1);
  try {
    return assertToken('ticket id', id);
  } catch {
    throw new UsageError(`"${id}" is not a ticket id`);
  }
}
