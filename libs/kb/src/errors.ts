/**
 * Raised for an article whose front matter or structure is unusable. Shaped like the project's
 * error taxonomy (`code`, `retryable`) so a boundary normaliser can map it without knowing this lib.
 */
export class ArticleFormatError extends Error {
  override readonly name = 'ArticleFormatError';
  readonly code = 'invalid_argument' as const;
  readonly retryable = false;
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field}: ${problem}`);
  }
}

/** Raised when a snapshot does not have the expected shape or its revision does not match its contents. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  readonly code = 'invalid_argument' as const;
  readonly retryable = false;
}
