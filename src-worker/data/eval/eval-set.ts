/**
 * Evaluation set readers: open and validate a folder (CLIP_benchmark classification layout or our
 * retrieval layout, see ../EVAL-LAYOUT.md), then stream eval-transformed image batches with their
 * labels or captions. The metrics themselves live elsewhere (src-worker/eval).
 */
import path from 'node:path';
import { InlineBatchSource, type BatchSource } from '../loader/batch-source';
import type { EvalMode, EvalStreamSpec, RawEvalBatch } from '../loader/stream-types';
import { ThreadBatchSource } from '../loader/thread-source';
import { emptyStats, mergeStats, type DataStats } from '../stats';
import type { ClassificationBatch, RetrievalBatch } from '../types';
import { detectKind, EvalSetError, type EvalSetKind, listShards, readLines, readTemplates, scanEvalShards } from './eval-folder';

export interface EvalBatchOptions {
  batchSize: number;
  imageSize: number;
  /** Worker threads decoding in parallel (each takes every n-th shard); 0 decodes on this thread. Default 0. */
  workers?: number;
  /** Images decoded concurrently per stream (default 4). */
  decodeConcurrency?: number;
}

interface EvalSetBase {
  dir: string;
  /** test/0.tar … in order. */
  shards: string[];
  /** Number of samples (images), for progress. */
  count: number;
  /** Defects met while streaming (undecodable images are skipped and counted here). */
  stats(): DataStats;
}

export interface ClassificationSet extends EvalSetBase {
  kind: 'classification';
  classnames: string[];
  templates: string[];
  batches(options: EvalBatchOptions): AsyncGenerator<ClassificationBatch>;
}

export interface RetrievalSet extends EvalSetBase {
  kind: 'retrieval';
  /** Total captions over all images. */
  captionCount: number;
  batches(options: EvalBatchOptions): AsyncGenerator<RetrievalBatch>;
}

export type EvalSet = ClassificationSet | RetrievalSet;

export interface OpenEvalSetOptions {
  /** The kind the task list gives the task; `dataset_type.txt` still wins where present. */
  kind?: EvalSetKind;
}

/** Opens either layout: by `dataset_type.txt`, else the task's kind, else by content (see detectKind). */
export async function openEvalSet(dir: string, options: OpenEvalSetOptions = {}): Promise<EvalSet> {
  return detectKind(dir, options.kind) === 'retrieval' ? openRetrievalSet(dir, options) : openClassificationSet(dir, options);
}

export async function openClassificationSet(dir: string, options: OpenEvalSetOptions = {}): Promise<ClassificationSet> {
  const root = path.resolve(dir);
  if (detectKind(root, options.kind) !== 'classification') throw new EvalSetError(`${root} is a retrieval set (dataset_type.txt), not a classification set`, root);
  const classnames = readLines(path.join(root, 'classnames.txt'), 'the class names');
  const templates = readTemplates(root);
  const shards = listShards(root);
  const scan = await scanEvalShards(shards, 'classification', classnames.length);
  const stats = emptyStats();
  return {
    kind: 'classification',
    dir: root,
    shards,
    count: scan.total,
    classnames,
    templates,
    stats: () => structuredClone(stats),
    batches: (options) => streamBatches(shards, 'classification', classnames.length, options, stats, toClassificationBatch),
  };
}

export async function openRetrievalSet(dir: string, options: OpenEvalSetOptions = {}): Promise<RetrievalSet> {
  const root = path.resolve(dir);
  if (detectKind(root, options.kind ?? 'retrieval') !== 'retrieval') {
    throw new EvalSetError(`${root} is marked as a classification set (dataset_type.txt); write "retrieval" there to use it as a retrieval set`, path.join(root, 'dataset_type.txt'));
  }
  const shards = listShards(root);
  const scan = await scanEvalShards(shards, 'retrieval', 0);
  const stats = emptyStats();
  return {
    kind: 'retrieval',
    dir: root,
    shards,
    count: scan.total,
    captionCount: scan.captions,
    stats: () => structuredClone(stats),
    batches: (options) => streamBatches(shards, 'retrieval', 0, options, stats, toRetrievalBatch),
  };
}

function toClassificationBatch(raw: RawEvalBatch): ClassificationBatch {
  return { size: raw.size, imageSize: raw.imageSize, images: raw.images, sampleKeys: raw.sampleKeys, labels: raw.labels ?? new Int32Array(0) };
}

function toRetrievalBatch(raw: RawEvalBatch): RetrievalBatch {
  return { size: raw.size, imageSize: raw.imageSize, images: raw.images, sampleKeys: raw.sampleKeys, captions: raw.captions ?? [] };
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw new EvalSetError(`${name} must be a non-negative integer, got ${value}`, name);
  return v;
}

/**
 * Shard i goes to stream i mod T; batches are taken from the streams in turn, skipping finished ones,
 * so the order is fixed for a given T (and equals file order when T <= 1).
 */
async function* streamBatches<B>(
  shards: string[],
  mode: EvalMode,
  numClasses: number,
  options: EvalBatchOptions,
  stats: DataStats,
  convert: (raw: RawEvalBatch) => B,
): AsyncGenerator<B> {
  const batchSize = nonNegativeInt('batchSize', options.batchSize, 0);
  const imageSize = nonNegativeInt('imageSize', options.imageSize, 0);
  if (batchSize < 1 || imageSize < 1) throw new EvalSetError('batchSize and imageSize must be at least 1', 'options');
  const workers = Math.min(nonNegativeInt('workers', options.workers, 0), shards.length);
  const decodeConcurrency = Math.max(1, nonNegativeInt('decodeConcurrency', options.decodeConcurrency, 4));
  const streams = Math.max(1, workers);
  const sink = (delta: DataStats): void => mergeStats(stats, delta);
  const sources: BatchSource[] =
    workers === 0 ? [new InlineBatchSource(sink, 2)] : Array.from({ length: streams }, (_, s) => new ThreadBatchSource(`clipwb-eval-s${s}`, sink, 2));
  try {
    sources.forEach((source, s) => {
      const spec: EvalStreamSpec = {
        kind: 'eval',
        mode,
        shards: shards.filter((_, i) => i % streams === s),
        imageSize,
        batchSize,
        numClasses,
        decodeConcurrency,
      };
      source.start(spec);
    });
    const live = [...sources];
    while (live.length > 0) {
      for (let i = 0; i < live.length; ) {
        const raw = await (live[i] as BatchSource).next();
        if (!raw) {
          live.splice(i, 1);
          continue;
        }
        if (raw.kind !== 'eval') throw new Error('internal: an evaluation stream produced a training batch');
        yield convert(raw);
        i++;
      }
    }
  } finally {
    await Promise.all(sources.map((s) => s.cancel()));
    await Promise.all(sources.map((s) => s.close()));
  }
}
