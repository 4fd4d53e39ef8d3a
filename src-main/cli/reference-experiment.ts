/**
 * The seed's reference-model experiment reproduced small (`clipwb demo --reference`): a larger teacher
 * (clip-tiny-p4-28, patch 4) trained first, then students (clip-tiny-p7-28, patch 7: the pair differs only
 * in visual.conv1.weight and visual.positional_embedding, like ViT-B-16 vs ViT-B-32) trained at one equal
 * budget without and with the teacher, and a table in the form of the seed's results table.
 *
 * Every run is an ordinary run in the store (tag reference-demo), so the app shows and compares them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { RunService } from '../runs/service';
import type { Run, Store } from '../store';
import { resolveCheckpoint } from '../../src-worker/train/checkpoint';
import { loadModelConfig, toOpenClipJson } from '../../src-worker/model/config';

export const REFERENCE_TAG = 'reference-demo';
export const TEACHER_MODEL = 'clip-tiny-p4-28';
export const STUDENT_MODEL = 'clip-tiny-p7-28';
export const EVAL_TASK = 'fashion_mnist';

const epochsText = (n: number): string => `${n} epoch${n === 1 ? '' : 's'}`;

export interface ReferenceBudget {
  teacherEpochs: number;
  /** Every student gets exactly this budget: same epochs, samples, batch, schedule and seed. */
  studentEpochs: number;
  samplesPerEpoch: number;
  /** Stops every run after this many steps (for tests); null = the whole budget. */
  maxSteps: number | null;
}

/**
 * Sized for about 22 minutes of CPU time on 2 cores (35 min of wall time measured on a busy shared
 * machine): a p4 epoch costs 2-3 p7 epochs, and a distilled student also runs the teacher on every batch.
 */
export const DEFAULT_REFERENCE_BUDGET: ReferenceBudget = { teacherEpochs: 5, studentEpochs: 3, samplesPerEpoch: 20_000, maxSteps: null };

export interface StudentVariant {
  key: string;
  /** The seed's notebook label. */
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
export const DEFAULT_VARIANTS = ['baseline', 'fd', 'fd-frozen-temp', 'fd-init'] as const;

/** `--variants` value to variant list: keys in table order; 'all' adds the other distillation modes. */
export function selectVariants(keys: readonly string[]): StudentVariant[] {
  const wanted = new Set(keys.includes('all') ? STUDENT_VARIANTS.map((v) => v.key) : keys);
  const unknown = [...wanted].filter((k) => !STUDENT_VARIANTS.some((v) => v.key === k));
  if (unknown.length > 0) {
    throw new Error(`demo: --variants: unknown variant ${unknown.map((k) => `"${k}"`).join(', ')}; choose from ${STUDENT_VARIANTS.map((v) => v.key).join(', ')} or all`);
  }
  if (wanted.size === 0) throw new Error('demo: --variants is empty; name at least one student, e.g. baseline,fd');
  return STUDENT_VARIANTS.filter((v) => wanted.has(v.key));
}

function budgetArgs(model: string, epochs: number, b: ReferenceBudget): string[] {
  const args = ['--model', model, '--epochs', String(epochs), '--gamma_decay_epochs', String(epochs), '--train-num-samples', String(b.samplesPerEpoch)];
  if (b.maxSteps !== null) args.push('--max-steps', String(b.maxSteps));
  return args;
}

/** The teacher evaluates once, at its end: a p4 evaluation costs half a p4 epoch. */
export function teacherArgs(baseArgs: readonly string[], b: ReferenceBudget): string[] {
  return [...baseArgs, ...budgetArgs(TEACHER_MODEL, b.teacherEpochs, b), '--eval-every', String(b.teacherEpochs)];
}

export function studentArgs(baseArgs: readonly string[], b: ReferenceBudget, v: StudentVariant, teacherSource: string): string[] {
  const teacher = v.distilled ? ['--distill-model', TEACHER_MODEL, '--distill-pretrained', teacherSource] : [];
  return [...baseArgs, ...budgetArgs(STUDENT_MODEL, b.studentEpochs, b), ...teacher, ...v.flags];
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
  status: Run['status'];
  /** Zero-shot top-1 after each evaluated epoch, in epoch order. */
  top1: { epoch: number; value: number | null }[];
  minutes: number | null;
  reused: boolean;
}

export interface ReferenceResult {
  budget: ReferenceBudget;
  teacher: ReferenceRow;
  students: ReferenceRow[];
  /** False when a run did not finish (failed, paused or cancelled). */
  complete: boolean;
}

export interface ReferenceExperimentOptions {
  store: Store;
  service: RunService;
  /** Demo flags every run shares (preset, seed, devices, objective). */
  baseArgs: string[];
  budget: ReferenceBudget;
  variants: StudentVariant[];
  reuseTeacher: boolean;
  /** Trains a queued run to its end (the CLI: start when the device is free, and watch). */
  train(runId: string): Promise<Run>;
  say(line: string): void;
}

function rowOf(store: Store, run: Run, fields: Pick<ReferenceRow, 'key' | 'label' | 'flags' | 'role' | 'reused'>): ReferenceRow {
  const top1 = store.evaluations.list({ runIds: [run.id], task: EVAL_TASK, mainOnly: true })
    .filter((e) => e.epoch !== null)
    .map((e) => ({ epoch: e.epoch!, value: e.value }))
    .sort((a, b) => a.epoch - b.epoch);
  const minutes = run.startedAt !== null && run.endedAt !== null ? (run.endedAt - run.startedAt) / 60_000 : null;
  return { ...fields, runId: run.id, status: run.status, top1, minutes };
}

export async function runReferenceExperiment(o: ReferenceExperimentOptions): Promise<ReferenceResult> {
  const { store, service, budget: b } = o;
  const total = o.variants.length + 1;
  const tArgs = teacherArgs(o.baseArgs, b);
  const teacherFields = {
    key: 'teacher', label: `Teacher (${TEACHER_MODEL}, ${epochsText(b.teacherEpochs)})`,
    flags: ['--model', TEACHER_MODEL, '--epochs', String(b.teacherEpochs)], role: 'teacher' as const,
  };
  const earlier = o.reuseTeacher ? findReusableTeacher(store, service.validate(tArgs).config as unknown as Record<string, unknown>) : null;
  let teacherRun: Run;
  let checkpoint: string;
  if (earlier) {
    teacherRun = earlier.run;
    checkpoint = earlier.checkpoint;
    o.say(`[1/${total}] teacher: reusing run ${teacherRun.name} (${teacherRun.id}) of an earlier --reference, same config; checkpoint ${checkpoint} (--retrain-teacher trains a new one)`);
  } else {
    const run = service.createRun({ config: tArgs, name: `reference-teacher-${TEACHER_MODEL}`, tags: [REFERENCE_TAG, 'teacher'], notes: `Teacher of clipwb demo --reference: ${b.teacherEpochs} epochs x ${b.samplesPerEpoch} samples.` });
    o.say(`[1/${total}] teacher ${TEACHER_MODEL}, ${epochsText(b.teacherEpochs)} x ${b.samplesPerEpoch} samples: run ${run.name} (${run.id}) -> ${run.outDir}`);
    teacherRun = await o.train(run.id);
    const ckpt = store.checkpoints.latestForRun(teacherRun.id);
    if (teacherRun.status !== 'finished' || !ckpt) {
      return { budget: b, teacher: rowOf(store, teacherRun, { ...teacherFields, reused: false }), students: [], complete: false };
    }
    checkpoint = ckpt.path;
  }
  const teacher = rowOf(store, teacherRun, { ...teacherFields, reused: earlier !== null });
  const source = teacherSource(checkpoint, path.join(teacherRun.outDir ?? path.dirname(path.dirname(checkpoint)), 'teacher-open_clip'));

  const students: ReferenceRow[] = [];
  for (const [i, v] of o.variants.entries()) {
    const run = service.createRun({
      config: studentArgs(o.baseArgs, b, v, source), name: `reference-${v.key}`, tags: [REFERENCE_TAG, 'student', v.key],
      notes: `Student of clipwb demo --reference (${v.label}); teacher run ${teacherRun.id}.`,
    });
    o.say(`\n[${i + 2}/${total}] student ${v.label}: ${STUDENT_MODEL}, ${epochsText(b.studentEpochs)} x ${b.samplesPerEpoch} samples${v.flags.length ? `, ${v.flags.join(' ')}` : ''}: run ${run.name} (${run.id})`);
    const ended = await o.train(run.id);
    students.push(rowOf(store, ended, { key: v.key, label: v.label, flags: v.flags, role: 'student', reused: false }));
    // A pause or cancel (Ctrl-C) stops the experiment; a failure is reported and the others still run.
    if (ended.status === 'paused' || ended.status === 'cancelled') return { budget: b, teacher, students, complete: false };
  }
  return { budget: b, teacher, students, complete: students.every((s) => s.status === 'finished') };
}

const final = (r: ReferenceRow): number | null => r.top1.at(-1)?.value ?? null;
const fmt = (v: number | null, digits = 4): string => (v === null ? '-' : v.toFixed(digits));

/** The table in the form of the seed's results table (ALGORITHMS.md §2.5), as markdown. */
export function formatReferenceTable(r: ReferenceResult): string {
  const base = r.students.find((s) => s.key === 'baseline');
  const baseTop1 = base ? final(base) : null;
  const line = (row: ReferenceRow): string => {
    const top1 = final(row);
    const delta = row.role === 'student' && row.key !== 'baseline' && top1 !== null && baseTop1 !== null ? `${top1 >= baseTop1 ? '+' : ''}${(top1 - baseTop1).toFixed(4)}` : '';
    const byEpoch = row.top1.map((e) => fmt(e.value, 3)).join(' / ');
    const status = row.status === 'finished' ? '' : ` (${row.status})`;
    const minutes = row.minutes === null ? '-' : `${row.minutes.toFixed(1)}${row.reused ? ' (reused)' : ''}`;
    const flags = row.flags.length ? `\`${row.flags.join(' ')}\`` : '-';
    return `| ${row.label}${status} | ${flags} | ${byEpoch || '-'} | ${fmt(top1)} | ${delta} | n/a | ${minutes} |`;
  };
  const b = r.budget;
  return [
    `| variant | flags beyond the baseline | top-1 by epoch | Fashion-MNIST top-1 | vs baseline | recall@1 | minutes |`,
    `|---|---|---|---|---|---|---|`,
    ...r.students.map(line),
    line(r.teacher),
    '',
    `Students: ${STUDENT_MODEL}, ${epochsText(b.studentEpochs)} x ${b.samplesPerEpoch} samples each${b.maxSteps !== null ? ` (stopped at ${b.maxSteps} steps)` : ''}, ` +
      `the demo preset (FastCLIP v3 unless --objective says otherwise), same seed; distilled students add ` +
      `\`--distill-model ${TEACHER_MODEL} --distill-pretrained <teacher checkpoint>\`. Teacher: ${TEACHER_MODEL}, ${epochsText(b.teacherEpochs)} x ${b.samplesPerEpoch} samples.`,
    'Top-1: zero-shot classification of the held-out Fashion-MNIST test split, after the last epoch. ' +
      'recall@1: n/a, the built-in dataset has no retrieval form (no held-out image-caption pairs), so the seed\'s MSCOCO column has no counterpart here.',
    'Minutes: wall time of each run including its evaluations; distilled students also run the teacher forward on every batch.',
  ].join('\n');
}
