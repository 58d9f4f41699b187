import { HandrailError } from '@handrail/errors';

/** A data file that cannot be used, pointing at the line that broke it: the operator's input. */
export class DatasetError extends HandrailError {
  override readonly name = 'DatasetError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    const where = line > 0 ? `${file}:${line}` : file;
    super('invalid_argument', `${where}: ${reason}`, [{ field: where, problem: reason }]);
  }
}
