/**
 * Which eval sets a download request names. Names resolve through the task list (keys, short names,
 * groups such as `vtab`). Webdataset tasks download as shards; the retrieval sets come as Parquet and are
 * converted; what cannot be had (WinoGAViL, built-in tasks) is refused with what to do instead.
 */
import path from 'node:path';
import { loadTaskList, resolveTasks, type TaskSpec } from '../../src-worker/eval/task-list';
import { EvalSetError } from '../../src-worker/data/eval/eval-folder';
import type { FetchTextOptions } from '../downloads/fetch-text';
import type { HubConfig } from '../downloads/sources/hf-hub';
import { parquetDownloadSpecs } from '../downloads/sources/hf-parquet';
import type { DownloadSpec } from '../downloads/types';
import { convertRetrievalParquet, type ConversionResult, type ConvertOptions } from './retrieval-parquet';

export function resolveEvalsetTasks(names: readonly string[]): TaskSpec[] {
  let tasks: TaskSpec[];
  try {
    tasks = resolveTasks(loadTaskList(), names);
  } catch (err) {
    throw new EvalSetError((err as Error).message, 'tasks');
  }
  for (const t of tasks) {
    if (t.source.kind === 'builtin') throw new EvalSetError(`${t.key} is built in: build it with \`clipwb data build fashion-mnist\`, nothing to download`, 'tasks');
    if (t.source.kind === 'hf_dataset' && t.type !== 'retrieval') {
      throw new EvalSetError(`${t.name} (${t.key}) is not downloaded by the workbench: ${t.supported ? 'its Hugging Face dataset is not in a layout the workbench converts' : `it does not run here (${t.reason ?? 'not supported'})`}`, 'tasks');
    }
  }
  return tasks;
}

export interface RetrievalFetch {
  dir: string;
  result: ConversionResult;
}

/**
 * A retrieval set (MSCOCO, Flickr): downloads the hub dataset's test Parquet files into
 * `<dest>/<dir>/parquet/` with `download` (resumable and checked like every hub download), then converts
 * them into the retrieval layout in `<dest>/<dir>/`.
 */
export async function fetchRetrievalEvalset(
  task: TaskSpec,
  dest: string,
  hub: HubConfig,
  download: (specs: DownloadSpec[], label: string) => Promise<void>,
  options: ConvertOptions & FetchTextOptions = {},
): Promise<RetrievalFetch> {
  if (task.source.kind !== 'hf_dataset' || task.type !== 'retrieval') throw new EvalSetError(`${task.key} is not a retrieval set stored on the hub as Parquet`, 'tasks');
  const dir = path.join(dest, task.source.dir);
  const { specs } = await parquetDownloadSpecs(task.source.hfRepo, dir, hub, options.signal ? { signal: options.signal } : {});
  await download(specs, task.key);
  const result = await convertRetrievalParquet(specs.map((s) => s.dest), dir, options);
  return { dir, result };
}
