/** What the terminal shows when a run ends: status, where its files are, its evaluations, how to go on. */
import type { Run, Store } from '../store';
import { CONFIG_FAILURE_NOTE } from '../runs/active-run';
import { storedConfig } from '../runs/service';
import { toCommandLine } from '../../src-shared/config/train-config';

export function printRunOutcome(store: Store, run: Run): void {
  console.log('');
  console.log(`run ${run.name} (${run.id}): ${run.status}`);
  if (run.error) console.log(`error: ${run.error}`);
  if (run.outDir) console.log(`files: ${run.outDir}`);
  const evals = store.evaluations.list({ runIds: [run.id], mainOnly: true });
  if (evals.length > 0) {
    console.log('');
    console.log(formatEvalTable(evals.map((e) => ({ epoch: e.epoch, task: e.task, metric: e.metric, value: e.value }))));
  }
  if (run.status === 'failed' && run.error?.includes(CONFIG_FAILURE_NOTE)) {
    // Resuming a run its worker refused in set-up fails the same way: offer the command to edit instead.
    let command = '';
    try { command = toCommandLine(storedConfig(run)); } catch { /* the stored config no longer validates */ }
    console.log(`\nfix the configuration and start a new run${command ? `; this run's command was:\n${command}` : ''}`);
  } else if (run.status === 'paused' || run.status === 'failed' || run.status === 'interrupted' || run.status === 'cancelled') {
    console.log(run.resumable
      ? `\nresume with: clipwb runs resume ${run.id}`
      : `\nrun it again with: clipwb runs resume ${run.id} (it has no checkpoint: it starts from step 0)`);
  }
}

export function formatEvalTable(rows: { epoch: number | null; task: string; metric: string; value: number | null }[]): string {
  const header = ['epoch', 'task', 'metric', 'value'];
  const body = rows.map((r) => [String(r.epoch ?? '-'), r.task, r.metric, r.value === null ? '-' : r.value.toFixed(4)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...body.map(fmt)].join('\n');
}
