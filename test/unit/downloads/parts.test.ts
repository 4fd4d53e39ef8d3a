import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src-main/downloads/backoff';
import { parseContentRange } from '../../../src-main/downloads/content-range';
import { CookieJar } from '../../../src-main/downloads/cookie-jar';
import { httpStatusError, parseRetryAfter } from '../../../src-main/downloads/errors';
import { ProgressMeter } from '../../../src-main/downloads/progress';

describe('parseContentRange', () => {
  it('reads ranges, unknown totals and the 416 form', () => {
    expect(parseContentRange('bytes 100-199/1000')).toEqual({ start: 100, end: 199, total: 1000 });
    expect(parseContentRange('bytes 0-9/*')).toEqual({ start: 0, end: 9, total: null });
    expect(parseContentRange('bytes */1000')).toEqual({ start: null, end: null, total: 1000 });
    expect(parseContentRange('items 1-2/3')).toBeNull();
    expect(parseContentRange(undefined)).toBeNull();
  });
});

describe('backoffDelay', () => {
  const policy = { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 30_000 };
  it('doubles per failure, capped, with jitter in the upper half', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(3, policy, () => 0)).toBe(2000);
    expect(backoffDelay(20, policy, () => 1)).toBe(30_000);
  });
});

describe('errors', () => {
  it('says what to do per status and marks only transient ones retryable', () => {
    expect(httpStatusError(404, 'http://x/a').retryable).toBe(false);
    expect(httpStatusError(403, 'http://x/a').message).toMatch(/^HTTP 403 for http:\/\/x\/a\. Access denied/);
    expect(httpStatusError(503, 'http://x/a').retryable).toBe(true);
    expect(httpStatusError(429, 'http://x/a', { retryAfter: '7' })).toMatchObject({ retryable: true, retryAfterSeconds: 7 });
    expect(httpStatusError(404, 'http://x/a', { serverMessage: 'Entry not found' }).message).toMatch(/Server said: Entry not found\.$/);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('120')).toBe(120);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(30);
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

describe('ProgressMeter', () => {
  it('computes rate over its window and ETA from the remaining bytes', () => {
    const meter = new ProgressMeter(5000, 250);
    meter.update(1000, 11_000, 0, 0);
    meter.update(3000, 11_000, 2000, 1000);
    meter.update(5000, 11_000, 4000, 2000);
    expect(meter.figures()).toEqual({ bytesDone: 5000, bytesTotal: 11_000, rateBytesPerSec: 2000, etaSeconds: 3 });
    // Old samples leave the window: a stall shows as a falling rate.
    meter.update(5000, 11_000, 4000, 9000);
    expect(meter.figures().rateBytesPerSec).toBeLessThan(2000);
  });

  it('throttles emissions', () => {
    const meter = new ProgressMeter(5000, 250);
    expect([0, 100, 249, 250, 400, 600].map((t) => meter.shouldEmit(t))).toEqual([true, false, false, true, false, true]);
  });

  it('has no rate or ETA before it can measure, and no ETA without a total', () => {
    const meter = new ProgressMeter();
    meter.update(10, null, 10, 0);
    expect(meter.figures()).toEqual({ bytesDone: 10, bytesTotal: null, rateBytesPerSec: null, etaSeconds: null });
  });
});

describe('CookieJar', () => {
  it('stores per host and finds the Drive warning cookie', () => {
    const jar = new CookieJar();
    jar.store('https://drive.usercontent.google.com/download?id=1', ['download_warning_123_abc=tok; Path=/; HttpOnly', 'NID=5; Domain=.google.com']);
    expect(jar.headerFor('https://drive.usercontent.google.com/download')).toBe('download_warning_123_abc=tok; NID=5');
    expect(jar.headerFor('https://cdn.example.com/x')).toBeNull();
    expect(jar.find('https://drive.usercontent.google.com/', 'download_warning')).toEqual({ name: 'download_warning_123_abc', value: 'tok' });
  });
});
