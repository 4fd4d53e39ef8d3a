/**
 * Download failures carry what a user needs: what went wrong, the URL, the HTTP status, and whether
 * trying again could help. `retryable` drives the retry loop: network errors, 5xx, 408 and 429 are;
 * other 4xx, checksum and size mismatches are not (retrying would fetch the same wrong answer).
 */
import { WorkbenchError, type ErrorKind } from '../../src-shared/errors';

export type DownloadErrorCode =
  | 'http' // a non-success HTTP status
  | 'network' // connection refused/reset/timed out, body cut short
  | 'checksum' // SHA-256 differs from the expected one
  | 'size' // size differs from the expected one
  | 'html' // an HTML page where file data was expected (login, quota, confirmation page)
  | 'refused' // the source refused (Drive quota exceeded / access denied)
  | 'redirect' // too many or invalid redirects
  | 'invalid' // bad input (URL, path, checksum format)
  | 'io' // local disk error
  | 'cancelled';

/** What a download failure means to a caller: bad input, a missing file, or a source or disk that failed. */
function kindOfDownload(code: DownloadErrorCode, status: number | null | undefined): ErrorKind {
  if (code === 'invalid') return 'invalid';
  if (code === 'cancelled') return 'conflict';
  if (code === 'http' && status === 404) return 'not-found';
  return 'unavailable';
}

export class DownloadError extends WorkbenchError {
  override readonly name = 'DownloadError';
  readonly code: DownloadErrorCode;
  readonly url: string | null;
  readonly status: number | null;
  readonly retryable: boolean;
  /** Seconds the server asked us to wait (Retry-After), if any. */
  readonly retryAfterSeconds: number | null;

  constructor(
    code: DownloadErrorCode,
    message: string,
    details: { url?: string | null; status?: number | null; retryable?: boolean; retryAfterSeconds?: number | null; cause?: unknown } = {},
  ) {
    super(message, { kind: kindOfDownload(code, details.status), cause: details.cause });
    this.code = code;
    this.url = details.url ?? null;
    this.status = details.status ?? null;
    this.retryable = details.retryable ?? false;
    this.retryAfterSeconds = details.retryAfterSeconds ?? null;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** An error for a non-success status, with what to do about it. `hint` replaces the generic advice. */
export function httpStatusError(
  status: number,
  url: string,
  options: { hint?: string; retryAfter?: string | string[]; serverMessage?: string } = {},
): DownloadError {
  const advice =
    options.hint ??
    (status === 401 || status === 403
      ? 'Access denied: the file is private or gated, or needs a token. Check the URL and your credentials.'
      : status === 404
        ? 'Not found: check the URL (and, for a hub file, the repository, revision and path).'
        : status === 416
          ? 'The server rejected the byte range: the file changed on the server; the download restarts from the beginning.'
          : status === 429
            ? 'Rate limited: the download is retried after a pause; if it keeps failing, wait a few minutes.'
            : status >= 500
              ? 'Server error: retried with back-off; if it persists the server is down, try later.'
              : 'Unexpected answer from the server.');
  const server = options.serverMessage ? ` Server said: ${options.serverMessage}.` : '';
  return new DownloadError('http', `HTTP ${status} for ${url}. ${advice}${server}`, {
    url,
    status,
    retryable: isRetryableStatus(status),
    retryAfterSeconds: parseRetryAfter(options.retryAfter),
  });
}
