/**
 * Errors raised by the store. `code` lets callers (transports, CLI) branch without parsing messages;
 * the message itself names the table, field or file and says how to fix it.
 */
export type StoreErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'SCHEMA_TOO_NEW'
  | 'SCHEMA_OUTDATED'
  | 'NOT_A_DATABASE'
  | 'CORRUPT_ROW';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True for SQLite constraint failures (UNIQUE, FOREIGN KEY, CHECK), which better-sqlite3 reports by code. */
export function isConstraintError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}
