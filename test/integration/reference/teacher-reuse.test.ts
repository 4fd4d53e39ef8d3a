/** Which earlier teacher `clipwb demo --reference` reuses, on a real SQLite store with real checkpoint files. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrainArgs } from '../../../src-shared/config/train-config';
import { PRESETS } from '../../../src-shared/config/presets';
import {
  DEFAULT_REFERENCE_BUDGET, DEFAULT_VARIANTS, REFERENCE_TAG, findReusableTeacher, formatReferenceTable, meanAndSd, selectVariants, studentArgs, teacherArgs,
  type ReferenceRow,
} from '../../../src-main/cli/reference-experiment';
import { parseSeeds } from '../../../src-main/cli/commands/demo';
import type { JsonObject, Store } from '../../../src-main/store';
import { useTempStores } from '../store/temp-store';

const base = [...PRESETS.find((p) => p.name === 'demo')!.args, '--devices', 'cpu'];
const configOf = (args: string[]) => ({ ...parseTrainArgs(args).config }) as unknown as Record<string, unknown>;

function teacherRun(store: Store, dir: string, args: string[], o: { status?: 'finished' | 'failed'; tags?: string[]; createdAt: number }) {
  const run = store.runs.create({ name: 'reference-teacher', config: configOf(args) as JsonObject, tags: o.tags ?? [REFERENCE_TAG, 'teacher'], origin: 'cli', createdAt: o.createdAt });
  store.runs.setStatus(run.id, o.status ?? 'finished');
  const file = path.join(dir, run.id, 'epoch_5.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '{}');
  store.checkpoints.add({ runId: run.id, path: file, epoch: 5, step: 785, sizeBytes: 2 });
  return { id: run.id, checkpoint: file };
}

describe('findReusableTeacher', () => {
  const stores = useTempStores();
  const args = teacherArgs(base, DEFAULT_REFERENCE_BUDGET);

  it('finds the newest finished teacher with the same config and its last checkpoint', () => {
    const store = stores.open();
    teacherRun(store, stores.dir(), args, { createdAt: 1000 });
    const newer = teacherRun(store, stores.dir(), args, { createdAt: 2000 });
    expect(findReusableTeacher(store, configOf(args))).toMatchObject({ run: { id: newer.id }, checkpoint: newer.checkpoint });
  });

  it('ignores teachers with another budget, unfinished ones, untagged ones and ones whose checkpoint is gone', () => {
    const store = stores.open();
    teacherRun(store, stores.dir(), teacherArgs(base, { ...DEFAULT_REFERENCE_BUDGET, teacherEpochs: 3 }), { createdAt: 1 });
    teacherRun(store, stores.dir(), args, { status: 'failed', createdAt: 2 });
    teacherRun(store, stores.dir(), args, { tags: [REFERENCE_TAG, 'student'], createdAt: 3 });
    const gone = teacherRun(store, stores.dir(), args, { createdAt: 4 });
    fs.rmSync(gone.checkpoint);
    expect(findReusableTeacher(store, configOf(args))).toBeNull();
    const kept = teacherRun(store, stores.dir(), args, { createdAt: 5 });
    expect(findReusableTeacher(store, configOf(args))?.run.id).toBe(kept.id);
  });
});

describe('the experiment plan', () => {
  it('gives the teacher all 60,000 pairs for 2 epochs, every student the same small budget per seed', () => {
    const teacher = configOf(teacherArgs(base, DEFAULT_REFERENCE_BUDGET));
    expect(teacher).toMatchObject({ model: 'clip-tiny-p7-28', epochs: 2, gammaDecayEpochs: 2, trainNumSamples: 60_000, batchSize: 128, evalEvery: 2, seed: 100 });
    // No student shares the teacher's seed, so none starts from the teacher's initial weights.
    expect(DEFAULT_REFERENCE_BUDGET.seeds).not.toContain(DEFAULT_REFERENCE_BUDGET.teacherSeed);
    for (const seed of [0, 1, 2]) {
      const students = selectVariants(['all']).map((v) => configOf(studentArgs(base, DEFAULT_REFERENCE_BUDGET, v, '/t/teacher', seed)));
      expect(students).toHaveLength(7);
      for (const s of students) {
        expect(s).toMatchObject({
          model: 'clip-tiny-p7-28', epochs: 6, gammaDecayEpochs: 6, trainNumSamples: 4_096, warmup: 40, evalEvery: 6, batchSize: 32, lr: 2e-3, seed,
          fastclip: true, multiplyTau: true,
        });
      }
      const byMode = Object.fromEntries(students.map((s) => [String(s.distillMode), s]));
      expect(students[0]).toMatchObject({ distillMode: null, distillPretrained: null, initFromDistilled: false });
      expect(students.filter((s) => s.distillPretrained === '/t/teacher' && s.distillModel === 'clip-tiny-p7-28' && s.distillWeight === 0.5)).toHaveLength(6);
      expect(byMode.kl).toMatchObject({ temperature: 0.01, lockLogitScale: true });
      expect(students[2]).toMatchObject({ distillMode: 'feature', temperature: 0.01, lockLogitScale: true });
      expect(students[3]).toMatchObject({ distillMode: 'feature', initFromDistilled: true, lockLogitScale: false });
    }
  });

  it('the default is every variant; unknown keys are refused by name', () => {
    expect(DEFAULT_VARIANTS).toEqual(['baseline', 'fd', 'fd-frozen-temp', 'fd-init', 'ce', 'kl', 'interactive']);
    expect(selectVariants(['baseline', 'fd', 'fd-frozen-temp', 'fd-init']).map((v) => v.key)).toEqual(['baseline', 'fd', 'fd-frozen-temp', 'fd-init']);
    expect(() => selectVariants(['fd', 'kld'])).toThrow(/unknown variant "kld"/);
    expect(() => selectVariants([])).toThrow(/--variants is empty/);
  });

  it('--seeds takes distinct non-negative integers and names what is wrong', () => {
    expect(parseSeeds(['0', '1', '2'])).toEqual([0, 1, 2]);
    expect(() => parseSeeds([])).toThrow(/--seeds is empty/);
    expect(() => parseSeeds(['0', 'x'])).toThrow(/--seeds: "x" is not a non-negative integer/);
    expect(() => parseSeeds(['1', '1'])).toThrow(/--seeds: 1,1 repeats a seed/);
  });
});

describe('the table', () => {
  const row = (key: string, label: string, seed: number, top1: number | null, status: 'finished' | 'failed' = 'finished'): ReferenceRow =>
    ({ key, label, flags: key === 'baseline' ? [] : ['--x'], role: 'student', runId: `${key}-${seed}`, seed, status, top1, minutes: 1, reused: false });

  it('gives per-seed values, mean, sample sd and range, and the same-seed difference from the baseline', () => {
    expect(meanAndSd([0.5, 0.6, 0.7])).toEqual({ mean: expect.closeTo(0.6, 10), sd: expect.closeTo(0.1, 10) });
    expect(meanAndSd([0.5])).toEqual({ mean: 0.5, sd: 0 });
    expect(meanAndSd([])).toBeNull();
    const table = formatReferenceTable({
      budget: { ...DEFAULT_REFERENCE_BUDGET, seeds: [0, 1] },
      teacher: { ...row('teacher', 'Teacher (t)', 0, 0.85), role: 'teacher', flags: ['--epochs', '2'] },
      students: [row('baseline', 'Baseline', 0, 0.6), row('fd', 'FD', 0, 0.7), row('baseline', 'Baseline', 1, 0.5), row('fd', 'FD', 1, 0.65)],
      complete: true,
    });
    const lines = table.split('\n');
    expect(lines.find((l) => l.startsWith('| Baseline |'))).toBe('| Baseline | - | 0.600 / 0.500 | 0.5500 | ±0.0707 (0.500-0.600) |  | n/a | 1.0 |');
    expect(lines.find((l) => l.startsWith('| FD |'))).toBe('| FD | `--x` | 0.700 / 0.650 | 0.6750 | ±0.0354 (0.650-0.700) | +0.1250 ±0.0354 | n/a | 1.0 |');
    expect(lines.find((l) => l.startsWith('| Teacher (t) |'))).toBe('| Teacher (t) | `--epochs 2` | 0.850 (seed 0) | 0.8500 |  |  | n/a | 1.0 |');
  });

  it('marks a run that did not finish and leaves it out of the mean', () => {
    const table = formatReferenceTable({
      budget: { ...DEFAULT_REFERENCE_BUDGET, seeds: [0, 1] },
      teacher: { ...row('teacher', 'Teacher (t)', 0, 0.85), role: 'teacher' },
      students: [row('baseline', 'Baseline', 0, 0.6), row('baseline', 'Baseline', 1, null, 'failed')],
      complete: false,
    });
    expect(table).toContain('| Baseline | - | 0.600 / - (failed) | 0.6000 |  |  | n/a | 1.0 |');
  });
});
