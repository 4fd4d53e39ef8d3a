/**
 * DataComp's retrieval sets (MSCOCO 5k, Flickr 1k) are Hugging Face `datasets` repositories, stored as
 * Parquet: either in the repository itself, or in the hub's automatic conversion branch
 * `refs/convert/parquet` (`default/test/0000.parquet`, ...). Their Parquet files are listed through the
 * hub API and downloaded like every other hub file (pinned to a commit, resumable, size and SHA-256
 * checked) into `<set>/parquet/`, where the converter (src-main/datasets/retrieval-parquet.ts) reads them.
 */
import path from 'node:path';
import { DownloadError } from '../errors';
import type { FetchTextOptions } from '../fetch-text';
import type { DownloadSpec } from '../types';
import { hubDownloadSpecs, listHubFiles, resolveHubRevision, type HubConfig, type HubFileEntry, type HubRepoRef } from './hf-hub';

export const PARQUET_CONVERSION_REVISION = 'refs/convert/parquet';

/** The test split's Parquet files: under a `test` folder or named `test-*.parquet`; all of them when no split is marked. */
export function testSplitParquet(files: readonly HubFileEntry[]): HubFileEntry[] {
  const parquet = files.filter((f) => f.path.endsWith('.parquet'));
  const test = parquet.filter((f) => f.path.split('/').some((seg, i, all) => (i < all.length - 1 && seg === 'test') || (i === all.length - 1 && /^test[-_.]/.test(seg))));
  return (test.length > 0 ? test : parquet).sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

export interface ParquetDownload {
  ref: HubRepoRef;
  files: HubFileEntry[];
  specs: DownloadSpec[];
  /** Where the Parquet files go: `<setDir>/parquet/<path in the repo>`. */
  partsDir: string;
}

/** Lists the dataset's test Parquet files (main first, then the conversion branch) and returns download specs. */
export async function parquetDownloadSpecs(repo: string, setDir: string, config: HubConfig, options: FetchTextOptions = {}): Promise<ParquetDownload> {
  const partsDir = path.join(setDir, 'parquet');
  const tried: string[] = [];
  for (const revision of ['main', PARQUET_CONVERSION_REVISION]) {
    let commit: string;
    try {
      commit = await resolveHubRevision({ repo, type: 'dataset', revision }, config, options);
    } catch (err) {
      // The conversion branch may not exist; main not existing is a real error.
      if (revision === 'main') throw err;
      tried.push(`${revision} (${(err as Error).message.split('\n')[0]})`);
      continue;
    }
    const ref: HubRepoRef = { repo, type: 'dataset', revision: commit };
    const files = testSplitParquet(await listHubFiles(ref, config, options));
    if (files.length > 0) return { ref, files, specs: hubDownloadSpecs(ref, files, partsDir, config), partsDir };
    tried.push(`${revision} (no .parquet files)`);
  }
  throw new DownloadError('invalid', `The hub dataset ${repo} has no Parquet files; looked at ${tried.join(' and ')}.`);
}
