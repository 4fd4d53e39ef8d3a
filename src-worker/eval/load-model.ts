/**
 * What `clipwb eval`, `clipwb embed`, the app's "evaluate a checkpoint file" and --init-checkpoint /
 * --pretrained load: a checkpoint of
 * this workbench (its sidecar names the model, the vocabulary and the epoch), or published weights: a
 * pulled model's name, a model folder, a bare .safetensors or a PyTorch .pt checkpoint, in open_clip or
 * transformers names (see teacher/pretrained.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { loadModelConfig, paramsFromStateDict, disposeParams, type ClipConfig, type StateDict } from '../model';
import { ClipTokenizer, STANDARD_VOCAB_SIZE, assertVocabularyFitsModel, standardVocabularyPath } from '../text';
import { isBuiltin, prepareBuiltin, type BuiltinDataset } from '../data/builtin';
import { loadPretrainedWeights } from '../teacher/pretrained';
import { loadCheckpoint, resolveCheckpoint, type CheckpointSidecar } from '../io/checkpoint';
import { ConfigError } from '../../src-shared/config/train-config';

export interface EvalModel {
  cfg: ClipConfig;
  weights: StateDict;
  /** Null for published weights. */
  sidecar: CheckpointSidecar | null;
  /** Tokenizer files that came with published weights (a pulled model's vocab.json + merges.txt). */
  tokenizer: string | null;
  label: string;
  /** Debug lines (skipped non-float tensors, ignored optimizer state, ...). */
  notes: string[];
}

export interface LoadEvalModelOptions {
  checkpoint: string;
  dataDir: string;
  model?: string | null;
  /** The flag errors name (default "checkpoint"). */
  field?: string;
}

function sidecarOf(p: string): string | null {
  try {
    return resolveCheckpoint(p).sidecar;
  } catch {
    return null;
  }
}

export async function loadEvalModel(o: LoadEvalModelOptions): Promise<EvalModel> {
  let loaded: EvalModel;
  if (sidecarOf(o.checkpoint) !== null) {
    const ckpt = await loadCheckpoint(o.checkpoint);
    const modelName = o.model ?? ckpt.sidecar?.model ?? null;
    if (!modelName) throw new ConfigError('model', `${o.checkpoint} has no sidecar naming its model config`, 'Pass --model (e.g. ViT-B-32)');
    loaded = { cfg: loadModelConfig(modelName), weights: ckpt.weights, sidecar: ckpt.sidecar, tokenizer: null, label: o.checkpoint, notes: [] };
  } else {
    const p = await loadPretrainedWeights({ given: o.checkpoint, dataDir: o.dataDir, model: o.model ?? null, field: o.field ?? 'checkpoint' });
    loaded = { cfg: p.cfg, weights: p.stateDict, sidecar: null, tokenizer: p.tokenizer, label: p.label, notes: p.notes };
  }
  assertFiniteWeights(loaded.weights, loaded.label, o.field ?? 'checkpoint');
  return loaded;
}

export interface ModelForEval {
  model: EvalModel;
  cfg: ClipConfig;
  tokenizer: ClipTokenizer;
  /** The model's parameters as tensors; `dispose` frees them. */
  params: Record<string, tf.Tensor>;
  /** The built-in dataset the checkpoint was trained on, if it was (built or verified here). */
  builtin: BuiltinDataset | null;
  dispose(): void;
}

/**
 * The one way `clipwb embed` and evaluation jobs load a checkpoint: the weights (loadEvalModel), the
 * tokenizer as in training (--vocab, else the run's vocabulary, the built-in dataset's, the one that
 * came with published weights, else the shipped standard one for vocab_size 49408), checked against
 * the model, and the parameters as tensors.
 */
export async function loadModelForEval(o: LoadEvalModelOptions & {
  vocab?: string | null;
  /** Build (or verify) the built-in dataset the checkpoint was trained on even when its vocabulary is not needed (its test sets are). */
  builtinDataset?: boolean;
}): Promise<ModelForEval> {
  const model = await loadEvalModel(o);
  const cfg = model.cfg;
  const train = model.sidecar?.trainConfig ?? {};
  const trainData = typeof train.trainData === 'string' && isBuiltin(train.trainData) ? train.trainData : null;
  let builtin = trainData !== null && o.builtinDataset ? await prepareBuiltin(trainData, o.dataDir) : null;
  const builtinVocab = async () => (trainData === null ? null : (builtin ??= await prepareBuiltin(trainData, o.dataDir)).vocabDir);
  const vocab = o.vocab ?? (typeof train.vocab === 'string' ? train.vocab : null) ?? (await builtinVocab()) ?? model.tokenizer ??
    (cfg.text.vocabSize === STANDARD_VOCAB_SIZE ? standardVocabularyPath() : null);
  if (!vocab) {
    throw new ConfigError('vocab', `no tokenizer vocabulary for ${model.label} (vocab_size ${cfg.text.vocabSize})`,
      'Pass --vocab (bpe_simple_vocab_16e6.txt.gz or a folder with vocab.json + merges.txt)');
  }
  const tokenizer = await ClipTokenizer.load(vocab);
  assertVocabularyFitsModel(tokenizer.vocabulary, cfg.text.vocabSize, cfg.name);
  const params = paramsFromStateDict(cfg, model.weights, o.checkpoint);
  return { model, cfg, tokenizer, params, builtin, dispose: () => disposeParams(params) };
}

/**
 * Weights of a diverged run hold NaN or infinities; embeddings of such a model are null and every
 * accuracy 0, which would pass for a result. Refuse them, naming the first bad tensor.
 */
export function assertFiniteWeights(weights: StateDict, label: string, field: string): void {
  for (const [name, t] of weights) {
    const data = t.data;
    let bad = 0;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) bad++;
    if (bad > 0) {
      throw new ConfigError(field, `${label} holds NaN or infinite values (${bad} of ${data.length} in ${name}): the run that wrote it diverged`,
        'Use an earlier checkpoint of that run, and train with a lower --lr');
    }
  }
}
