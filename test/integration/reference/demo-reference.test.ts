/**
 * `clipwb demo --reference` end to end with a tiny budget (2 steps per run, one seed, the four FD
 * variants): a real CLI process, real worker processes, the real built-in dataset and store. Checks the
 * flow, not the accuracy.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Run, type Store } from '../../../src-main/store';
import { dataLayout } from '../../../src-main/paths';

const repo = path.resolve(import.meta.dirname, '..', '..', '..');
const TINY = ['--samples-per-epoch', '256', '--teacher-samples-per-epoch', '256', '--epochs', '1', '--teacher-epochs', '1', '--max-steps', '2', '--seeds', '0'];
const FD_VARIANTS = ['--variants', 'baseline,fd,fd-frozen-temp,fd-init'];
const TEACHER_LABEL = 'Teacher (clip-tiny-p7-28, 1 epoch x 256)';

function clipwb(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin', 'clipwb.mjs'), ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The final table's row whose first cell starts with `label` (after a table per finished seed), split into cells. */
function tableRow(stdout: string, label: string): string[] {
  const line = stdout.split('\n').findLast((l) => l.startsWith(`| ${label}`));
  if (!line) throw new Error(`no table row "${label}" in:\n${stdout.slice(-3000)}`);
  return line.split('|').slice(1, -1).map((c) => c.trim());
}

describe('clipwb demo --reference (tiny budget)', () => {
  let home: string;
  let first: { code: number | null; stdout: string; stderr: string };
  let store: Store;
  const runsByKey = new Map<string, Run>();

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-reference-'));
    first = await clipwb(['demo', '--reference', '--home', home, ...TINY, ...FD_VARIANTS]);
    store = openStore({ file: dataLayout(home).database });
    for (const run of store.runs.list({ tag: 'reference-demo' })) {
      const key = run.tags.find((t) => t !== 'reference-demo' && t !== 'student' && !t.startsWith('seed-'));
      if (key) runsByKey.set(key, run);
    }
    // Five runs, each with a 10,000-image evaluation: a few minutes on a loaded 2-core machine.
  }, 600_000);

  afterAll(() => {
    store?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('trains the teacher, then four students, all finished and tagged', () => {
    expect(first.code, first.stderr.slice(-2000)).toBe(0);
    expect([...runsByKey.keys()].sort()).toEqual(['baseline', 'fd', 'fd-frozen-temp', 'fd-init', 'teacher']);
    for (const run of runsByKey.values()) expect(run.status, run.name).toBe('finished');
    expect(runsByKey.get('teacher')!.config.model).toBe('clip-tiny-p7-28');
    expect(runsByKey.get('teacher')!.config.seed).toBe(100); // --reference's teacher seed, apart from the students'
    expect(first.stdout).not.toMatch(/also the teacher's seed/);
    for (const key of ['baseline', 'fd', 'fd-frozen-temp', 'fd-init']) expect(runsByKey.get(key)!.config.model).toBe('clip-tiny-p7-28');
  });

  it('gives every student the same budget, and the teacher another', () => {
    const budget = (r: Run) => ({ epochs: r.config.epochs, samples: r.config.trainNumSamples, batch: r.config.batchSize, lr: r.config.lr, seed: r.config.seed, maxSteps: r.config.maxSteps });
    const students = ['baseline', 'fd', 'fd-frozen-temp', 'fd-init'].map((k) => budget(runsByKey.get(k)!));
    for (const s of students) expect(s).toEqual(students[0]);
    expect(students[0]).toMatchObject({ seed: 0, samples: 256, epochs: 1 });
    for (const key of ['baseline', 'fd', 'fd-frozen-temp', 'fd-init']) expect(runsByKey.get(key)!.tags).toContain('seed-0');
  });

  it('the distilled students load the teacher trained first; only they log distill_loss', () => {
    const teacher = runsByKey.get('teacher')!;
    for (const key of ['fd', 'fd-frozen-temp', 'fd-init']) {
      const run = runsByKey.get(key)!;
      expect(String(run.config.distillPretrained)).toContain(teacher.outDir!);
      expect(run.config.distillMode).toBe('feature');
      const loaded = store.events.list({ runId: run.id }).map((e) => e.message);
      expect(loaded.some((m) => m.startsWith('teacher clip-tiny-p7-28 from')), loaded.join('\n')).toBe(true);
      expect(store.metrics.getSeries(run.id, 'train/distill_loss')?.pointCount ?? 0).toBeGreaterThan(0);
    }
    expect(runsByKey.get('baseline')!.config.distillPretrained).toBeNull();
    expect(store.metrics.getSeries(runsByKey.get('baseline')!.id, 'train/distill_loss')).toBeUndefined();
  });

  it('the init student copies every tensor (same model as the teacher); the frozen one keeps scale 100', () => {
    const messages = store.events.list({ runId: runsByKey.get('fd-init')!.id }).map((e) => e.message);
    const copied = messages.map((m) => /init from teacher: copied (\d+) of (\d+) tensors(.*)$/.exec(m)).find((m) => m !== null);
    expect(copied, messages.join('\n')).toBeTruthy();
    expect(copied![1]).toBe('62');
    expect(copied![2]).toBe('62');
    expect(copied![3]).toBe('');
    const scale = store.metrics.getSeries(runsByKey.get('fd-frozen-temp')!.id, 'train/scale')!;
    expect(scale.minValue).toBeCloseTo(100, 3);
    expect(scale.maxValue).toBeCloseTo(100, 3);
  });

  it('prints the seed-style table with every row, its numbers those in the store', () => {
    const labels: [string, string][] = [
      ['baseline', 'Baseline, no teacher'], ['fd', '0.5 Feature (FD)'], ['fd-frozen-temp', '0.5 Feature, lock 0.01'],
      ['fd-init', '0.5 Feature, init from teacher'], ['teacher', TEACHER_LABEL],
    ];
    for (const [key, label] of labels) {
      const cells = tableRow(first.stdout, label);
      const evals = store.evaluations.list({ runIds: [runsByKey.get(key)!.id], task: 'fashion_mnist', mainOnly: true });
      expect(evals.length, key).toBe(1);
      expect(cells[3]).toBe(evals[0]!.value!.toFixed(4));
      expect(cells[2]).toContain(evals[0]!.value!.toFixed(3));
      expect(cells[6]).toBe('n/a');
    }
    expect(first.stdout).toMatch(/recall@1: n\/a, the built-in dataset has no retrieval form/);
  });

  it('a second --reference reuses the finished teacher and says so', async () => {
    const again = await clipwb(['demo', '--reference', '--home', home, ...TINY, '--variants', 'baseline', '--seeds', '0,1']);
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    expect(again.stdout).toContain(`teacher: reusing run ${runsByKey.get('teacher')!.name} (${runsByKey.get('teacher')!.id})`);
    const teachers = store.runs.list({ tag: 'reference-demo' }).filter((r) => r.tags.includes('teacher'));
    expect(teachers.map((r) => r.id)).toEqual([runsByKey.get('teacher')!.id]);
    expect(tableRow(again.stdout, TEACHER_LABEL)[7]).toMatch(/\(reused\)$/);
    // Two seeds: both baselines in the row, their mean, and a spread.
    const baselines = store.runs.list({ tag: 'reference-demo' }).filter((r) => r.tags.includes('baseline') && r.id !== runsByKey.get('baseline')!.id);
    expect(baselines.map((r) => r.config.seed).sort()).toEqual([0, 1]);
    const values = baselines.sort((a, b) => Number(a.config.seed) - Number(b.config.seed))
      .map((r) => store.evaluations.list({ runIds: [r.id], task: 'fashion_mnist', mainOnly: true })[0]!.value!);
    const cells = tableRow(again.stdout, 'Baseline, no teacher');
    expect(cells[2]).toBe(values.map((v) => v.toFixed(3)).join(' / '));
    expect(cells[3]).toBe(((values[0]! + values[1]!) / 2).toFixed(4));
    expect(cells[4]).toMatch(/^±\d\.\d{4} \(/);
    // After seed 0, the table so far (one baseline value) came first.
    expect(again.stdout).toContain('After seed 0 of 0, 1:');
  }, 400_000);

  it('refuses an unknown variant before training anything', async () => {
    const bad = await clipwb(['demo', '--reference', '--home', home, '--variants', 'baseline,fdd']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--variants: unknown variant "fdd"; choose from baseline, fd, /);
  });
});
