import type { Command } from '../command';
import { parseArgs, formatFlagHelp, str, num, list, type FlagSpec } from '../args';
import { PRESETS } from '../../../src-shared/config/presets';
import { openContext, openRunService, HOME_FLAG } from '../context';
import { ensureBuiltinDataset } from '../builtin';
import { startWhenFree, watchRun } from '../watch-run';
import { printRunOutcome } from '../run-outcome';
import {
  DEFAULT_REFERENCE_BUDGET, DEFAULT_VARIANTS, STUDENT_VARIANTS, TEACHER_MODEL, formatReferenceTable, runReferenceExperiment, selectVariants,
} from '../reference-experiment';
import { WorkbenchError } from '../../../src-shared/errors';

const FLAGS: FlagSpec[] = [
  { name: 'objective', type: 'string', help: 'fastclip-v3 (default) or infonce, for a comparison at the same budget', default: 'fastclip-v3' },
  { name: 'epochs', type: 'int', help: `Epochs of 20,000 samples (default 3; with --reference: of each student, 4,096 samples each, default ${DEFAULT_REFERENCE_BUDGET.studentEpochs})` },
  { name: 'nproc', type: 'int', help: 'Worker processes sharing the CPU cores', default: 1 },
  { name: 'seed', type: 'int', help: `Random seed (default 0; with --reference: the teacher's, default ${DEFAULT_REFERENCE_BUDGET.teacherSeed}, kept apart from the students' seeds so that no student starts from the teacher's initial weights)` },
  { name: 'reference', type: 'bool', help: `The reference paper's reference-model experiment, small: a ${TEACHER_MODEL} teacher, then students without and with it` },
  { name: 'teacher-epochs', type: 'int', help: 'With --reference: epochs of the teacher, each over all 60,000 built-in pairs', default: DEFAULT_REFERENCE_BUDGET.teacherEpochs },
  { name: 'seeds', type: 'list', help: 'With --reference: one student of every variant per seed; the table gives mean and spread', default: DEFAULT_REFERENCE_BUDGET.seeds.map(String) },
  { name: 'variants', type: 'list', help: `With --reference: students to train, of ${STUDENT_VARIANTS.map((v) => v.key).join(', ')}, or all`, default: [...DEFAULT_VARIANTS] },
  { name: 'retrain-teacher', type: 'bool', help: 'With --reference: train a new teacher even if an earlier one with the same config is in the store' },
  HOME_FLAG,
];

/** Budget knobs for tests; not in the help, so the demo's published budget stays the one users run. */
const HIDDEN_FLAGS: FlagSpec[] = [
  { name: 'samples-per-epoch', type: 'int', help: 'Samples per epoch (with --reference: of each student)' },
  { name: 'teacher-samples-per-epoch', type: 'int', help: 'With --reference: samples per teacher epoch', default: DEFAULT_REFERENCE_BUDGET.teacherSamplesPerEpoch },
  { name: 'max-steps', type: 'int', help: 'Stop every run after this many steps' },
];

/** `--seeds 0,1,2`: distinct non-negative integers. */
export function parseSeeds(values: readonly string[]): number[] {
  const seeds = values.map((v) => v.trim()).filter((v) => v !== '');
  if (seeds.length === 0) throw new WorkbenchError('demo: --seeds is empty; give one or more seeds, e.g. --seeds 0,1,2', { kind: 'invalid', field: 'seeds' });
  const bad = seeds.filter((v) => !/^\d+$/.test(v));
  if (bad.length > 0) throw new WorkbenchError(`demo: --seeds: "${bad[0]}" is not a non-negative integer; give seeds like --seeds 0,1,2`, { kind: 'invalid', field: 'seeds' });
  const parsed = seeds.map(Number);
  if (new Set(parsed).size !== parsed.length) throw new WorkbenchError(`demo: --seeds: ${seeds.join(',')} repeats a seed; each seed gives the same run twice, so name each once`, { kind: 'invalid', field: 'seeds' });
  return parsed;
}

const positive = (name: string, v: number | undefined): number => {
  if (v === undefined || v < 1) throw new WorkbenchError(`demo: --${name} must be at least 1, got ${String(v)}`, { kind: 'invalid', field: name });
  return v;
};

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Train and evaluate a tiny CLIP on the built-in dataset',
  usage: `usage: clipwb demo [options]\n\nBuilds the built-in Fashion-MNIST image-caption dataset if needed, trains a tiny CLIP with FastCLIP v3\non whatever backend is present, evaluates zero-shot after each epoch, and prints a results table.\n\n` +
    `clipwb demo --reference reproduces the reference paper's reference-model experiment at small scale: it trains a data-rich\n${TEACHER_MODEL} teacher on all 60,000 built-in pairs (or reuses a finished one from an earlier --reference),\nthen data-starved students of the same model at one equal small budget, without and with the teacher (baseline,\nFD, FD + frozen temperature, FD + init from teacher, CE, KL, interactive), one per seed, and prints a table like\nthe reference paper's with mean and spread over the seeds. About 30 minutes on 2 cores (teacher 4, students 1.2 each).\n\n${formatFlagHelp(FLAGS)}`,
  async run(argv) {
    const { flags } = parseArgs(argv, [...FLAGS, ...HIDDEN_FLAGS], 'demo');
    const objective = str(flags.objective)!;
    if (objective !== 'fastclip-v3' && objective !== 'infonce') throw new WorkbenchError(`demo: --objective must be fastclip-v3 or infonce, got "${objective}"`, { kind: 'invalid', field: 'objective' });
    const reference = flags.reference === true;
    const variants = reference ? selectVariants(list(flags.variants)) : [];
    const epochs = positive('epochs', num(flags.epochs) ?? (reference ? DEFAULT_REFERENCE_BUDGET.studentEpochs : 3));
    const samplesPerEpoch = positive('samples-per-epoch', num(flags['samples-per-epoch']) ?? (reference ? DEFAULT_REFERENCE_BUDGET.studentSamplesPerEpoch : 20_000));
    const seeds = reference ? parseSeeds(list(flags.seeds)) : [];
    const maxSteps = flags['max-steps'] === undefined ? null : positive('max-steps', num(flags['max-steps']));
    const nproc = positive('nproc', num(flags.nproc));
    const seed = num(flags.seed) ?? (reference ? DEFAULT_REFERENCE_BUDGET.teacherSeed : 0);
    const ctx = openContext(str(flags.home));
    await ensureBuiltinDataset(ctx.datasets);
    const { service, monitor } = await openRunService(ctx);
    try {
      const args = [...PRESETS.find((p) => p.name === 'demo')!.args, '--nproc', String(nproc), '--seed', String(seed), '--devices', 'cpu',
        // Several workers already share the cores: then decode on the training thread (libuv's threads).
        '--workers', nproc > 1 ? '0' : '1'];
      if (objective === 'infonce') args.push('--no-fastclip', '--no-multiply_tau');
      const t0 = Date.now();
      const train = async (runId: string) => {
        await startWhenFree(service, runId);
        return watchRun(service, runId);
      };
      if (reference) {
        const result = await runReferenceExperiment({
          store: ctx.store, service, baseArgs: args, variants, reuseTeacher: flags['retrain-teacher'] !== true, train, say: (l) => console.log(l),
          budget: {
            ...DEFAULT_REFERENCE_BUDGET, teacherEpochs: positive('teacher-epochs', num(flags['teacher-epochs'])),
            teacherSamplesPerEpoch: positive('teacher-samples-per-epoch', num(flags['teacher-samples-per-epoch'])),
            studentEpochs: epochs, studentSamplesPerEpoch: samplesPerEpoch, teacherSeed: seed, seeds, maxSteps,
          },
        });
        console.log(`\nReference-model experiment (runs tagged reference-demo):\n\n${formatReferenceTable(result)}`);
        console.log(`\nthe experiment took ${((Date.now() - t0) / 60000).toFixed(1)} min${result.teacher.reused ? ' (teacher reused)' : ''}`);
        if (!result.complete) console.log('not every run finished; the table shows what there is');
        return result.complete ? 0 : 1;
      }
      args.push('--epochs', String(epochs), '--train-num-samples', String(samplesPerEpoch));
      if (maxSteps !== null) args.push('--max-steps', String(maxSteps));
      const run = service.createRun({ config: args, name: `demo-${objective}`, tags: ['demo'] });
      console.error(`run ${run.name} (${run.id}) -> ${run.outDir}`);
      const ended = await train(run.id);
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
