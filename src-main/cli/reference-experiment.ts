/**
 * The reference paper's reference-model experiment reproduced small (`clipwb demo --reference`). The reference paper's effect
 * rests on a teacher that has seen far more data than its student (OpenAI's ViT-B/32, 400M pairs, against
 * a student trained on 1M samples), so the miniature keeps that asymmetry: the teacher is trained on all
 * 60,000 built-in pairs, twice over; every student sees a small budget (6 epochs x 4,096 samples, batch 32), without
 * and with the teacher, at several seeds. Teacher and students share one architecture (clip-tiny-p7-28),
 * so init-from-teacher copies every tensor (the reference paper's pair differs in its patch size, two tensors).
 *
 * Every run is an ordinary run in the store (tag reference-demo), so the app shows and compares them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { RunService } from '../runs/service';
import type { Run, Store } from '../store';
import { resolveCheckpoint } from '../../src-worker/io/checkpoint';
import { loadModelConfig, toOpenClipJson } from '../../src-worker/model/config';
import { WorkbenchError } from '../../src-shared/errors';

export const REFERENCE_TAG = 'reference-demo';
export const TEACHER_MODEL = 'clip-tiny-p7-28';
export const STUDENT_MODEL = 'clip-tiny-p7-28';
export const EVAL_TASK = 'fashion_mnist';

const epochsText = (n: number): string => `${n} epoch${n === 1 ? '' : 's'}`;

export interface ReferenceBudget {
  teacherEpochs: number;
  /** The teacher's epoch: by default the whole built-in training set (60,000 pairs). */
  teacherSamplesPerEpoch: number;
  /** Every student gets exactly this budget: same epochs, samples, batch, schedule; one run per seed. */
  studentEpochs: number;
  studentSamplesPerEpoch: number;
  /**
   * The students' batch: smaller than the teacher's 128, so that a small sample budget still gives the
   * students enough steps (768 by default) for feature distillation to converge; at batch 128 (96 steps)
   * the FD student still trailed the teacher's features and ended below the baseline, and at 384 steps
   * (3 epochs) the FD students of seeds 1 and 2 ended 1-1.5 points below their baselines; at 768 steps
   * they ended 1.2 and 0.3 points above.
   */
  studentBatchSize: number;
  /** The students' warm-up steps. */
  studentWarmup: number;
  /**
   * The teacher's seed. Keep it out of `seeds`: teacher and students share one architecture, so a student
   * with the teacher's seed starts from the teacher's initial weights. Measured: such an FD student began
   * 0.62 from the teacher's features instead of 1.7-1.9 and ended 5 points above its baseline, where the
   * FD students with other seeds ended 1-1.5 points below theirs.
   */
  teacherSeed: number;
  /** One student of every variant per seed; the table reports the mean and spread over them. */
  seeds: number[];
  /** Stops every run after this many steps (for tests); null = the whole budget. */
  maxSteps: number | null;
}

/**
 * Time on the 2-core development machine: with 3-epoch students the whole default experiment took 20.8
 * minutes (23.9 CPU-minutes), the teacher 3.6; 6-epoch students cost about twice a 3-epoch one, so the
 * default is about 30 minutes (docs/results/reference-demo.md has the measured figure).
 */
export const DEFAULT_REFERENCE_BUDGET: ReferenceBudget = {
  teacherEpochs: 2, teacherSamplesPerEpoch: 60_000, studentEpochs: 6, studentSamplesPerEpoch: 4_096, studentBatchSize: 32, studentWarmup: 40,
  teacherSeed: 100, seeds: [0, 1, 2], maxSteps: null,
};

export interface StudentVariant {
  key: string;
  /** The reference paper's notebook label. */
  label: string;
  /** Flags beyond the baseline, as the table shows them (the teacher flags are implied). */
  flags: string[];
  distilled: boolean;
}

const FD = ['--distill-mode', 'feature', '--distill-weight', '0.5'];
const FROZEN_TEMPERATURE = ['--temperature', '0.01', '--lock-logit-scale'];

export const STUDENT_VARIANTS: readonly StudentVariant[] = [
  { key: 'baseline', label: 'Baseline, no teacher', flags: [], distilled: false },
  { key: 'fd', label: '0.5 Feature (FD)', flags: FD, distilled: true },
  { key: 'fd-frozen-temp', label: '0.5 Feature, lock 0.01', flags: [...FD, ...FROZEN_TEMPERATURE], distilled: true },
  { key: 'fd-init', label: '0.5 Feature, init from teacher', flags: [...FD, '--init-from-distilled'], distilled: true },
  { key: 'ce', label: '0.5 Cross Entropy', flags: ['--distill-mode', 'cross_entropy', '--distill-weight', '0.5'], distilled: true },
  { key: 'kl', label: '0.5 KL, lock 0.01 (CRD)', flags: ['--distill-mode', 'kl', '--distill-weight', '0.5', ...FROZEN_TEMPERATURE], distilled: true },
  { key: 'interactive', label: '0.5 Interactive, lock 0.01 (ICL)', flags: ['--distill-mode', 'interactive', '--distill-weight', '0.5', ...FROZEN_TEMPERATURE], distilled: true },
];
export const DEFAULT_VARIANTS = STUDENT_VARIANTS.map((v) => v.key);

/** `--variants` value to variant list: keys in table order; 'all' adds the other distillation modes. */
export function selectVariants(keys: readonly string[]): StudentVariant[] {
  const wanted = new Set(keys.includes('all') ? STUDENT_VARIANTS.map((v) => v.key) : keys);
  const unknown = [...wanted].filter((k) => !STUDENT_VARIANTS.some((v) => v.key === k));
  if (unknown.length > 0) {
    throw new WorkbenchError(`demo: --variants: unknown variant ${unknown.map((k) => `"${k}"`).join(', ')}; choose from ${STUDENT_VARIANTS.map((v) => v.key).join(', ')} or all`, { kind: 'invalid', field: 'variants' });
  }
  if (wanted.size === 0) throw new WorkbenchError('demo: --variants is empty; name at least one student, e.g. baseline,fd', { kind: 'invalid', field: 'variants' });
  return STUDENT_VARIANTS.filter((v) => wanted.has(v.key));
}

const maxStepsArgs = (b: ReferenceBudget): string[] => (b.maxSteps !== null ? ['--max-steps', String(b.maxSteps)] : []);

/** The teacher evaluates once, at its end. */
export function teacherArgs(baseArgs: readonly string[], b: ReferenceBudget): string[] {
  return [
    ...baseArgs, '--model', TEACHER_MODEL, '--seed', String(b.teacherSeed), '--epochs', String(b.teacherEpochs), '--gamma_decay_epochs', String(b.teacherEpochs),
    '--train-num-samples', String(b.teacherSamplesPerEpoch), '--eval-every', String(b.teacherEpochs), ...maxStepsArgs(b),
  ];
}

/** A student evaluates once, at its end: 21 students x 3 evaluations would cost a third of the budget. */
export function studentArgs(baseArgs: readonly string[], b: ReferenceBudget, v: StudentVariant, teacherSource: string, seed: number): string[] {
  const teacher = v.distilled ? ['--distill-model', TEACHER_MODEL, '--distill-pretrained', teacherSource] : [];
  return [
    ...baseArgs, '--model', STUDENT_MODEL, '--seed', String(seed), '--epochs', String(b.studentEpochs), '--gamma_decay_epochs', String(b.studentEpochs),
    '--train-num-samples', String(b.studentSamplesPerEpoch), '--batch-size', String(b.studentBatchSize), '--warmup', String(b.studentWarmup),
    '--eval-every', String(b.studentEpochs),
    ...maxStepsArgs(b), ...teacher, ...v.flags,
  ];
}

function comparableConfig(config: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k, x]) => k !== 'name' && x !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)]));
    return v;
  };
  return JSON.stringify(sortKeys(config));
}

/** A finished teacher of an earlier `--reference` with the same config, whose last checkpoint is still on disk. */
export function findReusableTeacher(store: Store, config: Record<string, unknown>): { run: Run; checkpoint: string } | null {
  const wanted = comparableConfig(config);
  const candidates = store.runs.list({ tag: REFERENCE_TAG, statuses: ['finished'] })
    .filter((r) => r.tags.includes('teacher') && comparableConfig(r.config) === wanted)
    .sort((a, b) => b.createdAt - a.createdAt);
  for (const run of candidates) {
    const ckpt = store.checkpoints.latestForRun(run.id);
    if (ckpt && fs.existsSync(ckpt.path)) return { run, checkpoint: ckpt.path };
  }
  return null;
}

const sidecarSchema = z.looseObject({ model: z.string().min(1), modelConfig: z.record(z.string(), z.unknown()) });

/**
 * What to pass as --distill-pretrained for a teacher checkpoint. The teacher loader reads a sidecar's
 * modelConfig as open_clip JSON, but the trainer currently writes the engine's own ClipConfig there, so
 * such a checkpoint cannot teach. Until the trainer writes toOpenClipJson(cfg), the weights are exposed
 * as an open_clip model folder beside the checkpoints (a hard link, so no copy), which the loader reads
 * with the same tensor checks. Once sidecars carry open_clip JSON, the checkpoint itself is used.
 */
export function teacherSource(checkpointSidecar: string, exportDir: string): string {
  let sidecar: z.infer<typeof sidecarSchema>;
  try {
    sidecar = sidecarSchema.parse(JSON.parse(fs.readFileSync(checkpointSidecar, 'utf8')));
  } catch (err) {
    throw new Error(`teacher checkpoint ${checkpointSidecar} is not a readable checkpoint sidecar (${(err as Error).message}); train the teacher again with --retrain-teacher`);
  }
  if ('embed_dim' in sidecar.modelConfig) return checkpointSidecar;
  const { weights } = resolveCheckpoint(checkpointSidecar);
  fs.mkdirSync(exportDir, { recursive: true });
  const target = path.join(exportDir, 'open_clip_model.safetensors');
  fs.rmSync(target, { force: true });
  try {
    fs.linkSync(weights, target);
  } catch {
    fs.copyFileSync(weights, target);
  }
  const config = { model_cfg: toOpenClipJson(loadModelConfig(sidecar.model)), source_checkpoint: checkpointSidecar };
  fs.writeFileSync(path.join(exportDir, 'open_clip_config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return exportDir;
}

export interface ReferenceRow {
  key: string;
  label: string;
  flags: string[];
  role: 'teacher' | 'student';
  runId: string;
  seed: number;
  status: Run['status'];
  /** Zero-shot top-1 after the last evaluated epoch; null when the run did not get there. */
  top1: number | null;
  minutes: number | null;
  reused: boolean;
}

export interface ReferenceResult {
  budget: ReferenceBudget;
  teacher: ReferenceRow;
  /** One row per (seed, variant), seed by seed. */
  students: ReferenceRow[];
  /** False when a run did not finish (failed, paused or cancelled). */
  complete: boolean;
}

export interface ReferenceExperimentOptions {
  store: Store;
  service: RunService;
  /** Demo flags every run shares (preset, devices, objective); the experiment adds model, seed and budget. */
  baseArgs: string[];
  budget: ReferenceBudget;
  variants: StudentVariant[];
  reuseTeacher: boolean;
  /** Trains a queued run to its end (the CLI: start when the device is free, and watch). */
  train(runId: string): Promise<Run>;
  say(line: string): void;
}

function rowOf(store: Store, run: Run, seed: number, fields: Pick<ReferenceRow, 'key' | 'label' | 'flags' | 'role' | 'reused'>): ReferenceRow {
  const last = store.evaluations.list({ runIds: [run.id], task: EVAL_TASK, mainOnly: true })
    .filter((e) => e.epoch !== null)
    .sort((a, b) => a.epoch! - b.epoch!)
    .at(-1);
  const minutes = run.startedAt !== null && run.endedAt !== null ? (run.endedAt - run.startedAt) / 60_000 : null;
  return { ...fields, runId: run.id, seed, status: run.status, top1: last?.value ?? null, minutes };
}

export async function runReferenceExperiment(o: ReferenceExperimentOptions): Promise<ReferenceResult> {
  const { store, service, budget: b } = o;
  const total = o.variants.length * b.seeds.length + 1;
  const tArgs = teacherArgs(o.baseArgs, b);
  const teacherFields = {
    key: 'teacher', label: `Teacher (${TEACHER_MODEL}, ${epochsText(b.teacherEpochs)} x ${b.teacherSamplesPerEpoch})`,
    flags: ['--epochs', String(b.teacherEpochs), '--train-num-samples', String(b.teacherSamplesPerEpoch)], role: 'teacher' as const,
  };
  const earlier = o.reuseTeacher ? findReusableTeacher(store, service.validate(tArgs).config as unknown as Record<string, unknown>) : null;
  let teacherRun: Run;
  let checkpoint: string;
  if (earlier) {
    teacherRun = earlier.run;
    checkpoint = earlier.checkpoint;
    o.say(`[1/${total}] teacher: reusing run ${teacherRun.name} (${teacherRun.id}) of an earlier --reference, same config; checkpoint ${checkpoint} (--retrain-teacher trains a new one)`);
  } else {
    const run = service.createRun({
      config: tArgs, name: `reference-teacher-${TEACHER_MODEL}`, tags: [REFERENCE_TAG, 'teacher'],
      notes: `Teacher of clipwb demo --reference: ${b.teacherEpochs} epochs x ${b.teacherSamplesPerEpoch} samples, seed ${b.teacherSeed}.`,
    });
    o.say(`[1/${total}] teacher ${TEACHER_MODEL}, ${epochsText(b.teacherEpochs)} x ${b.teacherSamplesPerEpoch} samples, seed ${b.teacherSeed}: run ${run.name} (${run.id}) -> ${run.outDir}`);
    teacherRun = await o.train(run.id);
    const ckpt = store.checkpoints.latestForRun(teacherRun.id);
    if (teacherRun.status !== 'finished' || !ckpt) {
      return { budget: b, teacher: rowOf(store, teacherRun, b.teacherSeed, { ...teacherFields, reused: false }), students: [], complete: false };
    }
    checkpoint = ckpt.path;
  }
  const teacher = rowOf(store, teacherRun, b.teacherSeed, { ...teacherFields, reused: earlier !== null });
  const source = teacherSource(checkpoint, path.join(teacherRun.outDir ?? path.dirname(path.dirname(checkpoint)), 'teacher-open_clip'));

  if (b.seeds.includes(b.teacherSeed)) {
    o.say(`\nnote: seed ${b.teacherSeed} is also the teacher's seed; its students start from the teacher's initial weights, which favours distillation at that seed`);
  }
  const students: ReferenceRow[] = [];
  let n = 1;
  // Seed by seed, so that an experiment stopped early still compares every variant at the seeds it did.
  for (const seed of b.seeds) {
    for (const v of o.variants) {
      const run = service.createRun({
        config: studentArgs(o.baseArgs, b, v, source, seed), name: `reference-${v.key}-seed${seed}`, tags: [REFERENCE_TAG, 'student', v.key, `seed-${seed}`],
        notes: `Student of clipwb demo --reference (${v.label}), seed ${seed}; teacher run ${teacherRun.id}.`,
      });
      n += 1;
      o.say(`\n[${n}/${total}] student ${v.label}, seed ${seed}: ${STUDENT_MODEL}, ${epochsText(b.studentEpochs)} x ${b.studentSamplesPerEpoch} samples${v.flags.length ? `, ${v.flags.join(' ')}` : ''}: run ${run.name} (${run.id})`);
      const ended = await o.train(run.id);
      students.push(rowOf(store, ended, seed, { key: v.key, label: v.label, flags: v.flags, role: 'student', reused: false }));
      // A pause or cancel (Ctrl-C) stops the experiment; a failure is reported and the others still run.
      if (ended.status === 'paused' || ended.status === 'cancelled') return { budget: b, teacher, students, complete: false };
    }
    const done = b.seeds.indexOf(seed) + 1;
    if (done < b.seeds.length) {
      // Every variant has now run at these seeds: the table so far, in case the experiment is stopped.
      o.say(`\nAfter seed${done > 1 ? 's' : ''} ${b.seeds.slice(0, done).join(', ')} of ${b.seeds.join(', ')}:\n\n${formatReferenceTable({ budget: { ...b, seeds: b.seeds.slice(0, done) }, teacher, students, complete: false })}`);
    }
  }
  return { budget: b, teacher, students, complete: students.every((s) => s.status === 'finished') };
}

/** Mean and sample standard deviation (n - 1; 0 for a single value). */
export function meanAndSd(values: readonly number[]): { mean: number; sd: number } | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd };
}

const fmt = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined ? '-' : v.toFixed(digits));
const signed = (v: number, digits = 4): string => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;

/**
 * The table in the form of the reference paper's results table, as markdown: one line per variant with its top-1 at
 * every seed, their mean and spread (sample sd, and min to max), and the difference from the baseline
 * of the same seed (same initialisation and data order), averaged over the seeds.
 */
export function formatReferenceTable(r: ReferenceResult): string {
  const seeds = r.budget.seeds;
  const bySeed = (key: string, seed: number): ReferenceRow | undefined => r.students.find((s) => s.key === key && s.seed === seed);
  const keys = [...new Set(r.students.map((s) => s.key))];
  const line = (key: string): string => {
    const rows = r.students.filter((s) => s.key === key);
    const first = rows[0]!;
    const values = rows.map((s) => s.top1).filter((v): v is number => v !== null);
    const stats = meanAndSd(values);
    const perSeed = seeds.map((seed) => {
      const row = bySeed(key, seed);
      if (!row) return '-';
      return `${fmt(row.top1, 3)}${row.status === 'finished' ? '' : ` (${row.status})`}`;
    }).join(' / ');
    const spread = stats && values.length > 1 ? `±${stats.sd.toFixed(4)} (${Math.min(...values).toFixed(3)}-${Math.max(...values).toFixed(3)})` : '';
    const diffs = key === 'baseline' ? [] : seeds.flatMap((seed) => {
      const mine = bySeed(key, seed)?.top1;
      const base = bySeed('baseline', seed)?.top1;
      return mine !== null && mine !== undefined && base !== null && base !== undefined ? [mine - base] : [];
    });
    const d = meanAndSd(diffs);
    const delta = d ? `${signed(d.mean)}${diffs.length > 1 ? ` ±${d.sd.toFixed(4)}` : ''}` : '';
    const minutes = meanAndSd(rows.map((s) => s.minutes).filter((m): m is number => m !== null));
    const flags = first.flags.length ? `\`${first.flags.join(' ')}\`` : '-';
    return `| ${first.label} | ${flags} | ${perSeed} | ${fmt(stats?.mean)} | ${spread} | ${delta} | n/a | ${minutes ? minutes.mean.toFixed(1) : '-'} |`;
  };
  const t = r.teacher;
  const teacherLine = `| ${t.label}${t.status === 'finished' ? '' : ` (${t.status})`} | \`${t.flags.join(' ')}\` | ${fmt(t.top1, 3)} (seed ${t.seed}) | ${fmt(t.top1)} |  |  | n/a | ` +
    `${t.minutes === null ? '-' : `${t.minutes.toFixed(1)}${t.reused ? ' (reused)' : ''}`} |`;
  const b = r.budget;
  return [
    `| variant | flags beyond the baseline | top-1, seed ${seeds.join(' / ')} | mean top-1 | spread (sd; min-max) | vs baseline (same seed) | recall@1 | minutes per run |`,
    `|---|---|---|---|---|---|---|---|`,
    ...keys.map(line),
    teacherLine,
    '',
    `Students: ${STUDENT_MODEL}, ${epochsText(b.studentEpochs)} x ${b.studentSamplesPerEpoch} samples each, batch ${b.studentBatchSize}, warm-up ${b.studentWarmup} steps` +
      `${b.maxSteps !== null ? ` (stopped at ${b.maxSteps} steps)` : ''}, the demo preset (FastCLIP v3 unless --objective says otherwise), ` +
      `one run per seed (${seeds.join(', ')}); distilled students add \`--distill-model ${TEACHER_MODEL} --distill-pretrained <teacher checkpoint>\`. ` +
      `Teacher: ${TEACHER_MODEL}, ${epochsText(b.teacherEpochs)} x ${b.teacherSamplesPerEpoch} samples (the whole built-in training set per epoch), seed ${b.teacherSeed}` +
      `${seeds.includes(b.teacherSeed) ? ` (also a student seed: those students start from the teacher's initial weights, which favours distillation)` : ''}.`,
    'Top-1: zero-shot classification of the held-out Fashion-MNIST test split (10,000 images), after the last epoch. ' +
      'Spread: sample standard deviation over the seeds, and the range. vs baseline: the difference from the baseline of the same seed, mean ± sd over the seeds. ' +
      'recall@1: n/a, the built-in dataset has no retrieval form (no held-out image-caption pairs), so the reference paper\'s MSCOCO column has no counterpart here.',
    'Minutes: wall time of one run including its evaluation, averaged over the seeds; distilled students also run the teacher forward on every batch.',
  ].join('\n');
}
