/**
 * `<dataDir>/models/<org>/<name>/clipwb-model.json`: what was pulled, from where, when, and each
 * file's size and SHA-256, so a model folder can be checked and its origin cited.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../../src-shared/errors';

export const MODEL_MANIFEST_NAME = 'clipwb-model.json';

export const weightsFormatSchema = z.enum(['open_clip-safetensors', 'hf-transformers-safetensors', 'open_clip-pytorch-bin', 'torch-pt']);
export type WeightsFormat = z.infer<typeof weightsFormatSchema>;

export const modelManifestSchema = z.object({
  version: z.literal(1),
  repo: z.string(),
  /** The revision asked for (branch, tag or commit) and the commit it resolved to. */
  revision: z.string(),
  commit: z.string(),
  /** Hub endpoint the files came from. */
  source: z.string(),
  pulledAt: z.string(),
  weights: z.object({ file: z.string(), format: weightsFormatSchema }),
  files: z.array(z.object({ path: z.string(), size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
});

export type ModelManifest = z.infer<typeof modelManifestSchema>;

export function modelDir(dataDir: string, repo: string): string {
  const [org, name] = repo.split('/');
  return path.join(dataDir, 'models', org ?? repo, name ?? '');
}

export async function writeModelManifest(dir: string, manifest: ModelManifest): Promise<void> {
  const file = path.join(dir, MODEL_MANIFEST_NAME);
  await writeFile(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

export async function readModelManifest(dir: string): Promise<ModelManifest> {
  const file = path.join(dir, MODEL_MANIFEST_NAME);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new WorkbenchError(`${file} cannot be read as JSON (${(err as Error).message}); pull the model again.`, { kind: 'internal' });
  }
  const parsed = modelManifestSchema.safeParse(json);
  if (!parsed.success) throw new WorkbenchError(`${file} is not a valid model manifest (${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? '?'}); pull the model again.`, { kind: 'internal' });
  return parsed.data;
}
