/**
 * Published weights for evaluation and embedding: a pulled model by name (`openai/clip-vit-base-patch32`,
 * or `openai`), a model folder, a bare .safetensors file or a PyTorch .pt checkpoint, in open_clip or
 * transformers names. Resolution, format, layout detection and name mapping are the teacher loader's;
 * what differs is that there is no student to pair with, and the architecture may come from the
 * weights' own config alone.
 */
import type { ClipConfig } from '../model/config';
import type { StateDict } from '../model/state-dict';
import { architectureDifferences, teacherConfig } from './architecture';
import { MODEL_FIELD, modelError, PRETRAINED_FIELD, pretrainedError } from './errors';
import { ConfigError } from '../../src-shared/config/train-config';
import { hfToOpenClip, looksLikeHfLayout } from './hf-layout';
import { declaredConfig, namedConfig, planTensors, readHeader, readWeights, skippedNote } from './load';
import { resolveReferenceSource } from './resolve-source';

export interface PretrainedWeights {
  cfg: ClipConfig;
  /** open_clip names. */
  stateDict: StateDict;
  /** Tokenizer files that came with the weights, if any. */
  tokenizer: string | null;
  /** Where the weights came from. */
  label: string;
  weightsFile: string;
  layout: 'hf' | 'open_clip';
  /** Debug lines: non-float tensors skipped, where the activation came from, what a .pt held beside the weights. */
  notes: string[];
}

export interface LoadPretrainedOptions {
  /** A pulled model's name, `openai`, a folder, a .safetensors or a .pt file. */
  given: string;
  /** Holds pulled models under models/<org>/<name>/. */
  dataDir: string;
  /** --model: required where the weights declare no architecture (a bare .pt). */
  model?: string | null;
  modelConfigDir?: string;
  /** The flag errors name (default "checkpoint"). */
  field?: string;
}

/** Rewrites the teacher's flag errors (distill-pretrained / distill-model) for the command at hand. */
function renamed<T>(field: string, fn: () => Promise<T>): Promise<T> {
  return fn().catch((err: unknown) => {
    if (!(err instanceof ConfigError)) throw err;
    const to = err.field === PRETRAINED_FIELD ? field : err.field === MODEL_FIELD ? 'model' : err.field;
    const body = err.problem.replace(/--distill-model/g, '--model').replace(/teacher weights/g, 'weights');
    throw new ConfigError(to, body);
  });
}

export function loadPretrainedWeights(options: LoadPretrainedOptions): Promise<PretrainedWeights> {
  return renamed(options.field ?? 'checkpoint', async () => {
    const source = resolveReferenceSource(options.given, options.dataDir);
    const header = await readHeader(source);
    const layout = looksLikeHfLayout(header.entries.map((e) => e.name)) ? 'hf' : 'open_clip';
    const declared = declaredConfig(source, layout);
    const notes: string[] = [];
    let cfg: ClipConfig;
    if (options.model) {
      const named = namedConfig(options.model, options.modelConfigDir);
      if (declared) {
        const diffs = architectureDifferences(named, declared.cfg, declared.isHf);
        if (diffs.length > 0) throw modelError(`--model ${named.name} does not describe the weights of ${source.label}:\n  ${diffs.join('\n  ')}`, 'Leave --model out, or give the config that matches the weights');
      }
      cfg = teacherConfig(named, declared ? declared.cfg.quickGelu : named.quickGelu);
    } else if (declared) {
      cfg = declared.cfg;
    } else {
      throw modelError(`${source.label} declares no architecture (no sidecar, config.json or open_clip_config.json beside it)`, 'Pass --model (e.g. ViT-B-32, or ViT-B-32-quickgelu for OpenAI-trained weights)');
    }
    const plan = planTensors(header.entries, layout, cfg);
    if (plan.problems.length > 0) {
      throw pretrainedError(`${source.weightsFile} (${layout === 'hf' ? 'transformers' : 'open_clip'} names) does not fit ${cfg.name}:\n  ${plan.problems.join('\n  ')}`, 'Check --model against the weights');
    }
    if (plan.skipped.length > 0) notes.push(skippedNote(plan.skipped));
    if (header.ignored.length > 0) notes.push(`ignored beside the state dict: ${header.ignored.join(', ')}`);
    const raw = await readWeights(source.weightsFile, plan.expected.map((e) => e.name), plan.prefix);
    const stateDict = layout === 'hf' ? hfToOpenClip(raw, cfg, { consume: true }) : raw;
    return { cfg, stateDict, tokenizer: source.tokenizer, label: source.label, weightsFile: source.weightsFile, layout, notes };
  });
}
