/** Which earlier teacher `clipwb demo --reference` reuses, on a real SQLite store with real checkpoint files. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrainArgs } from '../../../src-worker/train/config';
import { PRESETS } from '../../../src-worker/train/presets';
import { DEFAULT_REFERENCE_BUDGET, REFERENCE_TAG, findReusableTeacher, selectVariants, studentArgs, teacherArgs } from '../../../src-main/cli/reference-experiment';
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
    teacherRun(store, stores.dir(), teacherArgs(base, { ...DEFAULT_REFERENCE_BUDGET, teacherEpochs: 2 }), { createdAt: 1 });
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
  it('gives the teacher the bigger model and budget, and every student the same one', () => {
    const teacher = configOf(teacherArgs(base, DEFAULT_REFERENCE_BUDGET));
    expect(teacher).toMatchObject({ model: 'clip-tiny-p4-28', epochs: 5, trainNumSamples: 20_000, evalEvery: 5 });
    const students = selectVariants(['all']).map((v) => configOf(studentArgs(base, DEFAULT_REFERENCE_BUDGET, v, '/t/teacher')));
    expect(students).toHaveLength(7);
    for (const s of students) {
      expect(s).toMatchObject({ model: 'clip-tiny-p7-28', epochs: 3, gammaDecayEpochs: 3, trainNumSamples: 20_000, batchSize: 128, lr: 2e-3, seed: 0, fastclip: true, multiplyTau: true });
    }
    const byMode = Object.fromEntries(students.map((s) => [String(s.distillMode), s]));
    expect(students[0]).toMatchObject({ distillMode: null, distillPretrained: null, initFromDistilled: false });
    expect(students.filter((s) => s.distillPretrained === '/t/teacher' && s.distillModel === 'clip-tiny-p4-28' && s.distillWeight === 0.5)).toHaveLength(6);
    expect(byMode.kl).toMatchObject({ temperature: 0.01, lockLogitScale: true });
    expect(students[2]).toMatchObject({ distillMode: 'feature', temperature: 0.01, lockLogitScale: true });
    expect(students[3]).toMatchObject({ distillMode: 'feature', initFromDistilled: true, lockLogitScale: false });
  });

  it('default variants are the four of the brief; unknown keys are refused by name', () => {
    expect(selectVariants(['baseline', 'fd', 'fd-frozen-temp', 'fd-init']).map((v) => v.key)).toEqual(['baseline', 'fd', 'fd-frozen-temp', 'fd-init']);
    expect(() => selectVariants(['fd', 'kld'])).toThrow(/unknown variant "kld"/);
    expect(() => selectVariants([])).toThrow(/--variants is empty/);
  });
});
