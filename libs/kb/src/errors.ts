import { HandrailError } from '@handrail/errors';

/** Raised for an article whose front matter or structure is unusable; names the file and field. */
export class ArticleFormatError extends HandrailError {
  override readonly name = 'ArticleFormatError';
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super('invalid_argument', `${file}: ${field}: ${problem}`, [{ field: `${file}:${field}`, problem }]);
  }
}

/** Raised when a snapshot does not have the expected shape or its revision does not match its contents. */
export class SnapshotError extends HandrailError {
  override readonly name = 'SnapshotError';
  constructor(message: string) {
    super('invalid_argument', message);
  }
}
