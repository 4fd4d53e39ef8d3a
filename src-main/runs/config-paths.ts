/**
 * Makes the paths in a run's config absolute. A run outlives the shell that created it: `clipwb runs
 * resume` from another folder, or the app resuming a run made on the command line, must find the same
 * shards, vocabulary and model config.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TrainConfig } from '../../src-shared/config/train-config';

/** Always paths (or brace patterns of paths). */
const PATH_KEYS = ['vocab', 'logs', 'datacompPath'] as const;
/** A name (ViT-B-32, openai, a pulled repo) or a path: resolved only where it looks like a path. */
const NAME_OR_PATH_KEYS = ['model', 'pretrained', 'initCheckpoint', 'distillModel', 'distillPretrained'] as const;

function looksLikePath(value: string, cwd: string): boolean {
  return value.startsWith('./') || value.startsWith('../') || value.startsWith('~/') || /\.(json|safetensors|pt|bin|gz)$/i.test(value) || fs.existsSync(path.resolve(cwd, value));
}

function absolute(value: string, cwd: string): string {
  if (value.startsWith('~/')) return path.join(process.env.HOME ?? cwd, value.slice(2));
  return path.resolve(cwd, value);
}

function isRemoteOrBuiltin(source: string): boolean {
  return source.startsWith('builtin:') || /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || source.startsWith('pipe:');
}

export function absolutizeConfigPaths(config: TrainConfig, cwd: string = process.cwd()): TrainConfig {
  const out: TrainConfig = { ...config };
  if (out.trainData) {
    out.trainData = out.trainData.split('::').map((s) => (isRemoteOrBuiltin(s) || s === '' ? s : absolute(s, cwd))).join('::');
  }
  for (const key of PATH_KEYS) {
    const v = out[key];
    if (typeof v === 'string' && v !== '') out[key] = absolute(v, cwd);
  }
  for (const key of NAME_OR_PATH_KEYS) {
    const v = out[key];
    if (typeof v === 'string' && v !== '' && !path.isAbsolute(v) && looksLikePath(v, cwd)) out[key] = absolute(v, cwd);
  }
  return out;
}
