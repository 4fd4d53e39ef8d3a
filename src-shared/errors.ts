/**
 * One base class for every error the workbench raises on purpose. It carries what a front end needs to
 * present it without parsing the message: the `kind` (which decides the HTTP status and the CLI exit
 * code), the `field` at fault (a flag, an API field, a file), and the `fix` (what to do instead).
 * Errors that are not WorkbenchErrors are bugs or failures of the system underneath (500 / exit 1).
 */
export type ErrorKind =
  /** The input is wrong: a value, a combination, a file's contents. The user can fix it. */
  | 'invalid'
  /** A run, checkpoint, dataset, file or model that was named does not exist. */
  | 'not-found'
  /** The request is valid but not in the current state (a run still running, a name taken). */
  | 'conflict'
  /** Something needed is missing from this machine or out of resources (a backend, memory, a library). */
  | 'unavailable'
  /** Failed inside: a bug, a corrupt store, a crashed worker. */
  | 'internal';

export interface WorkbenchErrorOptions {
  kind?: ErrorKind;
  field?: string;
  fix?: string;
  cause?: unknown;
}

export class WorkbenchError extends Error {
  readonly kind: ErrorKind;
  readonly field: string | undefined;
  readonly fix: string | undefined;

  constructor(message: string, options: WorkbenchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = options.kind ?? 'invalid';
    this.field = options.field;
    this.fix = options.fix;
  }
}

export function isWorkbenchError(err: unknown): err is WorkbenchError {
  return err instanceof WorkbenchError;
}

const HTTP_STATUS: Record<ErrorKind, number> = { invalid: 400, 'not-found': 404, conflict: 409, unavailable: 503, internal: 500 };
/** CLI exit codes: 2 for input the user can correct (as for usage errors), 1 for everything else. */
const EXIT_CODE: Record<ErrorKind, number> = { invalid: 2, 'not-found': 1, conflict: 1, unavailable: 1, internal: 1 };

export function httpStatusOf(err: unknown): number {
  return isWorkbenchError(err) ? HTTP_STATUS[err.kind] : 500;
}

export function exitCodeOf(err: unknown): number {
  return isWorkbenchError(err) ? EXIT_CODE[err.kind] : 1;
}

/** The kind an HTTP status stands for, for errors that arrive as a status (a transport's own refusals, a remote answer). */
export function kindOfStatus(status: number): ErrorKind {
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 503) return 'unavailable';
  return status >= 400 && status < 500 ? 'invalid' : 'internal';
}

/** The message to show a person: the error's message, then its fix when the message does not already say it. */
export function messageWithFix(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const fix = (err as { fix?: unknown } | null)?.fix;
  return typeof fix === 'string' && fix && !message.includes(fix) ? `${message}. ${fix}` : message;
}

export const ERROR_KINDS: readonly ErrorKind[] = ['invalid', 'not-found', 'conflict', 'unavailable', 'internal'];
