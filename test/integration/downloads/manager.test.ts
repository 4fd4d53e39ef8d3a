import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError } from '../../../src-main/downloads/errors';
import { DownloadManager, type DownloadStatus } from '../../../src-main/downloads/manager';
import { partMetaPath, partPath, writePartMeta } from '../../../src-main/downloads/part-file';
import { TestHttpServer } from '../../helpers/http-server';

const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const exists = (p: string) => stat(p).then(() => true, () => false);

let server: TestHttpServer;
let dir: string;

beforeEach(async () => {
  server = await TestHttpServer.start();
  dir = await mkdtemp(path.join(tmpdir(), 'clipwb-dl-'));
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function waitForBytes(manager: DownloadManager, id: string, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (s: DownloadStatus) => {
      if (s.id === id && s.bytesDone >= bytes) {
        manager.off('progress', check);
        resolve();
      }
    };
    manager.on('progress', check);
  });
}

describe('DownloadManager against a real HTTP server', () => {
  it('downloads a file, verifies size and SHA-256, reports progress and leaves no part file', async () => {
    const body = randomBytes(300_000);
    server.addFile('/data/shard.tar', body);
    const manager = new DownloadManager({ retry: FAST_RETRY, progressIntervalMs: 0 });
    const progress: DownloadStatus[] = [];
    manager.on('progress', (s) => progress.push(s));
    const dest = path.join(dir, 'nested', 'shard.tar');
    const id = manager.add({ url: `${server.url}/data/shard.tar`, dest, sha256: sha(body), expectedSize: body.length });
    const result = await manager.wait(id);
    expect(result).toMatchObject({ bytes: body.length, sha256: sha(body), resumedFrom: 0, skipped: false });
    expect((await readFile(dest)).equals(body)).toBe(true);
    expect(await exists(partPath(dest))).toBe(false);
    expect(await exists(partMetaPath(dest))).toBe(false);
    expect(manager.status(id).state).toBe('done');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ bytesDone: body.length, bytesTotal: body.length });
    expect(progress.every((p, i) => i === 0 || p.bytesDone >= (progress[i - 1]?.bytesDone ?? 0))).toBe(true);
  });

  it('resumes a dropped connection with a Range request and ends with the right SHA-256', async () => {
    const body = randomBytes(200_000);
    server.addFile('/f.bin', body, { drop: { afterBytes: 70_000, attempts: [1] } });
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const dest = path.join(dir, 'f.bin');
    const result = await manager.wait(manager.add({ url: `${server.url}/f.bin`, dest, sha256: sha(body) }));
    const reqs = server.requestsFor('/f.bin');
    expect(reqs).toHaveLength(2);
    expect(reqs[0]?.headers.range).toBeUndefined();
    expect(reqs[1]?.headers.range).toBe('bytes=70000-');
    expect(reqs[1]?.headers['if-range']).toMatch(/^"/);
    expect(result.sha256).toBe(sha(body));
    expect(sha(await readFile(dest))).toBe(sha(body));
  });

  it('rejects a wrong checksum and keeps neither the file nor the part', async () => {
    const body = randomBytes(50_000);
    server.addFile('/bad.bin', body);
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const dest = path.join(dir, 'bad.bin');
    const id = manager.add({ url: `${server.url}/bad.bin`, dest, sha256: 'a'.repeat(64) });
    const err = await manager.wait(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).code).toBe('checksum');
    expect((err as DownloadError).message).toContain(sha(body));
    expect(manager.status(id).state).toBe('failed');
    expect(await exists(dest)).toBe(false);
    expect(await exists(partPath(dest))).toBe(false);
    expect(server.requestsFor('/bad.bin')).toHaveLength(1);
  });

  it('retries 500s with back-off and then succeeds', async () => {
    const body = randomBytes(10_000);
    server.addFile('/flaky.bin', body, { failFirst: { count: 2, status: 500 } });
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const retries: number[] = [];
    manager.on('retry', (_s, info) => retries.push(info.failures));
    const result = await manager.wait(manager.add({ url: `${server.url}/flaky.bin`, dest: path.join(dir, 'flaky.bin'), sha256: sha(body) }));
    expect(result.attempts).toBe(3);
    expect(retries).toEqual([1, 2]);
    expect(server.requestsFor('/flaky.bin')).toHaveLength(3);
  });

  it('gives up after maxAttempts consecutive 503s, keeping the message and status', async () => {
    server.addFile('/down.bin', 'x', { failFirst: { count: 100, status: 503 } });
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const err = (await manager.wait(manager.add({ url: `${server.url}/down.bin`, dest: path.join(dir, 'down.bin') })).catch((e: unknown) => e)) as DownloadError;
    expect(err.status).toBe(503);
    expect(err.message).toContain('Gave up after 4 attempts');
    expect(server.requestsFor('/down.bin')).toHaveLength(4);
  });

  it('does not retry a 404, and says which URL and what to check', async () => {
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const url = `${server.url}/missing.bin`;
    const err = (await manager.wait(manager.add({ url, dest: path.join(dir, 'missing.bin') })).catch((e: unknown) => e)) as DownloadError;
    expect(err).toBeInstanceOf(DownloadError);
    expect(err.status).toBe(404);
    expect(err.message).toContain(url);
    expect(err.message).toMatch(/check the URL/i);
    expect(server.requestsFor('/missing.bin')).toHaveLength(1);
  });

  it('pauses (keeping the part) and resumes from where it stopped', async () => {
    const body = randomBytes(150_000);
    server.addFile('/p.bin', body, { stall: { afterBytes: 65_536, attempts: [1] } });
    const manager = new DownloadManager({ retry: FAST_RETRY, progressIntervalMs: 0 });
    const dest = path.join(dir, 'p.bin');
    const id = manager.add({ url: `${server.url}/p.bin`, dest, sha256: sha(body) });
    await waitForBytes(manager, id, 65_536);
    await manager.pause(id);
    expect(manager.status(id).state).toBe('paused');
    expect((await stat(partPath(dest))).size).toBe(65_536);
    expect(await exists(dest)).toBe(false);
    manager.resume(id);
    const result = await manager.wait(id);
    expect(result.sha256).toBe(sha(body));
    expect(server.requestsFor('/p.bin')[1]?.headers.range).toBe('bytes=65536-');
  });

  it('cancel stops the transfer and deletes the part file and its sidecar', async () => {
    const body = randomBytes(150_000);
    server.addFile('/c.bin', body, { stall: { afterBytes: 40_000 } });
    const manager = new DownloadManager({ retry: FAST_RETRY, progressIntervalMs: 0 });
    const dest = path.join(dir, 'c.bin');
    const id = manager.add({ url: `${server.url}/c.bin`, dest });
    const settled = manager.wait(id).catch((e: unknown) => e);
    await waitForBytes(manager, id, 40_000);
    expect(await exists(partPath(dest))).toBe(true);
    await manager.cancel(id);
    expect(((await settled) as DownloadError).code).toBe('cancelled');
    expect(manager.status(id).state).toBe('cancelled');
    expect(await exists(partPath(dest))).toBe(false);
    expect(await exists(partMetaPath(dest))).toBe(false);
    expect(await exists(dest)).toBe(false);
  });

  it('never runs more downloads at once than its concurrency limit', async () => {
    const bodies = [0, 1, 2, 3, 4].map(() => randomBytes(40_000));
    bodies.forEach((b, i) => server.addFile(`/q${i}.bin`, b, { stall: { afterBytes: 1000 } }));
    const manager = new DownloadManager({ concurrency: 2, retry: FAST_RETRY });
    const ids = bodies.map((_b, i) => manager.add({ url: `${server.url}/q${i}.bin`, dest: path.join(dir, `q${i}.bin`) }));
    await server.waitForStalled('/q0.bin');
    await server.waitForStalled('/q1.bin');
    expect(ids.map((id) => manager.status(id).state)).toEqual(['active', 'active', 'queued', 'queued', 'queued']);
    expect(server.inFlight).toBe(2);
    bodies.forEach((_b, i) => server.release(`/q${i}.bin`));
    const results = await Promise.all(ids.map((id) => manager.wait(id)));
    results.forEach((r, i) => expect(r.sha256).toBe(sha(bodies[i] as Buffer)));
    expect(server.maxInFlight).toBe(2);
  });

  it('a new manager (after a restart) resumes from the part file left by the old one', async () => {
    const body = randomBytes(180_000);
    server.addFile('/r.bin', body, { stall: { afterBytes: 50_000, attempts: [1] } });
    const dest = path.join(dir, 'r.bin');
    const spec = { url: `${server.url}/r.bin`, dest, sha256: sha(body), expectedSize: body.length };
    const first = new DownloadManager({ retry: FAST_RETRY, progressIntervalMs: 0 });
    const id = first.add(spec);
    await waitForBytes(first, id, 50_000);
    await first.close();
    expect((await stat(partPath(dest))).size).toBe(50_000);
    expect(JSON.parse(await readFile(partMetaPath(dest), 'utf8'))).toMatchObject({ key: spec.url, sha256: spec.sha256, totalSize: body.length });

    const second = new DownloadManager({ retry: FAST_RETRY });
    const result = await second.wait(second.add(spec));
    expect(result).toMatchObject({ resumedFrom: 50_000, sha256: sha(body), bytes: body.length });
    expect(server.requestsFor('/r.bin').at(-1)?.headers.range).toBe('bytes=50000-');
  });

  it('starts over when the server ignores Range and answers 200', async () => {
    const body = randomBytes(120_000);
    server.addFile('/nr.bin', body, { ignoreRange: true, drop: { afterBytes: 30_000, attempts: [1] } });
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const dest = path.join(dir, 'nr.bin');
    const result = await manager.wait(manager.add({ url: `${server.url}/nr.bin`, dest, sha256: sha(body) }));
    expect(server.requestsFor('/nr.bin')[1]?.headers.range).toBe('bytes=30000-');
    expect(result.sha256).toBe(sha(body));
    expect((await readFile(dest)).equals(body)).toBe(true);
  });

  it('treats 416 for a part that already holds the whole file as complete', async () => {
    const body = randomBytes(20_000);
    server.addFile('/done.bin', body);
    const dest = path.join(dir, 'done.bin');
    const url = `${server.url}/done.bin`;
    await writeFile(partPath(dest), body);
    await writePartMeta(dest, { version: 1, key: url, expectedSize: null, sha256: sha(body), etag: null, lastModified: null, totalSize: null, createdAt: new Date().toISOString() });
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const result = await manager.wait(manager.add({ url, dest, sha256: sha(body) }));
    expect(server.requestsFor('/done.bin')[0]?.headers.range).toBe('bytes=20000-');
    expect(result).toMatchObject({ resumedFrom: 20_000, bytes: 20_000, sha256: sha(body) });
  });

  it('sends If-Range so a file that changed on the server is fetched whole again', async () => {
    const v1 = randomBytes(90_000);
    const v2 = randomBytes(95_000);
    server.addFile('/v.bin', v1, { drop: { afterBytes: 30_000, attempts: [1] } });
    const dest = path.join(dir, 'v.bin');
    const url = `${server.url}/v.bin`;
    const first = new DownloadManager({ retry: { ...FAST_RETRY, maxAttempts: 1 } });
    await first.wait(first.add({ url, dest })).catch(() => undefined);
    expect((await stat(partPath(dest))).size).toBe(30_000);
    server.addFile('/v.bin', v2);
    const second = new DownloadManager({ retry: FAST_RETRY });
    const result = await second.wait(second.add({ url, dest }));
    expect(server.requestsFor('/v.bin').at(-1)?.headers['if-range']).toBeDefined();
    expect(result.sha256).toBe(sha(v2));
  });

  it('skips a file that is already complete at its destination', async () => {
    const body = randomBytes(5000);
    const dest = path.join(dir, 'have.bin');
    await writeFile(dest, body);
    const manager = new DownloadManager();
    const result = await manager.wait(manager.add({ url: `${server.url}/never-asked.bin`, dest, sha256: sha(body) }));
    expect(result.skipped).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('fails on a size that differs from the expected one, without retrying', async () => {
    server.addFile('/sz.bin', randomBytes(1000));
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const dest = path.join(dir, 'sz.bin');
    const err = (await manager.wait(manager.add({ url: `${server.url}/sz.bin`, dest, expectedSize: 999 })).catch((e: unknown) => e)) as DownloadError;
    expect(err.code).toBe('size');
    expect(server.requestsFor('/sz.bin')).toHaveLength(1);
    expect(await exists(partPath(dest))).toBe(false);
  });

  it('rejects an HTML page when file data is expected', async () => {
    server.addFile('/login', '<html><body>Sign in</body></html>', { contentType: 'text/html; charset=utf-8' });
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const err = (await manager.wait(manager.add({ url: `${server.url}/login`, dest: path.join(dir, 'x.tar'), rejectHtml: true })).catch((e: unknown) => e)) as DownloadError;
    expect(err.code).toBe('html');
  });

  it('follows redirects and drops the Authorization header when the redirect leaves the origin', async () => {
    const cdn = await TestHttpServer.start();
    try {
      const body = randomBytes(30_000);
      cdn.addFile('/blob', body);
      server.redirect('/file', `${cdn.url}/blob?sig=1`);
      const manager = new DownloadManager({ retry: FAST_RETRY });
      const result = await manager.wait(manager.add({ url: `${server.url}/file`, dest: path.join(dir, 'file'), headers: { authorization: 'Bearer secret' } }));
      expect(result.sha256).toBe(sha(body));
      expect(server.requestsFor('/file')[0]?.headers.authorization).toBe('Bearer secret');
      expect(cdn.requestsFor('/blob')[0]?.headers.authorization).toBeUndefined();
    } finally {
      await cdn.close();
    }
  });

  it('refuses a second download to the same destination while the first is running', async () => {
    server.addFile('/d.bin', randomBytes(50_000), { stall: { afterBytes: 1000 } });
    const manager = new DownloadManager();
    const dest = path.join(dir, 'd.bin');
    const id = manager.add({ url: `${server.url}/d.bin`, dest });
    expect(() => manager.add({ url: `${server.url}/d.bin`, dest })).toThrow(/already being downloaded/);
    await manager.cancel(id);
  });
});
