/**
 * What the engine tests train on: real shards made with sharp (test/helpers/shards.ts), a BPE vocabulary
 * trained from their captions, and tiny open_clip JSON configs written next to them, so no test depends
 * on the built-in dataset or on a shipped config.
 *
 * Captions name one of a few colours, and the image's red channel (which encodes the serial number)
 * decides the colour word, so there is something learnable in a handful of steps.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeShards, type MadeShards, type MakeShardsOptions } from '../../helpers/shards';
import { saveVocabulary, trainBpe } from '../../../src-worker/text';

const COLOUR_WORDS = ['red', 'green', 'blue', 'yellow'];

export interface TinyArch {
  embedDim: number;
  imageSize: number;
  patchSize: number;
  visionWidth: number;
  visionLayers: number;
  headWidth: number;
  contextLength: number;
  vocabSize: number;
  textWidth: number;
  textHeads: number;
  textLayers: number;
}

export const TINY_ARCH: TinyArch = {
  embedDim: 32, imageSize: 16, patchSize: 8, visionWidth: 32, visionLayers: 1, headWidth: 16,
  contextLength: 8, vocabSize: 600, textWidth: 32, textHeads: 2, textLayers: 1,
};

/** Writes an open_clip JSON config and returns its path (the --model flag accepts a path). */
export function writeModelConfig(file: string, arch: Partial<TinyArch> = {}): string {
  const a = { ...TINY_ARCH, ...arch };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({
    embed_dim: a.embedDim,
    vision_cfg: { image_size: a.imageSize, layers: a.visionLayers, width: a.visionWidth, head_width: a.headWidth, patch_size: a.patchSize },
    text_cfg: { context_length: a.contextLength, vocab_size: a.vocabSize, width: a.textWidth, heads: a.textHeads, layers: a.textLayers },
  }, null, 2));
  return file;
}

/** serial → key under makeShards' default keys (shard · 10000 + offset). */
function serialOfKey(key: number, samplesPerShard: number): number {
  return Math.floor(key / 10000) * samplesPerShard + (key % 10000);
}

export function captionFor(key: number, samplesPerShard: number): string {
  const serial = serialOfKey(key, samplesPerShard);
  return `a ${COLOUR_WORDS[serial % COLOUR_WORDS.length]!} square`;
}

export interface TrainFixture {
  root: string;
  shards: MadeShards;
  vocabDir: string;
  modelPath: string;
  /** Larger than every key written. */
  dataSize: number;
  samples: number;
}

export async function makeTrainFixture(root: string, o: { shards: number; samplesPerShard: number; shardOptions?: Partial<MakeShardsOptions> }): Promise<TrainFixture> {
  fs.mkdirSync(root, { recursive: true });
  const shards = await makeShards(path.join(root, 'shards'), {
    shards: o.shards,
    samplesPerShard: o.samplesPerShard,
    // One format and one size keep generation fast; JPEG decodes like the real data.
    formats: ['jpg', 'png'],
    grayscaleEvery: 0,
    captionOf: (key) => captionFor(key, o.samplesPerShard),
    ...o.shardOptions,
  });
  const vocabDir = path.join(root, 'vocab');
  fs.mkdirSync(vocabDir, { recursive: true });
  const trained = trainBpe(shards.samples.map((s) => s.caption), { vocabSize: TINY_ARCH.vocabSize });
  saveVocabulary(trained.vocabulary, vocabDir);
  const modelPath = writeModelConfig(path.join(root, 'configs', 'tiny.json'));
  const maxKey = Math.max(...shards.samples.map((s) => s.key));
  return { root, shards, vocabDir, modelPath, dataSize: maxKey + 1, samples: shards.samples.length };
}

/** `clipwb train` flags for a fixture: tiny, in order, no augmentation, inline decoding, wasm. */
export function fixtureArgs(fx: TrainFixture, over: Record<string, string | number | boolean> = {}): string[] {
  const base: Record<string, string | number | boolean> = {
    'train-data': fx.shards.pattern,
    'train-num-samples': fx.samples,
    data_size: fx.dataSize,
    model: fx.modelPath,
    vocab: fx.vocabDir,
    'batch-size': 8,
    epochs: 1,
    warmup: 2,
    lr: 2e-3,
    wd: 0.1,
    workers: 0,
    backend: 'wasm',
    'log-every-n-steps': 1,
    'no-augment': true,
    fastclip: true,
    multiply_tau: true,
    temperature_scheme: 'global_learnable',
    rho: 6,
    gamma: 0.9,
    gamma_decay_epochs: 2,
    ...over,
  };
  const args: string[] = [];
  for (const [k, v] of Object.entries(base)) {
    if (v === false) continue;
    if (v === true) args.push(`--${k}`);
    else args.push(`--${k}`, String(v));
  }
  return args;
}
