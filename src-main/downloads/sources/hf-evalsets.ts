/**
 * DataComp evaluation sets on the hub (docs/design/algorithms.md#evaluation-sets): classification tasks are dataset repos
 * `djghosh/wds_<task>_test` with classnames.txt, zeroshot_classification_templates.txt,
 * test/nshards.txt and test/0.tar ... test/{n-1}.tar (tar SHA-256 from the LFS pointers).
 */
import path from 'node:path';
import type { DownloadSpec } from '../types';
import { hubDownloadSpecs, listHubFiles, type HubConfig, type HubFileEntry, type HubRepoRef } from './hf-hub';
import type { FetchTextOptions } from '../fetch-text';

/** "fairness/dollar_street" -> "djghosh/wds_dollar_street_test"; "vtab/cifar100" -> "djghosh/wds_vtab-cifar100_test". */
export function evalsetRepoId(task: string): string {
  const name = task.replace(/^fairness\//, '').replace(/\//g, '-');
  return `djghosh/wds_${name}_test`;
}

export function isEvalsetFile(p: string): boolean {
  return (
    p === 'classnames.txt' ||
    p === 'zeroshot_classification_templates.txt' ||
    p === 'dataset_type.txt' ||
    p === 'test/nshards.txt' ||
    /^test\/\d+\.tar$/.test(p)
  );
}

/** Lists the task's repo and returns specs into `<dataDir>/wds_<task>_test/`. */
export async function evalsetDownloadSpecs(
  task: string,
  dataDir: string,
  config: HubConfig,
  options: FetchTextOptions = {},
): Promise<{ ref: HubRepoRef; files: HubFileEntry[]; specs: DownloadSpec[]; dir: string }> {
  const ref: HubRepoRef = { repo: evalsetRepoId(task), type: 'dataset', revision: 'main' };
  const files = (await listHubFiles(ref, config, options)).filter((f) => isEvalsetFile(f.path));
  const dir = path.join(dataDir, ref.repo.split('/')[1] ?? ref.repo);
  return { ref, files, specs: hubDownloadSpecs(ref, files, dir, config), dir };
}
