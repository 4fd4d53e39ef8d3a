import path from 'node:path';
import type { Command } from '../command';
import { OPTIONS, normaliseFlag } from '../../../src-shared/config/options';
import { PRESETS } from '../../../src-shared/config/presets';
import { ConfigError } from '../../../src-shared/config/train-config';
import { openContext, openRunService, takeHomeFlag } from '../context';
import { startWhenFree, watchRun } from '../watch-run';
import { printRunOutcome } from '../run-outcome';
import { UsageError } from '../args';
import { WorkbenchError } from '../../../src-shared/errors';

function usage(): string {
  const groups = new Map<string, string[]>();
  for (const o of OPTIONS) {
    const line = `  --${o.flag}${o.type === 'bool' ? '' : ` <${o.type === 'enum' ? o.choices?.join('|') : o.type}>`}`;
    const text = `${line.padEnd(48)}${o.help}${o.default !== null && o.default !== undefined && o.type !== 'bool' && !(Array.isArray(o.default) && o.default.length === 0) ? ` [${String(o.default)}]` : ''}`;
    groups.set(o.group, [...(groups.get(o.group) ?? []), text]);
  }
  return [
    'usage: clipwb train [--preset NAME] [options]',
    '',
    'Flags keep the names of the reference paper\'s code (--batch-size, --lr_tau, --temperature_scheme ...); - and _ are interchangeable.',
    'Runs are recorded in the workbench store (the app shows them). Ctrl-C pauses with a checkpoint.',
    '',
    'presets:',
    ...PRESETS.map((p) => `  ${p.name.padEnd(22)}${p.title}`),
    '',
    ...[...groups].flatMap(([g, lines]) => [`${g}:`, ...lines, '']),
    '  --home <dir>                                    Workbench data folder',
  ].join('\n');
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train a CLIP model',
  get usage() { return usage(); },
  async run(argv) {
    const { home, rest } = takeHomeFlag(argv);
    const ctx = openContext(home);
    const { service, monitor } = await openRunService(ctx);
    try {
      // Parsed and checked once (the run pre-flight): that config is what the run stores and its worker
      // gets. Its warnings are printed here and recorded on the run, once each.
      const checked = service.validate(rest);
      const { config } = checked;
      for (const w of checked.warnings) console.error(`warning: ${w}`);
      let runId: string;
      if (config.resume) {
        // A resumed run keeps the config it was started with: say so for every other flag given.
        const ignored = rest.filter((t) => t.startsWith('--')).map((t) => t.slice(2).split('=')[0]!)
          .filter((f) => !['resume', 'name'].includes(normaliseFlag(f)));
        if (ignored.length > 0) {
          console.error(`warning: ${ignored.map((f) => `--${f}`).join(', ')} ignored: --resume continues the run with the config it was started with (\`clipwb runs show\` shows it); start a new run with --init-checkpoint to change it`);
        }
        const target = resolveResume(ctx.store, config.resume, config.name);
        runId = target.runId;
        service.resume(runId, target.checkpoint !== undefined ? { checkpoint: target.checkpoint } : {});
        console.error(`resuming run ${runId}`);
      } else {
        const run = service.createRun({ config: checked });
        runId = run.id;
        console.error(`run ${run.name} (${run.id}) -> ${run.outDir}`);
      }
      await startWhenFree(service, runId);
      const run = await watchRun(service, runId);
      printRunOutcome(ctx.store, run);
      return run.status === 'finished' || run.status === 'paused' ? 0 : 1;
    } finally {
      await service.close();
      await monitor.stop();
      await ctx.close();
    }
  },
};

/**
 * --resume latest (with --name): the run's newest whole checkpoint. --resume PATH: exactly that
 * checkpoint of a run in the store (refused if damaged, never swapped for another).
 */
function resolveResume(store: import('../../store').Store, resume: string, name: string | null): { runId: string; checkpoint?: string } {
  if (resume === 'latest') {
    if (!name) throw new UsageError('resume: --resume latest needs --name of the run to continue');
    const run = store.runs.list({ search: name }).filter((r) => r.name === name).sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!run) throw new WorkbenchError(`resume: no run named "${name}" in the store; \`clipwb runs list\` shows the runs`, { kind: 'not-found', field: 'resume' });
    return { runId: run.id };
  }
  const abs = path.resolve(resume);
  const ckpt = store.checkpoints.getByPath(abs) ?? store.checkpoints.getByPath(abs.replace(/\.safetensors$/, '.json'));
  if (!ckpt) throw new ConfigError('resume', `${resume} is not a checkpoint of a run in this store`, 'Start a new run from its weights with --init-checkpoint');
  return { runId: ckpt.runId, checkpoint: ckpt.path };
}
