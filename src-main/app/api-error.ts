/**
 * How any error leaves the API (web server, Electron IPC): an ApiError passes through; a WorkbenchError
 * keeps its name, field and fix and gets the status its kind stands for; anything else is a failure
 * inside (500). Nothing is read from names or messages.
 */
import { ApiError } from '../../src-shared/api/contract';
import { httpStatusOf, isWorkbenchError } from '../../src-shared/errors';

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isWorkbenchError(err)) {
    return new ApiError(httpStatusOf(err), err.message, err.field, err.name, { kind: err.kind, ...(err.fix ? { fix: err.fix } : {}) });
  }
  const e = err as Error | null | undefined;
  return new ApiError(500, e?.message ?? String(err), undefined, e?.name ?? 'Error', { kind: 'internal' });
}
