import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError } from '../../../src-main/downloads/errors';
import { DownloadManager } from '../../../src-main/downloads/manager';
import { partPath } from '../../../src-main/downloads/part-file';
import { driveFolderSpecs, listDriveFolder, resolveDriveFileUrl } from '../../../src-main/downloads/sources/gdrive';
import type { DriveEndpoints } from '../../../src-main/downloads/sources/gdrive-endpoints';
import { TestHttpServer } from '../../helpers/http-server';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const FOLDER = '1SEhMped23ACVRzNIdgo4aI81rONqnbzi';

let server: TestHttpServer;
let dir: string;
let endpoints: DriveEndpoints;

beforeEach(async () => {
  server = await TestHttpServer.start();
  dir = await mkdtemp(path.join(tmpdir(), 'clipwb-drive-'));
  endpoints = { drive: server.url, usercontent: server.url };
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Google Drive source against an emulated Drive', () => {
  it('lists the folder from its page and downloads large parts through the confirmation interstitial, resuming a drop', async () => {
    const part0 = randomBytes(80_000);
    const part1 = randomBytes(50_000);
    server.addDriveFolder(FOLDER, [
      { id: '1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', name: 'part00.tar', content: part0, large: true, options: { drop: { afterBytes: 20_000, attempts: [1] } } },
      { id: '1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', name: 'part01.tar', content: part1 },
    ]);
    const listing = await listDriveFolder(`https://drive.google.com/drive/folders/${FOLDER}?usp=sharing`, endpoints);
    expect(listing.files.map((f) => f.name)).toEqual(['part00.tar', 'part01.tar']);

    const { specs } = await driveFolderSpecs(FOLDER, dir, endpoints);
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const results = await Promise.all(specs.map((s) => manager.wait(manager.add(s))));
    expect(results.map((r) => r.sha256)).toEqual([sha(part0), sha(part1)]);
    expect((await readFile(path.join(dir, 'part00.tar'))).equals(part0)).toBe(true);

    const downloads = server.requestsFor('/download');
    // part00: interstitial, confirmed download (dropped), interstitial again, confirmed resume from 20000.
    const confirmed = downloads.filter((r) => r.url.includes('confirm=t') && r.url.includes('1aaaa'));
    expect(confirmed).toHaveLength(2);
    expect(confirmed[1]?.headers.range).toBe('bytes=20000-');
    expect(confirmed[0]?.headers.cookie).toMatch(/download_warning_/);
  });

  it('fails with a clear message when Drive refuses: quota exceeded, and access denied', async () => {
    server.addDriveFolder(FOLDER, [
      { id: '1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq', name: 'part02.tar', content: 'x', large: true, refuse: 'quota' },
      { id: '1pppppppppppppppppppppppppppppppp', name: 'part03.tar', content: 'x', refuse: 'access' },
    ]);
    const { specs } = await driveFolderSpecs(FOLDER, dir, endpoints);
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const [quota, access] = (await Promise.all(specs.map((s) => manager.wait(manager.add(s)).catch((e: unknown) => e)))) as DownloadError[];
    expect(quota).toBeInstanceOf(DownloadError);
    expect(quota?.code).toBe('refused');
    expect(quota?.message).toMatch(/part02\.tar.*download quota is exceeded/);
    expect(access?.code).toBe('refused');
    expect(access?.message).toMatch(/not shared publicly/);
    // Refusals are final: one request each, no retries.
    expect(server.requestsFor('/download').filter((r) => r.url.includes('1qqq'))).toHaveLength(1);
    await expect(stat(partPath(path.join(dir, 'part02.tar')))).rejects.toThrow();
  });

  it('explains a quota page met after the confirmation step, where data was expected', async () => {
    server.addDriveFolder(FOLDER, [{ id: '1rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr', name: 'part04.tar', content: 'x', refuse: 'quota-after-confirm' }]);
    const { specs } = await driveFolderSpecs(FOLDER, dir, endpoints);
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const err = (await manager.wait(manager.add(specs[0] as NonNullable<(typeof specs)[0]>)).catch((e: unknown) => e)) as DownloadError;
    expect(err.code).toBe('refused');
    expect(err.message).toMatch(/part04\.tar.*quota is exceeded/);
    await expect(stat(path.join(dir, 'part04.tar'))).rejects.toThrow();
  });

  it('says so when Drive answers an HTML page it cannot interpret', async () => {
    server.addHandler('/download', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><head><title>Something new</title></head><body>layout changed</body></html>');
    });
    const err = (await resolveDriveFileUrl('1zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', endpoints).catch((e: unknown) => e)) as DownloadError;
    expect(err.code).toBe('html');
    expect(err.message).toMatch(/HTML page \("Something new"\) instead of the data/);
  });

  it('reports a folder it cannot read', async () => {
    server.addHandler(`/drive/folders/${FOLDER}`, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>nothing here</body></html>');
    });
    await expect(listDriveFolder(FOLDER, endpoints)).rejects.toThrow(/Could not read the file list of Google Drive folder/);
    await expect(listDriveFolder('not a folder', endpoints)).rejects.toThrow(/not a Google Drive folder id or link/);
  });
});
