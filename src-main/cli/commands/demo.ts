import type { Command } from '../command';
import { parseArgs, formatFlagHelp, str, num, type FlagSpec } from '../args';
import { PRESETS } from '../../../src-worker/train/presets';
import { openContext, openRunService, HOME_FLAG } from '../context';
import { ensureBuiltinDataset } from '../builtin';
import { startWhenFree, watchRun } from '../watch-run';
import { printRunOutcome } from '../run-outcome';

const FLAGS: FlagSpec[] = [
  { name: 'objective', type: 'string', help: 'fastclip-v3 (default) or infonce, for a comparison at the same budget', default: 'fastclip-v3' },
  { name: 'epochs', type: 'int', help: 'Epochs of 20,000 samples', default: 3 },
  { name: 'nproc', type: 'int', help: 'Worker processes sharing the CPU cores', default: 1 },
  { name: 'seed', type: 'int', help: 'Random seed', default: 0 },
  HOME_FLAG,
];

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Train and evaluate a tiny CLIP on the built-in dataset',
  usage: `usage: clipwb demo [options]\n\nBuilds the built-in Fashion-MNIST image-caption dataset if needed, trains a tiny CLIP with FastCLIP v3\non whatever backend is present, evaluates zero-shot after each epoch, and prints a results table.\n\n${formatFlagHelp(FLAGS)}`,
  async run(argv) {
    const { flags } = parseArgs(argv, FLAGS, 'demo');
    const objective = str(flags.objective)!;
    if (objective !== 'fastclip-v3' && objective !== 'infonce') throw new Error(`demo: --objective must be fastclip-v3 or infonce, got "${objective}"`);
    const ctx = openContext(str(flags.home));
    await ensureBuiltinDataset(ctx.store, ctx.dataDir);
    const { service, monitor } = await openRunService(ctx);
    try {
      const nproc = num(flags.nproc)!;
      const args = [...PRESETS.find((p) => p.name === 'demo')!.args, '--epochs', String(num(flags.epochs)), '--nproc', String(nproc), '--seed', String(num(flags.seed)), '--devices', 'cpu',
        // Several workers already share the cores: then decode on the training thread (libuv's threads).
        '--workers', nproc > 1 ? '0' : '1'];
      if (objective === 'infonce') args.push('--no-fastclip', '--no-multiply_tau');
      const run = service.createRun({ config: args, name: `demo-${objective}`, tags: ['demo'] });
      console.error(`run ${run.name} (${run.id}) -> ${run.outDir}`);
      const t0 = Date.now();
      await startWhenFree(service, run.id);
      const ended = await watchRun(service, run.id);
      printRunOutcome(ctx.store, ended);
      console.log(`\ntraining + evaluation took ${((Date.now() - t0) / 60000).toFixed(1)} min`);
      return ended.status === 'finished' ? 0 : 1;
    } finally {
      await service.close();
      await monitor.stop();
      await ctx.close();
    }
  },
};
