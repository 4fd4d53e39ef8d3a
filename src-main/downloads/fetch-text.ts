/**
 * Small GETs whose answer we read whole (hub API JSON, Drive HTML pages), with the same redirect and
 * header rules as file downloads and retries on network errors and 5xx.
 */
import { backoffDelay, DEFAULT_RETRY, sleep, type RetryPolicy } from './backoff';
import type { CookieJar } from './cookie-jar';
import { DownloadError } from './errors';
import { openGet } from './http-get';

export interface FetchedText {
  status: number;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface FetchTextOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  cookies?: CookieJar;
  retry?: RetryPolicy;
  /** Refuse bodies larger than this (a listing, not a file). Default 32 MiB. */
  maxBytes?: number;
}

/** Any status is returned (the caller knows what a 401 means for its source); network errors and 5xx are retried first. */
export async function fetchText(url: string, options: FetchTextOptions = {}): Promise<FetchedText> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  for (let failures = 1; ; failures++) {
    try {
      const res = await openGet(url, {
        headers: { 'accept-encoding': 'identity', ...(options.headers ?? {}) },
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.cookies ? { cookies: options.cookies } : {}),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) {
          res.body.destroy();
          throw new DownloadError('invalid', `${url} answered more than ${maxBytes} bytes where a page or listing was expected.`, { url });
        }
        chunks.push(chunk);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (res.status >= 500 && failures < retry.maxAttempts) {
        await sleep(backoffDelay(failures, retry), options.signal);
        continue;
      }
      return { status: res.status, url: res.url, headers: res.headers, text };
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      const retryable = err instanceof DownloadError ? err.retryable : true;
      if (!retryable || failures >= retry.maxAttempts) throw err;
      await sleep(backoffDelay(failures, retry), options.signal);
    }
  }
}

export function headerValue(headers: FetchedText['headers'], name: string): string | null {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}
