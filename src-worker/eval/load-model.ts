/**
 * What `clipwb eval`, `clipwb embed`, the app's "evaluate a checkpoint file" and --init-checkpoint /
 * --pretrained load: a checkpoint of
 * this workbench (its sidecar names the model, the vocabulary and the epoch), or published weights: a
 * pulled model's name, a model folder, a bare .safetensors or a PyTorch .pt checkpoint, in open_clip or
 * transformers names (see teacher/pretrained.ts).
 */
import { loadModelConfig, type ClipConfig, type StateDict } from '../model';
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
