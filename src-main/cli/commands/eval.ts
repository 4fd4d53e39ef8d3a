import path from 'node:path';
import type { Command } from '../command';
import { parseArgs, formatFlagHelp, str, num, list, type FlagSpec, UsageError } from '../args';
import { openContext, openRunService, HOME_FLAG } from '../context';
import { formatResultsTable } from '../../../src-worker/eval/results-table';
import type { TaskOutcome } from '../../../src-worker/eval/evaluate-tasks';
import { createProgressBar } from '../progress';
import { evaluateCheckpointTarget, resolveCheckpointTarget } from '../../runs/checkpoint-target';
import { loadTaskList } from '../../../src-worker/eval/task-list';
import { formatTaskListing, taskListing } from '../../../src-worker/eval/task-listing';

const FLAGS: FlagSpec[] = [
  { name: 'checkpoint', type: 'string', help: 'Checkpoint: its .json sidecar, .safetensors or PyTorch .pt, a run folder (newest checkpoint), a model folder, or a pulled model\'s name (org/name, openai)' },
  { name: 'tasks', type: 'list', help: 'Task keys or groups, e.g. fashion_mnist, imagenet1k,mscoco, vtab, all' },
  { name: 'data-dir', type: 'string', help: 'Folder of the evaluation sets (DataComp layout: wds_<task>_test/ ...)' },
  { name: 'model', type: 'string', help: 'Model config, for weights without a sidecar (e.g. ViT-B-32)' },
  { name: 'vocab', type: 'string', help: 'Tokenizer files, for weights without a sidecar' },
  { name: 'batch-size', type: 'int', help: 'Images per batch', default: 256 },
  { name: 'backend', type: 'string', help: 'auto, tensorflow, wasm or cpu', default: 'auto' },
  { name: 'results-dir', type: 'string', help: 'Where eval_results/ goes (default: the checkpoint\'s run folder)' },
  { name: 'all-metrics', type: 'bool', help: 'Print every metric, not only the main one' },
  { name: 'list-tasks', type: 'bool', help: 'List the evaluation tasks: which run, which do not and why' },
  { name: 'json', type: 'bool', help: 'With --list-tasks: print JSON' },
  HOME_FLAG,
];

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Evaluate a checkpoint',
  usage: `usage: clipwb eval --checkpoint PATH|ORG/NAME --tasks imagenet1k,mscoco [--data-dir DIR]\n       clipwb eval --list-tasks [--json]\n\nResults are written as DataComp writes them (eval_results/epoch_N_eval_results.jsonl, resumable) and,\nfor checkpoints of runs in the workbench, recorded in the store.\n\n${formatFlagHelp(FLAGS)}`,
  async run(argv) {
    const { flags } = parseArgs(argv, FLAGS, 'eval');
    if (flags['list-tasks']) {
      console.log(flags.json ? JSON.stringify(taskListing(loadTaskList()), null, 2) : formatTaskListing(taskListing(loadTaskList())));
      return 0;
    }
    if (!str(flags.checkpoint)) throw new UsageError('eval: --checkpoint is required (or --list-tasks)');
    if (list(flags.tasks).length === 0) throw new UsageError('eval: --tasks is required, e.g. --tasks fashion_mnist or imagenet1k,mscoco (see --list-tasks)');
    const backend = str(flags.backend)!;
    if (!['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'].includes(backend)) throw new UsageError(`eval: --backend must be auto, tensorflow, webgpu, wasm or cpu, got "${backend}"`);
    const ctx = openContext(str(flags.home));
    const { service, monitor } = await openRunService(ctx);
    try {
      const target = resolveCheckpointTarget(str(flags.checkpoint)!, ctx.store, ctx.dataDir);
      const known = target.checkpoint;
      const options = {
        datacompPath: str(flags['data-dir']) ? path.resolve(str(flags['data-dir'])!) : null,
        batchSize: num(flags['batch-size']), backend: backend as 'auto', model: str(flags.model) ?? null, vocab: str(flags.vocab) ?? null,
        // Default: the run's folder; a pulled model's own folder (models/<org>/<name>/eval_results/).
        ...(str(flags['results-dir']) ? { resultsDir: path.resolve(str(flags['results-dir'])!) } : {}),
      };
      const { done } = evaluateCheckpointTarget(service, target, list(flags.tasks), options);
      const bar = createProgressBar('eval');
      service.on('event', (e) => {
        if (e.type === 'eval-job' && e.total > 1) bar.update(e.done, e.total, e.message);
        else if (e.type === 'eval-job' && e.message && e.job.status === 'running') console.error(e.message);
      });
      const result = await done;
      bar.done();
      if (result.status === 'failed') {
        console.error(`evaluation failed: ${result.error}`);
        return 1;
      }
      const outcomes = (result.summary?.outcomes ?? []) as TaskOutcome[];
      console.log(formatResultsTable({ outcomes }, { allMetrics: Boolean(flags['all-metrics']) }));
      console.log(`\nresults: ${String(result.summary?.resultsFile ?? '')}${known ? ' (also recorded in the workbench)' : ''}`);
      if (outcomes.length > 0 && outcomes.every((o) => o.status === 'skipped')) {
        // Nothing was evaluated: a script must not take this for a result.
        console.error('error: no task was evaluated (all skipped; the table says why). Download the eval sets with `clipwb data download evalsets --tasks ...` or point --data-dir at them');
        return 1;
      }
      return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
    } finally {
      await service.close();
      await monitor.stop();
      await ctx.close();
    }
  },
};
