import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError } from '../../../src-main/downloads/errors';
import { DownloadManager } from '../../../src-main/downloads/manager';
import { evalsetDownloadSpecs } from '../../../src-main/downloads/sources/hf-evalsets';
import { hubConfigFromEnv, hubDownloadSpecs, listHubFiles, resolveHubRevision } from '../../../src-main/downloads/sources/hf-hub';
import { TestHttpServer } from '../../helpers/http-server';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

let server: TestHttpServer;
let dir: string;

beforeEach(async () => {
  server = await TestHttpServer.start();
  dir = await mkdtemp(path.join(tmpdir(), 'clipwb-hub-'));
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Hugging Face hub source against an emulated hub', () => {
  it('lists a dataset repo recursively across pages, with LFS sha256 and sizes, and downloads the eval set', async () => {
    const tar0 = randomBytes(40_000);
    const tar1 = randomBytes(30_000);
    await server.addHubRepo({
      repo: 'djghosh/wds_vtab-cifar10_test',
      type: 'dataset',
      files: [
        { path: 'classnames.txt', content: 'airplane\nautomobile\n' },
        { path: 'zeroshot_classification_templates.txt', content: 'a photo of a {c}.\n' },
        { path: 'README.md', content: '# readme' },
        { path: 'test/nshards.txt', content: '2\n' },
        { path: 'test/0.tar', content: tar0, lfs: true },
        { path: 'test/1.tar', content: tar1, lfs: true },
      ],
      // The first tar breaks off once, on the CDN.
      fileOptions: { 'test/0.tar': { drop: { afterBytes: 10_000, attempts: [1] } } },
    });
    const hub = hubConfigFromEnv({ HF_ENDPOINT: `${server.url}/` });
    expect(hub).toEqual({ endpoint: server.url, token: null });

    const { files, specs, dir: setDir } = await evalsetDownloadSpecs('vtab/cifar10', dir, hub);
    expect(setDir).toBe(path.join(dir, 'wds_vtab-cifar10_test'));
    expect(files.map((f) => f.path).sort()).toEqual(['classnames.txt', 'test/0.tar', 'test/1.tar', 'test/nshards.txt', 'zeroshot_classification_templates.txt']);
    expect(files.find((f) => f.path === 'test/0.tar')).toEqual({ path: 'test/0.tar', size: tar0.length, sha256: sha(tar0), lfs: true });
    expect(files.find((f) => f.path === 'classnames.txt')?.sha256).toBeNull();
    // Two entries per page in the emulator: the listing needed several pages.
    expect(server.requests.filter((r) => r.path.includes('/tree/')).length).toBeGreaterThan(2);

    const manager = new DownloadManager({ retry: FAST_RETRY });
    const results = await Promise.all(specs.map((s) => manager.wait(manager.add(s))));
    expect(results.every((r) => r.bytes > 0)).toBe(true);
    expect(sha(await readFile(path.join(setDir, 'test', '0.tar')))).toBe(sha(tar0));
    expect(await readFile(path.join(setDir, 'classnames.txt'), 'utf8')).toBe('airplane\nautomobile\n');
    const cdnRequests = server.hubCdn?.requests ?? [];
    expect(cdnRequests.some((r) => r.headers.range === 'bytes=10000-')).toBe(true);
  });

  it('sends HF_TOKEN to the hub but not to the CDN it redirects to', async () => {
    const weights = randomBytes(20_000);
    await server.addHubRepo({ repo: 'org/private-model', token: 'hf_secret', files: [{ path: 'model.safetensors', content: weights, lfs: true }] });
    const hub = hubConfigFromEnv({ HF_ENDPOINT: server.url, HF_TOKEN: 'hf_secret' });
    const files = await listHubFiles({ repo: 'org/private-model' }, hub);
    const [spec] = hubDownloadSpecs({ repo: 'org/private-model' }, files, dir, hub);
    const manager = new DownloadManager({ retry: FAST_RETRY });
    const result = await manager.wait(manager.add(spec as NonNullable<typeof spec>));
    expect(result.sha256).toBe(sha(weights));
    expect(server.requestsFor('/org/private-model/resolve/main/model.safetensors')[0]?.headers.authorization).toBe('Bearer hf_secret');
    expect(server.hubCdn?.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('explains a private repository without a token, a missing revision and a missing file', async () => {
    await server.addHubRepo({ repo: 'org/private-model', token: 'hf_secret', files: [{ path: 'config.json', content: '{}' }] });
    await server.addHubRepo({ repo: 'org/public', files: [{ path: 'config.json', content: '{}' }] });
    const hub = hubConfigFromEnv({ HF_ENDPOINT: server.url });

    const denied = (await listHubFiles({ repo: 'org/private-model' }, hub).catch((e: unknown) => e)) as DownloadError;
    expect(denied).toBeInstanceOf(DownloadError);
    expect(denied.status).toBe(401);
    expect(denied.message).toMatch(/set HF_TOKEN/);

    const noRev = (await resolveHubRevision({ repo: 'org/public', revision: 'v9' }, hub).catch((e: unknown) => e)) as DownloadError;
    expect(noRev.message).toMatch(/Revision "v9" does not exist/);

    const manager = new DownloadManager({ retry: FAST_RETRY });
    const [spec] = hubDownloadSpecs({ repo: 'org/public' }, [{ path: 'nope.json', size: 2, sha256: null, lfs: false }], dir, hub);
    const missing = (await manager.wait(manager.add(spec as NonNullable<typeof spec>)).catch((e: unknown) => e)) as DownloadError;
    expect(missing.status).toBe(404);
    expect(missing.message).toContain('Server said: nope.json does not exist');
  });

  it('resolves a branch to its commit', async () => {
    const { commit } = await server.addHubRepo({ repo: 'org/m', files: [{ path: 'config.json', content: '{}' }] });
    expect(await resolveHubRevision({ repo: 'org/m' }, hubConfigFromEnv({ HF_ENDPOINT: server.url }))).toBe(commit);
  });

  it('rejects repository ids and listed paths that could escape the destination', async () => {
    const hub = hubConfigFromEnv({ HF_ENDPOINT: server.url });
    await expect(listHubFiles({ repo: '../etc' }, hub)).rejects.toThrow(/org\/name/);
    server.addHandler('/api/models/org/evil/tree/*', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify([{ type: 'file', path: '../../outside.txt', size: 1, oid: 'x' }]));
    });
    await expect(listHubFiles({ repo: 'org/evil' }, hub)).rejects.toThrow(/Refusing hub file path/);
  });
});
