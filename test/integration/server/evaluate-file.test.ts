/**
 * The app's "evaluate a checkpoint file" over the real web API: a pulled model by name (transformers
 * layout, its own tokenizer) evaluated by a real worker on a retrieval set converted from Parquet and
 * found without a marker file; and the refusals, naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWebServer, type WebServer } from '../../../src-main/server/web-server';
import { convertRetrievalParquet } from '../../../src-main/datasets/retrieval-parquet';
import { tinyConfig, writeHfFolder, writePullManifest } from '../../unit/teacher/fixtures';
import { makeImage } from '../../helpers/shards';
import { retrievalParquet } from '../../helpers/retrieval-parquet';
import { postApi } from './post-api';

let server: WebServer;
let home: string;
const TOKEN = 'test-token-evaluate-file-0123';

const call = (method: string, body: unknown) => postApi(server.port, TOKEN, method, body);

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-evalfile-'));
  server = await startWebServer({ home, port: 0, token: TOKEN, env: { ...process.env, PATH: '/nonexistent' } });
}, 60_000);
afterAll(async () => {
  await server?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('evals.evaluateFile', () => {
  it('refuses a name that is not pulled, and a relative path, naming the field', async () => {
    const r = await call('evals.evaluateFile', { checkpoint: 'laion/not-here', tasks: ['mscoco'] });
    expect(r.status).toBe(400);
    expect(r.body.error?.field).toBe('checkpoint');
    expect(r.body.error?.message).toMatch(/clipwb models pull laion\/not-here/);
    const rel = await call('evals.evaluateFile', { checkpoint: 'some/dir/model.pt', tasks: ['mscoco'] });
    expect(rel.status).toBe(400);
    expect(rel.body.error?.field).toBe('checkpoint');
  });

  it('evaluates a pulled model by name on MSCOCO converted from Parquet', async () => {
    const info = await call('system.info', {});
    const dataDir = info.body.result!.dataDir as string;
    const cfg = tinyConfig({}, 'tiny');
    const pulled = path.join(dataDir, 'models', 'openai', 'clip-vit-base-patch32');
    writeHfFolder(pulled, cfg, 5);
    writePullManifest(pulled, 'openai/clip-vit-base-patch32');

    const evalRoot = path.join(home, 'evalsets');
    const pq = path.join(home, 'coco.parquet');
    const images = await Promise.all([0, 1, 2].map((k) => makeImage(16, 16, 'jpg', [80 * k, 40, 200 - 60 * k])));
    const captions = [['cat', 'a cat'], ['dog'], ['cat dog', 'dog', 'cat']];
    fs.writeFileSync(pq, retrievalParquet(images.map((image, i) => ({ image, captions: captions[i]! }))));
    const setDir = path.join(evalRoot, 'wds_mscoco_2014_5k_test');
    await convertRetrievalParquet([pq], setDir);
    fs.rmSync(path.join(setDir, 'dataset_type.txt'));

    const r = await call('evals.evaluateFile', { checkpoint: 'openai', tasks: ['mscoco'], datacompPath: evalRoot });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.result).toMatchObject({ checkpoint: pulled, pulled: 'openai/clip-vit-base-patch32' });
    const results = path.join(pulled, 'eval_results', 'epoch_0_eval_results.jsonl');
    for (let i = 0; i < 600 && !fs.existsSync(results); i++) await new Promise((res) => setTimeout(res, 200));
    const line = JSON.parse(fs.readFileSync(results, 'utf8').trim().split('\n').pop()!) as { key: string; metrics: Record<string, number> };
    expect(line.key).toBe('retrieval/mscoco_2014_5k_test_image_text_retrieval');
    for (const k of ['image_retrieval_recall@1', 'text_retrieval_recall@1', 'image_retrieval_recall@5', 'text_retrieval_recall@10', 'mean_recall@1', 'main_metric']) {
      expect(line.metrics[k], k).toBeGreaterThanOrEqual(0);
      expect(line.metrics[k], k).toBeLessThanOrEqual(1);
    }
    // 3 images: every recall@5 is 1, whatever the random weights.
    expect(line.metrics['image_retrieval_recall@5']).toBe(1);
    expect(line.metrics['text_retrieval_recall@5']).toBe(1);
    expect(line.metrics.main_metric).toBe(line.metrics['mean_recall@1']);
  }, 180_000);
});
