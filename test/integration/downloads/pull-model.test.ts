import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partPath } from '../../../src-main/downloads/part-file';
import { hubConfigFromEnv } from '../../../src-main/downloads/sources/hf-hub';
import { listModels } from '../../../src-main/models/list';
import { MODEL_MANIFEST_NAME, modelDir } from '../../../src-main/models/manifest';
import { pullModel, type PullProgress } from '../../../src-main/models/pull';
import { TestHttpServer } from '../../helpers/http-server';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

let server: TestHttpServer;
let dataDir: string;

beforeEach(async () => {
  server = await TestHttpServer.start();
  dataDir = await mkdtemp(path.join(tmpdir(), 'clipwb-models-'));
});

afterEach(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

const CLIP_FILES = (weights: Buffer) => [
  { path: 'model.safetensors', content: weights, lfs: true },
  { path: 'pytorch_model.bin', content: randomBytes(1000), lfs: true },
  { path: 'tf_model.h5', content: randomBytes(1000), lfs: true },
  { path: 'config.json', content: '{"model_type":"clip"}' },
  { path: 'vocab.json', content: '{"a":0}' },
  { path: 'merges.txt', content: '#version: 0.2\n' },
  { path: 'tokenizer.json', content: '{}' },
  { path: 'README.md', content: '# CLIP' },
];

describe('pullModel end to end against an emulated hub', () => {
  it('pulls weights, config and tokenizer files pinned to a commit, writes the manifest, and lists the model', async () => {
    const weights = randomBytes(120_000);
    const { commit } = await server.addHubRepo({ repo: 'openai/clip-vit-base-patch32', files: CLIP_FILES(weights) });
    const progress: PullProgress[] = [];
    const pulled = await pullModel('openai/clip-vit-base-patch32', {
      dataDir,
      env: { HF_ENDPOINT: server.url },
      retry: FAST_RETRY,
      onProgress: (p) => progress.push(p),
    });
    const dir = modelDir(dataDir, 'openai/clip-vit-base-patch32');
    expect(pulled.dir).toBe(dir);
    expect(pulled.manifest).toMatchObject({ repo: 'openai/clip-vit-base-patch32', revision: 'main', commit, source: server.url, weights: { file: 'model.safetensors', format: 'hf-transformers-safetensors' } });
    expect(pulled.manifest.files.map((f) => f.path).sort()).toEqual(['config.json', 'merges.txt', 'model.safetensors', 'tokenizer.json', 'vocab.json']);
    expect(pulled.manifest.files.find((f) => f.path === 'model.safetensors')).toEqual({ path: 'model.safetensors', size: weights.length, sha256: sha(weights) });
    expect(pulled.manifest.files.find((f) => f.path === 'config.json')?.sha256).toBe(sha('{"model_type":"clip"}'));
    expect(sha(await readFile(path.join(dir, 'model.safetensors')))).toBe(sha(weights));
    await expect(stat(path.join(dir, 'pytorch_model.bin'))).rejects.toThrow();
    // Every file was fetched by commit, not by branch name.
    expect(server.requests.filter((r) => r.path.includes('/resolve/')).every((r) => r.path.includes(`/resolve/${commit}/`))).toBe(true);
    expect(progress.at(-1)?.bytesTotal).toBe(pulled.manifest.files.reduce((s, f) => s + f.size, 0));

    const listing = await listModels(dataDir);
    expect(listing.problems).toEqual([]);
    expect(listing.models.map((m) => m.manifest.repo)).toEqual(['openai/clip-vit-base-patch32']);
  });

  it('prefers open_clip safetensors over transformers safetensors over the open_clip pickle', async () => {
    const oc = randomBytes(5000);
    await server.addHubRepo({
      repo: 'laion/CLIP-ViT-B-32-laion2B-s34B-b79K',
      files: [
        { path: 'open_clip_pytorch_model.bin', content: randomBytes(5000), lfs: true },
        { path: 'model.safetensors', content: randomBytes(5000), lfs: true },
        { path: 'open_clip_model.safetensors', content: oc, lfs: true },
        { path: 'open_clip_config.json', content: '{"model_cfg":{}}' },
        { path: 'config.json', content: '{}' },
      ],
    });
    const pulled = await pullModel('laion/CLIP-ViT-B-32-laion2B-s34B-b79K', { dataDir, hub: hubConfigFromEnv({ HF_ENDPOINT: server.url }), retry: FAST_RETRY });
    expect(pulled.manifest.weights).toEqual({ file: 'open_clip_model.safetensors', format: 'open_clip-safetensors' });
    expect(pulled.manifest.files.map((f) => f.path).sort()).toEqual(['config.json', 'open_clip_config.json', 'open_clip_model.safetensors']);
  });

  it('resumes an interrupted pull from the part file, and reports the unfinished pull until then', async () => {
    const weights = randomBytes(150_000);
    await server.addHubRepo({ repo: 'org/clip', files: CLIP_FILES(weights) });
    const dir = modelDir(dataDir, 'org/clip');
    // What an interrupted pull leaves: a part of the weights, no manifest.
    const first = await pullModel('org/clip', { dataDir, env: { HF_ENDPOINT: server.url }, retry: FAST_RETRY });
    await rm(path.join(dir, MODEL_MANIFEST_NAME));
    await rm(path.join(dir, 'model.safetensors'));
    const listingBefore = await listModels(dataDir);
    expect(listingBefore.problems[0]?.message).toMatch(/pull did not finish/);

    const { writePartMeta } = await import('../../../src-main/downloads/part-file');
    const url = `${server.url}/org/clip/resolve/${first.manifest.commit}/model.safetensors`;
    await mkdir(dir, { recursive: true });
    await writeFile(partPath(path.join(dir, 'model.safetensors')), weights.subarray(0, 60_000));
    await writePartMeta(path.join(dir, 'model.safetensors'), {
      version: 1,
      key: url,
      expectedSize: weights.length,
      sha256: sha(weights),
      etag: null,
      lastModified: null,
      totalSize: weights.length,
      createdAt: new Date().toISOString(),
    });
    const cdnBefore = server.hubCdn?.requests.length ?? 0;
    const second = await pullModel('org/clip', { dataDir, env: { HF_ENDPOINT: server.url }, retry: FAST_RETRY });
    const cdnRequests = (server.hubCdn?.requests ?? []).slice(cdnBefore);
    expect(cdnRequests.map((r) => r.headers.range)).toEqual(['bytes=60000-']);
    expect(second.manifest.files.find((f) => f.path === 'model.safetensors')?.sha256).toBe(sha(weights));
    expect((await listModels(dataDir)).models).toHaveLength(1);
  });

  it('explains a repository without usable weights', async () => {
    await server.addHubRepo({ repo: 'org/tf-only', files: [{ path: 'tf_model.h5', content: 'x', lfs: true }, { path: 'config.json', content: '{}' }] });
    await expect(pullModel('org/tf-only', { dataDir, env: { HF_ENDPOINT: server.url }, retry: FAST_RETRY })).rejects.toThrow(/has none of open_clip_model.safetensors.*it has tf_model.h5/);
  });

  it('reports a broken manifest instead of failing the whole listing', async () => {
    const dir = modelDir(dataDir, 'org/broken');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, MODEL_MANIFEST_NAME), '{"version": 1}');
    const listing = await listModels(dataDir);
    expect(listing.models).toEqual([]);
    expect(listing.problems[0]).toMatchObject({ dir });
    expect(listing.problems[0]?.message).toMatch(/not a valid model manifest/);
  });
});
