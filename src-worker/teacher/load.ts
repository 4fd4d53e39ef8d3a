/**
 * Loads the reference (teacher) model for distillation: resolves --distill-pretrained, checks everything
 * that can be checked before training (file format, architecture against --distill-model, the pairing
 * with the student, the shared tokenizer, every tensor's name and shape), then reads the weights once and
 * uploads them as plain tensors (never tf.Variables: the teacher is forward-only and must not be a
 * gradient target).
 *
 * Memory: the host copy (`stateDict`, open_clip names) is kept only for --init-from-distilled; call
 * `releaseStateDict()` once the student is initialised (or right away without init) so a 600 MB ViT-B
 * teacher is not held twice. On the cpu backend the tensors share those arrays anyway; on wasm and
 * tfjs-node the backend has its own copy and releasing frees the host one.
 */
import fs from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { readWeights as readWeightsFile, readWeightsHeader, type WeightsEntry, type WeightsHeader } from '../io/weights';
import { paramsFromStateDict, disposeParams } from '../model/clip';
import { loadModelConfig, parseModelConfig, type ClipConfig } from '../model/config';
import { clipParamSpecs } from '../model/param-spec';
import type { StateDict } from '../model/state-dict';
import { ClipTokenizer } from '../text';
import { architectureDifferences, teacherConfig } from './architecture';
import { tensorListProblems, type ExpectedTensor } from './check-tensors';
import { asPretrainedError, modelError, pretrainedError } from './errors';
import { readHfClipConfig } from './hf-config';
import { hfParamSpecs, hfToOpenClip, isHfIgnoredBuffer, looksLikeHfLayout } from './hf-layout';
import { assertSharedTokenizer, assertTeacherFitsStudent, type TeacherTokenizer } from './pairing';
import { resolveReferenceSource, type ResolvedSource } from './resolve-source';

export interface LoadReferenceOptions {
  /** --distill-model: a config name or an open_clip JSON path. */
  model: string;
  /** --distill-pretrained. */
  pretrained: string;
  /** Holds pulled models under models/<org>/<name>/. */
  dataDir: string;
  student: ClipConfig;
  studentTokenizer: ClipTokenizer;
  /** Where named configs live (default: the bundled resources/model_configs). */
  modelConfigDir?: string;
}

export interface ReferenceModel {
  /** --distill-model's architecture with the activation the weights were trained with. */
  cfg: ClipConfig;
  /** Plain tensors by open_clip name (not variables). The owner disposes them (disposeParams or dispose()). */
  params: Record<string, tf.Tensor>;
  /** Host weights by open_clip name, for initStudentFromTeacher; empty after releaseStateDict(). */
  stateDict: StateDict;
  /** Where the weights came from, for the run log. */
  source: string;
  layout: 'hf' | 'open_clip';
  /** Things worth a log line (e.g. an activation that could not be confirmed from the files). */
  notes: string[];
  /** Drops the host weights (stateDict becomes empty). */
  releaseStateDict(): void;
  /** Disposes the tensors and drops the host weights. */
  dispose(): void;
}

/** open_clip's converter drops these from OpenAI JIT state dicts; they are ints, not weights. */
const OPENAI_JIT_EXTRAS = new Set(['input_resolution', 'context_length', 'vocab_size']);
const MODULE_PREFIX = 'module.';

export async function readHeader(source: ResolvedSource): Promise<WeightsHeader> {
  try {
    return await readWeightsHeader(source.weightsFile);
  } catch (err) {
    throw asPretrainedError(err, `teacher weights ${source.weightsFile}`, 'Download or convert the weights again (safetensors or a torch.save .pt file, open_clip or transformers names)');
  }
}

export function namedConfig(model: string, dir: string | undefined): ClipConfig {
  try {
    return loadModelConfig(model, dir);
  } catch (err) {
    throw modelError((err as Error).message, 'Give a known config name (e.g. ViT-B-32) or an open_clip config JSON');
  }
}

interface Declared {
  cfg: ClipConfig;
  isHf: boolean;
}

/** The architecture the weights' own files declare, if they declare one. */
export function declaredConfig(source: ResolvedSource, layout: 'hf' | 'open_clip'): Declared | null {
  const fix = 'Fix or remove the config file, or give the weights alone';
  if (layout === 'hf') {
    if (!source.hfConfigFile) {
      throw pretrainedError(
        `${source.weightsFile} has Hugging Face transformers tensor names but no config.json beside it; its hidden_act decides GELU vs QuickGELU`,
        'Put the model\'s config.json next to the weights (`clipwb models pull <org>/<name>` fetches it)',
      );
    }
    try {
      const { cfg } = readHfClipConfig(source.hfConfigFile);
      return { cfg, isHf: true };
    } catch (err) {
      throw asPretrainedError(err, 'teacher config', fix);
    }
  }
  try {
    if (source.checkpoint) return { cfg: parseModelConfig(source.checkpoint.modelConfig, source.checkpoint.sidecarFile), isHf: false };
    if (source.openClipConfigFile) {
      const raw = JSON.parse(fs.readFileSync(source.openClipConfigFile, 'utf8')) as { model_cfg?: unknown };
      if (typeof raw !== 'object' || raw === null || raw.model_cfg === undefined) throw new Error(`${source.openClipConfigFile} has no model_cfg`);
      return { cfg: parseModelConfig(raw.model_cfg, source.openClipConfigFile), isHf: false };
    }
  } catch (err) {
    throw asPretrainedError(err, 'teacher config', fix);
  }
  return null;
}

async function teacherTokenizer(source: ResolvedSource): Promise<TeacherTokenizer | null> {
  if (!source.tokenizer) return null;
  try {
    return { tokenizer: await ClipTokenizer.load(source.tokenizer), exactSize: source.kind !== 'checkpoint', location: source.tokenizer };
  } catch (err) {
    throw asPretrainedError(err, 'the teacher\'s tokenizer files', 'Fix or remove them (they must be the CLIP BPE files of these weights)');
  }
}

function checkCheckpointSize(source: ResolvedSource): void {
  if (!source.checkpoint) return;
  const actual = fs.statSync(source.weightsFile).size;
  if (actual !== source.checkpoint.weightsBytes) {
    throw pretrainedError(
      `${source.weightsFile} has ${actual} bytes, its sidecar ${source.checkpoint.sidecarFile} says ${source.checkpoint.weightsBytes}; the checkpoint is incomplete or was modified`,
      'Use another checkpoint of the run',
    );
  }
}

/** Reads the expected tensors as float32 host arrays, under their logical (unprefixed) names. */
export async function readWeights(file: string, names: readonly string[], prefix: string): Promise<StateDict> {
  let contents: Awaited<ReturnType<typeof readWeightsFile>>;
  try {
    contents = await readWeightsFile(file, { names: names.map((n) => prefix + n) });
  } catch (err) {
    throw asPretrainedError(err, `teacher weights ${file}`, 'Download or convert the weights again');
  }
  const sd: StateDict = new Map();
  for (const [name, t] of contents.tensors) {
    if (!(t.data instanceof Float32Array)) throw pretrainedError(`${file}: tensor ${name} is ${t.sourceDtype}, not floating point`, 'Convert the weights again');
    sd.set(name.slice(prefix.length), { shape: t.shape, data: t.data });
    contents.tensors.delete(name);
  }
  return sd;
}

export interface TensorPlan {
  expected: ExpectedTensor[];
  /** `module.` where every open_clip name carries it (a safetensors export of a DDP model). */
  prefix: string;
  problems: string[];
  /** Non-float tensors the model does not use (position_ids, counters), skipped. */
  skipped: string[];
}

const FLOAT = new Set(['F32', 'F16', 'BF16']);

/**
 * Which tensors of the file the model reads, under which prefix, and what is wrong. Integer tensors the
 * model does not use are skipped, not fatal: exports carry buffers such as position_ids (I64).
 */
export function planTensors(entries: readonly WeightsEntry[], layout: 'hf' | 'open_clip', cfg: ClipConfig): TensorPlan {
  const names = entries.map((e) => e.name);
  const prefix = layout === 'open_clip' && names.length > 0 && names.every((n) => n.startsWith(MODULE_PREFIX)) ? MODULE_PREFIX : '';
  const expected: ExpectedTensor[] = layout === 'hf' ? hfParamSpecs(cfg) : clipParamSpecs(cfg);
  const wanted = new Set(expected.map((e) => e.name));
  const skipped: string[] = [];
  const kept = entries.filter((e) => {
    const n = e.name.slice(prefix.length);
    if (wanted.has(n) || FLOAT.has(e.dtype)) return true;
    skipped.push(`${e.name} (${e.dtype})`);
    return false;
  });
  const logicalName = (name: string): string | null => {
    const n = name.slice(prefix.length);
    if (layout === 'hf' ? isHfIgnoredBuffer(n) : OPENAI_JIT_EXTRAS.has(n)) return null;
    return n;
  };
  return { expected, prefix, problems: tensorListProblems(kept, logicalName, expected), skipped };
}

export function skippedNote(skipped: readonly string[]): string {
  const shown = skipped.slice(0, 8).join(', ');
  return `skipped ${skipped.length} non-float tensor${skipped.length === 1 ? '' : 's'} the model does not use: ${shown}${skipped.length > 8 ? ', ...' : ''}`;
}

export async function loadReferenceModel(options: LoadReferenceOptions): Promise<ReferenceModel> {
  const source = resolveReferenceSource(options.pretrained, options.dataDir);
  const header = await readHeader(source);
  checkCheckpointSize(source);
  const named = namedConfig(options.model, options.modelConfigDir);

  const layout = looksLikeHfLayout(header.entries.map((e) => e.name)) ? 'hf' : 'open_clip';
  const declared = declaredConfig(source, layout);
  const notes: string[] = [];
  if (declared) {
    const diffs = architectureDifferences(named, declared.cfg, declared.isHf);
    if (diffs.length > 0) {
      throw modelError(
        `--distill-model ${named.name} does not describe the weights of ${source.label}:\n  ${diffs.join('\n  ')}`,
        'Pick the --distill-model that matches the teacher weights, or other weights',
      );
    }
  } else {
    notes.push(`activation taken from --distill-model ${named.name} (${named.quickGelu ? 'QuickGELU' : 'GELU'}): the weights came without a config; for OpenAI weights use a -quickgelu config`);
  }
  const cfg = teacherConfig(named, declared ? declared.cfg.quickGelu : named.quickGelu);

  assertTeacherFitsStudent(cfg, options.student);
  assertSharedTokenizer(cfg, options.studentTokenizer, await teacherTokenizer(source));

  const plan = planTensors(header.entries, layout, cfg);
  if (plan.problems.length > 0) {
    throw pretrainedError(
      `teacher weights ${source.weightsFile} (${layout === 'hf' ? 'transformers' : 'open_clip'} names) do not fit ${cfg.name}:\n  ${plan.problems.join('\n  ')}`,
      'Check that --distill-model matches the weights, or download/convert them again',
    );
  }
  if (plan.skipped.length > 0) notes.push(skippedNote(plan.skipped));
  const { expected, prefix } = plan;

  const raw = await readWeights(source.weightsFile, expected.map((e) => e.name), prefix);
  const stateDict = layout === 'hf' ? hfToOpenClip(raw, cfg, { consume: true }) : raw;
  const params = paramsFromStateDict(cfg, stateDict, source.label);
  return {
    cfg,
    params,
    stateDict,
    source: source.label,
    layout,
    notes,
    releaseStateDict: () => stateDict.clear(),
    dispose: () => {
      disposeParams(params);
      stateDict.clear();
    },
  };
}
