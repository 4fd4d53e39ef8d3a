/**
 * MSCOCO / Flickr as DataComp gets them: a hub dataset of Parquet files (image struct + caption list),
 * written here with hyparquet-writer, served by the local hub emulator, downloaded (with a broken
 * transfer that must resume), converted to the retrieval layout and opened by the evaluator's reader.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadManager } from '../../../src-main/downloads/manager';
import { hubConfigFromEnv } from '../../../src-main/downloads/sources/hf-hub';
import { testSplitParquet } from '../../../src-main/downloads/sources/hf-parquet';
import type { DownloadSpec } from '../../../src-main/downloads/types';
import { fetchRetrievalEvalset, resolveEvalsetTasks } from '../../../src-main/datasets/evalsets';
import { convertRetrievalParquet, ParquetConversionError } from '../../../src-main/datasets/retrieval-parquet';
import { openEvalSet } from '../../../src-worker/data/eval/eval-set';
import { initBackend } from '../../../src-worker/backend/select';
import { openEvalReader } from '../../../src-worker/eval/model-encoder';
import { evaluateRetrieval } from '../../../src-worker/eval/retrieval';
import { TestHttpServer } from '../../helpers/http-server';
import { makeImage } from '../../helpers/shards';
import { retrievalParquet as parquet, type RetrievalRow as Row } from '../../helpers/retrieval-parquet';

const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

let server: TestHttpServer;
let root: string;
beforeEach(async () => {
  server = await TestHttpServer.start();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-pq-'));
});
afterEach(async () => {
  await server.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function rows(n: number, start: number): Promise<Row[]> {
  const out: Row[] = [];
  for (let i = 0; i < n; i++) {
    const k = start + i;
    out.push({
      image: await makeImage(12, 10, k % 2 === 0 ? 'jpg' : 'png', [20 * k, 100, 255 - 20 * k]),
      // MSCOCO has 5 to 7 captions per image: every one is kept.
      captions: Array.from({ length: 5 + (k % 3) }, (_, c) => `image ${k} caption ${c}`),
    });
  }
  return out;
}

describe('mscoco and flickr30k from the hub as Parquet', () => {
  it('downloads (resuming a broken transfer), converts all captions per image, and the evaluator reads it', async () => {
    const part0 = await rows(3, 0);
    const part1 = await rows(2, 3);
    const pq0 = parquet(part0);
    const pq1 = parquet(part1);
    await server.addHubRepo({
      repo: 'nlphuji/mscoco_2014_5k_test_image_text_retrieval',
      type: 'dataset',
      files: [
        { path: 'README.md', content: '# mscoco' },
        { path: 'data/test-00000-of-00002.parquet', content: pq0, lfs: true },
        { path: 'data/test-00001-of-00002.parquet', content: pq1, lfs: true },
      ],
      fileOptions: { 'data/test-00000-of-00002.parquet': { drop: { afterBytes: Math.floor(pq0.length / 2), attempts: [1] } } },
    });
    const hub = hubConfigFromEnv({ HF_ENDPOINT: server.url });
    const [task] = resolveEvalsetTasks(['coco']);
    expect(task!.key).toBe('retrieval/mscoco_2014_5k_test_image_text_retrieval');
    const downloaded: DownloadSpec[] = [];
    const download = async (specs: DownloadSpec[]) => {
      const manager = new DownloadManager({ retry: FAST_RETRY });
      await Promise.all(specs.map((s) => manager.wait(manager.add(s))));
      await manager.close();
      downloaded.push(...specs);
    };

    const { dir, result } = await fetchRetrievalEvalset(task!, root, hub, download, { shardSize: 2 });
    expect(dir).toBe(path.join(root, 'wds_mscoco_2014_5k_test'));
    // Every file was checked against the LFS SHA-256 the listing gave.
    expect(downloaded.map((s) => s.sha256)).toEqual([sha(pq0), sha(pq1)]);
    expect((server.hubCdn?.requests ?? []).some((r) => r.headers.range === `bytes=${Math.floor(pq0.length / 2)}-`)).toBe(true);
    expect(result).toMatchObject({ images: 5, captions: 5 + 6 + 7 + 5 + 6, shards: 3, reused: false });
    expect(fs.readFileSync(path.join(dir, 'dataset_type.txt'), 'utf8')).toBe('retrieval\n');
    expect(fs.readFileSync(path.join(dir, 'test', 'nshards.txt'), 'utf8')).toBe('3\n');

    const set = await openEvalSet(dir);
    expect(set.kind).toBe('retrieval');
    if (set.kind !== 'retrieval') return;
    expect(set.count).toBe(5);
    expect(set.captionCount).toBe(29);
    const seen: string[][] = [];
    for await (const b of set.batches({ batchSize: 4, imageSize: 8 })) seen.push(...b.captions);
    expect(seen).toEqual([...part0, ...part1].map((r) => r.captions));
    // The image bytes are stored as they came.
    const tar0 = fs.readFileSync(path.join(dir, 'test', '0.tar'));
    expect(tar0.includes(part0[0]!.image)).toBe(true);

    // Again: nothing downloaded twice (complete files are kept) and the conversion is reused.
    const again = await fetchRetrievalEvalset(task!, root, hub, download, { shardSize: 2 });
    expect(again.result.reused).toBe(true);
  });

  it('looks in the hub\'s Parquet conversion branch when the repository holds none, and says where it looked', async () => {
    // The original layout of these repositories: a loading script, a CSV and a zip of images.
    await server.addHubRepo({
      repo: 'nlphuji/flickr_1k_test_image_text_retrieval',
      type: 'dataset',
      files: [{ path: 'flickr.py', content: 'import datasets' }, { path: 'test_1k_flickr.csv', content: 'filename,raw\n' }, { path: 'images_flickr_1k_test.zip', content: Buffer.alloc(100), lfs: true }],
    });
    const hub = hubConfigFromEnv({ HF_ENDPOINT: server.url });
    const [task] = resolveEvalsetTasks(['flickr30k']);
    expect(task!.key).toBe('retrieval/flickr_1k_test_image_text_retrieval');
    const err = (await fetchRetrievalEvalset(task!, root, hub, async () => undefined).then(() => new Error('resolved'), (e: unknown) => e)) as Error;
    expect(err.message).toMatch(/nlphuji\/flickr_1k_test_image_text_retrieval has no Parquet files; looked at main \(no \.parquet files\) and refs\/convert\/parquet/);
    expect(server.requests.some((r) => r.path.includes('/revision/refs%2Fconvert%2Fparquet'))).toBe(true);
  });

  it('refuses WinoGAViL and explains why', () => {
    expect(() => resolveEvalsetTasks(['winogavil'])).toThrow(/WinoGAViL .* does not run here/);
  });
});

describe('the Parquet converter', () => {
  it('names the file, the row and the problem', async () => {
    const bad = path.join(root, 'bad.parquet');
    const good = await rows(1, 0);
    fs.writeFileSync(bad, parquet([good[0]!, { image: Buffer.from('not an image'), captions: ['x'] }]));
    await expect(convertRetrievalParquet([bad], path.join(root, 'out'))).rejects.toThrow(/bad\.parquet row 1: the image is neither JPEG, PNG nor WebP/);
    expect(fs.existsSync(path.join(root, 'out', 'test'))).toBe(false);
    const notPq = path.join(root, 'x.parquet');
    fs.writeFileSync(notPq, 'hello');
    await expect(convertRetrievalParquet([notPq], path.join(root, 'out'))).rejects.toBeInstanceOf(ParquetConversionError);
  });

  it('selects the test split among the listed files', () => {
    const f = (p: string) => ({ path: p, size: 1, sha256: null, lfs: true });
    expect(testSplitParquet([f('data/train-0.parquet'), f('data/test-00001-of-00002.parquet'), f('data/test-00000-of-00002.parquet'), f('README.md')]).map((x) => x.path))
      .toEqual(['data/test-00000-of-00002.parquet', 'data/test-00001-of-00002.parquet']);
    expect(testSplitParquet([f('default/test/0001.parquet'), f('default/test/0000.parquet')]).map((x) => x.path)).toEqual(['default/test/0000.parquet', 'default/test/0001.parquet']);
    expect(testSplitParquet([f('x.parquet')]).map((x) => x.path)).toEqual(['x.parquet']);
  });
});

describe('CLIP_benchmark retrieval protocol on a converted set, worked out by hand', () => {
  it('all captions per image, recall@1/5/10 both ways, mean_recall@1; the set found without a marker file', async () => {
    await initBackend('cpu');
    // Images are the first four axes of R^5 (in order); a caption's vector holds its score against each
    // image (halved, then padded in the fifth axis to unit length, as the evaluator normalises).
    const vectors: Record<string, number[]> = {
      c0: [0.9, 0.1, 0.2, 0.3], // image 0; its image is ranked 0
      c1: [0.5, 0.8, 0.6, 0.1], // image 0; images 1 and 2 ahead: rank 2
      c2: [0.1, 0.4, 0.7, 0.2], // image 1; image 2 ahead: rank 1
      c3: [0.2, 0.3, 0.95, 0.1], // image 2; rank 0
      c4: [0.6, 0.1, 0.5, 0.4], // image 2; image 0 ahead: rank 1
      c5: [0.3, 0.2, 0.1, 0.25], // image 3; image 0 ahead: rank 1
    };
    // Image retrieval (caption -> image): ranks 0,2,1,0,1,1 -> R@1 = 2/6; R@5 = R@10 = 1.
    // Text retrieval (image -> its best caption), columns of the table above:
    //   image 0: c0 .9 first -> 0; image 1: c1 .8 then c2 .4 -> 1; image 2: c3 .95 -> 0;
    //   image 3: c4 .4, c0 .3, c5 .25 -> 2.  R@1 = 2/4; R@5 = R@10 = 1.
    const captions = [['c0', 'c1'], ['c2'], ['c3', 'c4'], ['c5']];
    const images = await rows(4, 0);
    const file = path.join(root, 'set.parquet');
    fs.writeFileSync(file, parquet(images.map((r, i) => ({ image: r.image, captions: captions[i]! }))));
    const dir = path.join(root, 'wds_flickr_1k_test');
    await convertRetrievalParquet([file], dir, { shardSize: 3 });
    fs.rmSync(path.join(dir, 'dataset_type.txt'));

    let imageIndex = 0;
    const registry: string[] = [];
    const encoder = {
      embedDim: 5, imageSize: 8, contextLength: 2,
      async encodeImages(_px: Float32Array, n: number) {
        const out = new Float32Array(n * 5);
        for (let i = 0; i < n; i++) out[i * 5 + imageIndex++] = 1;
        return out;
      },
      async encodeTexts(tokens: Int32Array, n: number) {
        const out = new Float32Array(n * 5);
        for (let i = 0; i < n; i++) {
          const v = vectors[registry[tokens[i * 2]!]!]!.map((x) => x / 2);
          out.set([...v, Math.sqrt(1 - v.reduce((s, x) => s + x * x, 0))], i * 5);
        }
        return out;
      },
    };
    const tokenizer = { encode: (texts: readonly string[], ctx: number) => { const t = new Int32Array(texts.length * ctx); texts.forEach((x, i) => { registry.push(x); t[i * ctx] = registry.length - 1; }); return t; } };
    // The task says "retrieval"; the folder says nothing.
    const reader = await openEvalReader(dir, { batchSize: 3, imageSize: 8, what: 'Flickr', kind: 'retrieval' });
    const m = await evaluateRetrieval({ encoder, tokenizer, reader });
    expect(m['image_retrieval_recall@1']).toBeCloseTo(2 / 6, 6);
    expect(m['text_retrieval_recall@1']).toBeCloseTo(2 / 4, 6);
    for (const k of [5, 10]) {
      expect(m[`image_retrieval_recall@${k}`]).toBe(1);
      expect(m[`text_retrieval_recall@${k}`]).toBe(1);
    }
    expect(m['mean_recall@1']).toBeCloseTo((2 / 6 + 2 / 4) / 2, 6);
    expect(registry).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
  });
});
