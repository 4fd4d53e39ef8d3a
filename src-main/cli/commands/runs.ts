import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../command';
import { parseArgs, formatFlagHelp, str, num, list, UsageError, type FlagSpec } from '../args';
import { HOME_FLAG, openContext, openRunService, type CliContext } from '../context';
import { RunService, type StopOutcome } from '../../runs/service';
import { isLiveStatus, interruptDeadRuns } from '../../runs/recovery';
import { requestControl } from '../../runs/control';
import { runSummary } from '../../runs/summary';
import { RUN_STATUSES, type RunStatus } from '../../store';
import { runsCsv, seriesCsv, evaluationsWideCsv, evaluationsLongCsv, writeCsvFile } from '../../export';
import { startWhenFree, watchRun } from '../watch-run';
import { printRunOutcome, formatEvalTable } from '../run-outcome';
import { formatColumns } from '../table';

const FLAGS: FlagSpec[] = [
  { name: 'status', type: 'list', help: 'Filter by status (list)' },
  { name: 'tag', type: 'string', help: 'Filter by tag (list)' },
  { name: 'search', type: 'string', help: 'Filter by name (list)' },
  { name: 'limit', type: 'int', help: 'Rows (list)', default: 50 },
  { name: 'runs', type: 'list', help: 'Run ids (export; default all)' },
  { name: 'keys', type: 'list', help: 'Metric keys (export series; default all)' },
  { name: 'out', type: 'string', help: 'Output CSV file (export; default stdout)' },
  { name: 'json', type: 'bool', help: 'JSON output (list, show)' },
  { name: 'wait', type: 'int', help: 'Seconds to wait for a run of another process to stop (cancel, pause)', default: 60 },
  { name: 'force', type: 'bool', help: 'Kill the workers at once with SIGKILL (cancel; the checkpoint of the current step is lost)' },
  HOME_FLAG,
];

const USAGE = `usage:
  clipwb runs list [--status running,failed] [--tag T] [--search NAME] [--json]
  clipwb runs show RUN_ID [--json]
  clipwb runs resume RUN_ID          continue a paused, failed, cancelled or interrupted run from its last checkpoint
                                     (also one made in the app); without a checkpoint it starts again
  clipwb runs pause RUN_ID           write a checkpoint and stop (also a run of the app or another clipwb)
  clipwb runs cancel RUN_ID [--force] stop a run; --force kills its workers at once
  clipwb runs export runs|series|evals|evals-long [--runs ID,ID] [--keys train/loss] [--out FILE.csv]

${formatFlagHelp(FLAGS)}`;

const SUBCOMMANDS = ['list', 'show', 'resume', 'pause', 'cancel', 'export'];

/**
 * Cancel or pause. A run of this store that another process supervises (the app, another clipwb) is
 * asked through the store; this command then waits for it to stop.
 */
async function stopRun(ctx: CliContext, what: 'cancel' | 'pause', id: string, o: { waitS: number; force: boolean }): Promise<number> {
  const run = ctx.store.runs.require(id);
  const service = new RunService({ store: ctx.store, dataDir: ctx.dataDir, origin: 'cli', autoStart: false });
  const stopped = (status: string) => (what === 'cancel' ? status === 'cancelled' : status === 'paused') || status === 'finished';
  const waitUntilStopped = async (seconds: number): Promise<string | null> => {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const now = ctx.store.runs.require(id).status;
      if (!isLiveStatus(now)) return now;
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  try {
    if (o.force && what === 'cancel' && isLiveStatus(run.status)) {
      // Ask first, so that the supervising process records the kill as a cancel, not a crash.
      requestControl(ctx.store, id, 'cancel');
      for (const pid of run.pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ } }
      console.error(`killed the workers of run ${id} (pids ${run.pids.join(', ') || '-'})`);
      const status = (await waitUntilStopped(5)) ?? (service.cancel(id), ctx.store.runs.require(id).status);
      console.log(`run ${id}: ${status}`);
      return stopped(status) ? 0 : 1;
    }
    let outcome: StopOutcome;
    try {
      outcome = what === 'cancel' ? service.cancel(id) : service.pause(id);
    } catch (err) {
      console.error(`error: ${(err as Error).message}`);
      return 1;
    }
    if (outcome === 'nothing') {
      console.log(`run ${id} is ${ctx.store.runs.require(id).status}; nothing to ${what}`);
      return 0;
    }
    if (outcome === 'cancelled') {
      console.log(`run ${id}: cancelled`);
      return 0;
    }
    console.error(`asked the process that runs ${id} to ${what} it; waiting up to ${o.waitS} s...`);
    const status = await waitUntilStopped(o.waitS);
    if (status === null) {
      console.error(`run ${id} is still ${ctx.store.runs.require(id).status} after ${o.waitS} s${what === 'cancel' ? '; clipwb runs cancel --force kills its workers' : ''}`);
      return 1;
    }
    console.log(`run ${id}: ${status}`);
    return stopped(status) ? 0 : 1;
  } finally {
    await service.close();
  }
}

/** Six significant digits without trailing zeros; very small or large values in one exponent notation. */
export function formatMetric(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e6 ? v.toExponential(3) : String(Number(v.toPrecision(6)));
}

function fmtTime(ms: number | null): string {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 16) : '-';
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'List runs, show one, resume, cancel, export CSV',
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || !SUBCOMMANDS.includes(sub)) throw new UsageError(`runs: ${sub ? `unknown subcommand "${sub}"` : 'give a subcommand'} (${SUBCOMMANDS.join(', ')})`);
    const { flags, positionals } = parseArgs(rest, FLAGS, `runs ${sub}`);
    const needsId = ['show', 'resume', 'pause', 'cancel'].includes(sub);
    if (needsId && !positionals[0]) throw new UsageError(`runs ${sub}: give the run id (clipwb runs list shows them)`);
    const ctx = openContext(str(flags.home));
    try {
      // A run whose supervisor and workers died is interrupted, not running: say so before listing it.
      if (sub === 'list' || sub === 'show') interruptDeadRuns(ctx.store);
      switch (sub) {
        case 'list': {
          const statuses = list(flags.status);
          for (const s of statuses) if (!(RUN_STATUSES as readonly string[]).includes(s)) throw new UsageError(`runs list: --status ${s} is not one of ${RUN_STATUSES.join(', ')}`);
          const runs = ctx.store.runs.list({ statuses: statuses as RunStatus[], tag: str(flags.tag), search: str(flags.search), limit: num(flags.limit) });
          const summaries = runs.map((r) => runSummary(ctx.store, r, null));
          if (flags.json) { console.log(JSON.stringify(summaries, null, 2)); return 0; }
          const rows = summaries.map((s) => {
            const loss = s.lastMetrics['train/loss'];
            return [s.id, s.status, fmtTime(s.createdAt), String(s.params.model ?? ''), String(s.params.objective ?? ''), loss == null ? '-' : loss.toFixed(4), s.name];
          });
          console.log(formatColumns(
            [{ header: 'id' }, { header: 'status' }, { header: 'created' }, { header: 'model' }, { header: 'objective' }, { header: 'loss', align: 'right' }, { header: 'name' }],
            rows,
          ));
          return 0;
        }
        case 'show': {
          const run = ctx.store.runs.require(positionals[0] ?? '');
          const s = runSummary(ctx.store, run, null);
          const checkpoints = ctx.store.checkpoints.listForRun(run.id);
          const evals = ctx.store.evaluations.list({ runIds: [run.id] });
          if (flags.json) { console.log(JSON.stringify({ ...s, config: run.config, outDir: run.outDir, checkpoints, evaluations: evals }, null, 2)); return 0; }
          console.log(`${run.name} (${run.id}) ${run.status}${run.error ? `\nerror: ${run.error}` : ''}`);
          console.log(`created ${fmtTime(run.createdAt)}, started ${fmtTime(run.startedAt)}, ended ${fmtTime(run.endedAt)}; devices ${run.devices.join(', ') || '-'}; folder ${run.outDir ?? '-'}`);
          console.log(`params: ${Object.entries(s.params).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
          console.log('\nlast metrics:');
          for (const [k, v] of Object.entries(s.lastMetrics)) console.log(`  ${k.padEnd(36)} ${v === null ? '-' : formatMetric(v)}`);
          console.log(`\ncheckpoints (${checkpoints.length}):`);
          // Numbered within the run (oldest first); the path is what eval, embed and --resume take.
          checkpoints.forEach((c, i) => console.log(`  ${i + 1}. epoch ${c.epoch} step ${c.step}  ${(c.sizeBytes / 1e6).toFixed(1)} MB  ${c.path}`));
          if (evals.length > 0) console.log(`\n${formatEvalTable(evals.filter((e) => e.isMain).map((e) => ({ epoch: e.epoch, task: e.task, metric: e.metric, value: e.value })))}`);
          return 0;
        }
        case 'resume': {
          const id = positionals[0] ?? '';
          const { service, monitor } = await openRunService(ctx);
          try {
            service.resume(id);
            await startWhenFree(service, id);
            const run = await watchRun(service, id);
            printRunOutcome(ctx.store, run);
            return run.status === 'finished' || run.status === 'paused' ? 0 : 1;
          } finally {
            await service.close();
            await monitor.stop();
          }
        }
        case 'cancel':
        case 'pause':
          return await stopRun(ctx, sub, positionals[0]!, { waitS: num(flags.wait)!, force: Boolean(flags.force) });
        case 'export': {
          const what = positionals[0];
          const runIds = list(flags.runs);
          const ids = runIds.length > 0 ? runIds : ctx.store.runs.list({}).map((r) => r.id);
          const chunks = what === 'runs' ? runsCsv(ctx.store, { runIds: ids })
            : what === 'series' ? seriesCsv(ctx.store, { runIds: ids, keys: list(flags.keys).length > 0 ? list(flags.keys) : undefined })
              : what === 'evals' ? evaluationsWideCsv(ctx.store, { runIds: ids })
                : what === 'evals-long' ? evaluationsLongCsv(ctx.store, { runIds: ids })
                  : null;
          if (!chunks) throw new UsageError(`runs export: give runs, series, evals or evals-long (got "${what ?? ''}")`);
          const out = str(flags.out);
          if (out) {
            fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
            const r = await writeCsvFile(path.resolve(out), chunks);
            console.error(`wrote ${r.bytes} bytes to ${r.file}`);
          } else for (const c of chunks) process.stdout.write(c);
          return 0;
        }
        default:
          return 2;
      }
    } finally {
      await ctx.close();
    }
  },
};
