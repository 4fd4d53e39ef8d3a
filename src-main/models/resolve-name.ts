/**
 * What a "checkpoint" argument names: a path on disk, or a pulled model by its hub name
 * (`openai/clip-vit-base-patch32`, or `openai` for that one), which lives in
 * `<dataDir>/models/<org>/<name>/`. A path wins over a name when both exist.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../src-shared/config/train-config';
import { modelDir, MODEL_MANIFEST_NAME } from './manifest';

export const OPENAI_ALIAS = 'openai';
export const OPENAI_MODEL = 'openai/clip-vit-base-patch32';
const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export interface ResolvedModelArg {
  /** Absolute path: the file or folder given, or the pulled model's folder. */
  path: string;
  /** The hub name when the argument named a pulled model. */
  pulled: string | null;
}

export function resolveModelArg(given: string, dataDir: string, field = 'checkpoint'): ResolvedModelArg {
  const g = given.trim();
  if (g.length === 0) throw new ConfigError(field, 'is empty', 'Give a checkpoint file, a run folder or a pulled model\'s name');
  if (fs.existsSync(g)) return { path: path.resolve(g), pulled: null };
  const repo = g === OPENAI_ALIAS ? OPENAI_MODEL : g;
  if (REPO_ID.test(repo) && !/\.(json|safetensors|pt|pth|bin|ckpt)$/i.test(repo)) {
    const dir = modelDir(dataDir, repo);
    if (!fs.existsSync(dir)) throw new ConfigError(field, `${g} is neither a file nor a pulled model (${dir} does not exist)`, `Run \`clipwb models pull ${repo}\` first, or give a path`);
    if (!fs.existsSync(path.join(dir, MODEL_MANIFEST_NAME))) {
      throw new ConfigError(field, `the pull of ${repo} did not finish (${MODEL_MANIFEST_NAME} is missing)`, `Run \`clipwb models pull ${repo}\` again to resume it`);
    }
    return { path: dir, pulled: repo };
  }
  return { path: path.resolve(g), pulled: null };
}
