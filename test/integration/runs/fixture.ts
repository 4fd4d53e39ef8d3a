/**
 * A workspace for run-service and CLI tests: real shards made with sharp, a BPE vocabulary trained on
 * their captions, a tiny model config (a step takes milliseconds), a classification eval set in the
 * DataComp layout, and a data folder for the store. Everything lives in one temp folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeClassificationSet, makeShards, type MadeShards } from '../../helpers/shards';
import { saveVocabulary, trainBpe } from '../../../src-worker/text';

export const EVAL_TASK = 'cifar10';
export const EVAL_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const VOCAB_SIZE = 600;

export interface Workspace {
  root: string;
  /** The workbench data folder (CLIPWB_HOME): the SQLite file and run folders. */
  home: string;
  shards: MadeShards;
  vocabDir: string;
  modelFile: string;
  /** --datacomp-path / --data-dir: holds wds_cifar10_test. */
  evalRoot: string;
  evalDir: string;
  samples: number;
  remove(): void;
}

const CAPTION_WORDS = ['red', 'green', 'blue', 'small', 'large', 'cat', 'dog', 'ship', 'truck', 'bird', 'frog', 'horse'];

export async function makeWorkspace(o: { shards?: number; samplesPerShard?: number } = {}): Promise<Workspace> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-runs-'));
  const home = path.join(root, 'home');
  fs.mkdirSync(home, { recursive: true });
  const nShards = o.shards ?? 2;
  const perShard = o.samplesPerShard ?? 32;
  const shards = await makeShards(path.join(root, 'shards'), {
    shards: nShards, samplesPerShard: perShard, sizes: [[20, 20], [24, 18]], grayscaleEvery: 0,
    keyOf: (r) => r.shard * perShard + r.offset,
    captionOf: (k) => `a ${CAPTION_WORDS[k % CAPTION_WORDS.length]!} ${CAPTION_WORDS[(k * 7 + 3) % CAPTION_WORDS.length]!} photo number ${k}.`,
  });
  const captions = [...shards.samples.map((s) => s.caption), ...EVAL_CLASSES.flatMap((c) => [`a photo of a ${c}.`, `a picture of the ${c}.`])];
  const vocabDir = path.join(root, 'vocab');
  fs.mkdirSync(vocabDir, { recursive: true });
  const bpe = trainBpe(captions, { vocabSize: VOCAB_SIZE, minPairCount: 1 });
  saveVocabulary(bpe.vocabulary, vocabDir);
  const modelFile = path.join(root, 'clip-micro.json');
  fs.writeFileSync(modelFile, JSON.stringify({
    embed_dim: 16,
    vision_cfg: { image_size: 16, layers: 1, width: 16, head_width: 8, patch_size: 8 },
    text_cfg: { context_length: 12, vocab_size: VOCAB_SIZE, width: 16, heads: 2, layers: 1 },
  }));
  const evalRoot = path.join(root, 'evalsets');
  const evalDir = path.join(evalRoot, `wds_${EVAL_TASK}_test`);
  await makeClassificationSet(evalDir, { classnames: EVAL_CLASSES, shards: 1, samplesPerShard: 20 });
  return {
    root, home, shards, vocabDir, modelFile, evalRoot, evalDir, samples: nShards * perShard,
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** `clipwb train` flags of a tiny run on the workspace's shards (InfoNCE unless overridden). */
export function trainArgs(ws: Workspace, extra: string[] = []): string[] {
  return [
    '--train-data', ws.shards.pattern, '--train-num-samples', String(ws.samples), '--data_size', String(ws.samples),
    '--vocab', ws.vocabDir, '--model', ws.modelFile, '--batch-size', '8', '--epochs', '1', '--warmup', '2',
    '--lr', '1e-3', '--log-every-n-steps', '1', '--workers', '0', '--devices', 'cpu', '--backend', 'wasm',
    ...extra,
  ];
}
