/** Models pulled into `<dataDir>/models/<org>/<name>/`, read from their manifests. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { MODEL_MANIFEST_NAME, readModelManifest, type ModelManifest } from './manifest';

export interface ModelListing {
  models: { dir: string; manifest: ModelManifest }[];
  /** Folders that look like models but whose manifest is missing or broken (e.g. an interrupted pull). */
  problems: { dir: string; message: string }[];
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    return [];
  }
}

export async function listModels(dataDir: string): Promise<ModelListing> {
  const root = path.join(dataDir, 'models');
  const listing: ModelListing = { models: [], problems: [] };
  for (const org of await subdirs(root)) {
    for (const name of await subdirs(path.join(root, org))) {
      const dir = path.join(root, org, name);
      const entries = await readdir(dir);
      if (!entries.includes(MODEL_MANIFEST_NAME)) {
        listing.problems.push({ dir, message: `no ${MODEL_MANIFEST_NAME}: the pull did not finish; run \`clipwb models pull ${org}/${name}\` again to resume it.` });
        continue;
      }
      try {
        listing.models.push({ dir, manifest: await readModelManifest(dir) });
      } catch (err) {
        listing.problems.push({ dir, message: (err as Error).message });
      }
    }
  }
  return listing;
}
