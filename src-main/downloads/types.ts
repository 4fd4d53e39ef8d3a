import type { CookieJar } from './cookie-jar';

export interface DownloadSpec {
  url: string;
  /** Absolute path of the finished file. */
  dest: string;
  expectedSize?: number | null;
  /** Lower-case hex SHA-256 of the whole file. */
  sha256?: string | null;
  /** Extra request headers (e.g. Authorization for the hub). Never written to disk. */
  headers?: Record<string, string>;
  /**
   * What the `.part` belongs to, when the URL itself changes between attempts (a Drive confirmation
   * token, a signed URL). Default: the URL.
   */
  resumeKey?: string;
  /** Fail when the server answers with an HTML page instead of file data. */
  rejectHtml?: boolean;
  /** With rejectHtml: turns the page into a precise error (a quota page, a sign-in page); null = generic. */
  explainHtml?: (html: string, url: string) => Error | null;
  cookies?: CookieJar;
  /**
   * Called before every request to get the URL to fetch now (and extra headers), for sources whose
   * download URL is short-lived (Google Drive's confirmation step). `url` stays the identity shown to
   * users; give a `resumeKey` too. A DownloadError thrown here (e.g. quota exceeded) ends the download.
   */
  resolve?: (signal?: AbortSignal) => Promise<{ url: string; headers?: Record<string, string> }>;
}

export interface DownloadResult {
  dest: string;
  bytes: number;
  sha256: string;
  /** Bytes that were already on disk in the part file when this download (re)started. */
  resumedFrom: number;
  /** HTTP requests made, retries included. */
  attempts: number;
  /** The finished file was already there and matched; nothing was fetched. */
  skipped: boolean;
}
