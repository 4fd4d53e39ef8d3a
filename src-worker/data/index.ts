/**
 * The data pipeline's public surface: the training loader, evaluation set readers, the built-in
 * Fashion-MNIST dataset, and the pieces other parts reuse (shard patterns, transforms, tar I/O).
 */
export type { Batch, ClassificationBatch, EvalImageBatch, RetrievalBatch } from './types';
export { createTrainLoader, type EpochOptions, type TrainLoader } from './loader/train-loader';
export { LoaderOptionError, type TrainLoaderOptions } from './loader/train-options';
export { batchesPerEpoch } from './loader/step-accounting';
export { NoUsableSamplesError } from './loader/train-stream';
export { DEFECT_KINDS, summarizeStats, type DataStats, type DefectKind } from './stats';
export { expandBraces } from './shards/brace-expand';
export { resolveShards, resolveExistingShards, ShardPatternError, splitSources, type ResolvedShards } from './shards/resolve';
export {
  openClassificationSet,
  openEvalSet,
  openRetrievalSet,
  type ClassificationSet,
  type EvalBatchOptions,
  type EvalSet,
  type RetrievalSet,
} from './eval/eval-set';
export { EvalSetError } from './eval/eval-folder';
export { buildFashionMnist, type BuildFashionMnistOptions, type BuildProgress, type FashionMnistDataset } from './fashion-mnist/build';
export { FASHION_MNIST_CLASSNAMES, ZERO_SHOT_TEMPLATES } from './fashion-mnist/captions';
export { OPENAI_MEAN, OPENAI_STD, transformImageInto, type TransformSpec } from './transform/image-transform';
export { readTar, type TarEntry } from './tar/reader';
export { TarFileWriter, tarToBuffer } from './tar/writer';
export { FileByteSource, StreamByteSource } from './tar/byte-source';
