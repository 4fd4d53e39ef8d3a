/**
 * Errors raised by the store. `code` lets callers (transports, CLI) branch without parsing messages;
 * the message itself names the table, field or file and says how to fix it.
 */
import { WorkbenchError, type ErrorKind } from '../../src-shared/errors';

export type StoreErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'SCHEMA_TOO_NEW'
  | 'SCHEMA_OUTDATED'
  | 'NOT_A_DATABASE'
  | 'CORRUPT_ROW';

const KIND: Record<StoreErrorCode, ErrorKind> = {
  INVALID_INPUT: 'invalid',
  NOT_FOUND: 'not-found',
  CONFLICT: 'conflict',
  // The database needs another build, or one read-write open to upgrade it: not the request's fault.
  SCHEMA_TOO_NEW: 'unavailable',
  SCHEMA_OUTDATED: 'unavailable',
  NOT_A_DATABASE: 'internal',
  CORRUPT_ROW: 'internal',
};

export class StoreError extends WorkbenchError {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown; field?: string }) {
    super(message, { kind: KIND[code], cause: options?.cause, field: options?.field });
    this.code = code;
  }
}

/** True for SQLite constraint failures (UNIQUE, FOREIGN KEY, CHECK), which better-sqlite3 reports by code. */
export function isConstraintError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}
