/**
 * One HTTP(S) GET with redirects followed by hand, so that we decide what travels to the next hop:
 * Authorization and Cookie headers are dropped when a redirect leaves the origin (the Hugging Face hub
 * redirects LFS files to a CDN with a signed URL, which rejects or must not see the token).
 * Built on node:http(s) rather than fetch: we need the raw body stream to count, hash and cut it.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { CookieJar } from './cookie-jar';
import { DownloadError } from './errors';

export interface OpenGetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Default 10. */
  maxRedirects?: number;
  /** The socket may stay silent this long (connect, headers, body) before the request fails. Default 30000. */
  idleTimeoutMs?: number;
  cookies?: CookieJar;
}

export interface OpenedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  url: string;
  body: IncomingMessage;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie'];

export async function openGet(url: string, options: OpenGetOptions = {}): Promise<OpenedResponse> {
  const maxRedirects = options.maxRedirects ?? 10;
  let current = parseHttpUrl(url);
  const firstOrigin = current.origin;
  let headers = { ...(options.headers ?? {}) };
  for (let hop = 0; ; hop++) {
    if (current.origin !== firstOrigin) headers = withoutHeaders(headers, ORIGIN_BOUND_HEADERS);
    const cookie = options.cookies?.headerFor(current.href);
    const res = await requestOnce(current, cookie ? { ...headers, cookie } : headers, options);
    options.cookies?.store(current.href, res.headers['set-cookie']);
    const status = res.statusCode ?? 0;
    if (!REDIRECTS.has(status)) return { status, headers: res.headers, url: current.href, body: res };
    res.resume();
    const location = res.headers.location;
    if (!location) throw new DownloadError('redirect', `HTTP ${status} without a Location header from ${current.href}.`, { url: current.href, status, retryable: true });
    if (hop >= maxRedirects) throw new DownloadError('redirect', `More than ${maxRedirects} redirects starting from ${url}; the server is looping.`, { url, status });
    current = parseHttpUrl(new URL(location, current).href);
  }
}

export function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DownloadError('invalid', `Not a valid URL: "${url}". Give a full http:// or https:// address.`, { url });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DownloadError('invalid', `Only http:// and https:// downloads are supported, got "${parsed.protocol}" in ${url}.`, { url });
  }
  return parsed;
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())));
}

function requestOnce(url: URL, headers: Record<string, string>, options: OpenGetOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const signal = options.signal;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method: 'GET', headers: { 'user-agent': 'clip-workbench', ...headers } }, (res) => {
      signal?.removeEventListener('abort', onAbort);
      // From here on the caller owns the body; an abort destroys it through the caller's signal handling.
      if (signal) {
        const destroyBody = () => res.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        signal.addEventListener('abort', destroyBody, { once: true });
        res.once('close', () => signal.removeEventListener('abort', destroyBody));
      }
      resolve(res);
    });
    const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.setTimeout(options.idleTimeoutMs ?? 30_000, () => {
      req.destroy(new DownloadError('network', `No data from ${url.href} for ${(options.idleTimeoutMs ?? 30_000) / 1000} s.`, { url: url.href, retryable: true }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(signal.reason);
      else if (err instanceof DownloadError) reject(err);
      else reject(new DownloadError('network', `Could not reach ${url.href}: ${err.code ?? err.message}. Check the network; the download is retried.`, { url: url.href, retryable: true, cause: err }));
    });
    req.end();
  });
}
