/**
 * Checkpoints: everything a run needs to continue exactly where it stopped.
 *
 *   <tag>.safetensors        model weights under open_clip names (PyTorch layouts): open_clip and this
 *                            engine load them by name
 *   <tag>.state.safetensors  optimiser moments (optimizer/<param>/exp_avg, .../exp_avg_sq) and the
 *                            objective's per-sample state (objective/u_im, objective/u_tt, ...)
 *   <tag>.json               the sidecar: config, epoch, step, optimiser step counts, data position,
 *                            file sizes. Written last: a checkpoint exists only once its sidecar does,
 *                            and every file is written to a temporary name and renamed, so a crash
 *                            never leaves a torn checkpoint.
 *
 * Tags: epoch_<n> after n completed epochs, step_<n> for step checkpoints and pauses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readSafetensors, writeSafetensors, type TensorToWrite } from './safetensors';
import { writeFileAtomic } from './atomic';
import { loadStateDictFile, type StateDict } from './state-dict-file';
import type { AdamWStateDict } from '../optim';
import type { ObjectiveState } from '../loss';
import { jsonSyntaxProblem } from './json-error';
import { WorkbenchError, type WorkbenchErrorOptions } from '../../src-shared/errors';

export const CHECKPOINT_FORMAT = 'clipwb-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface DataPosition {
  /** Epoch to continue in (0-based). */
  epoch: number;
  /** Batches of that epoch already consumed. */
  batchInEpoch: number;
}

export interface CheckpointSidecar {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  tag: string;
  runId: string;
  /** Completed epochs (the reference paper's `epoch` field). */
  epoch: number;
  /** Optimiser steps taken so far (the global step of the next batch). */
  step: number;
  position: DataPosition;
  model: string;
  modelConfig: Record<string, unknown>;
  trainConfig: Record<string, unknown>;
  objective: string;
  optimizerSteps: Record<string, number>;
  worldSize: number;
  createdAt: string;
  files: { weights: { file: string; bytes: number }; state: { file: string; bytes: number } | null };
}

/** What the trainer hands over: the sidecar's own fields plus the tensors; the rest is derived on save. */
export interface CheckpointToSave extends Omit<CheckpointSidecar, 'format' | 'version' | 'optimizerSteps' | 'createdAt' | 'files'> {
  dir: string;
  /**
   * The weights: a state dict, or tensors whose values are read one at a time as the writer reaches
   * them (the trainer's form: no copy of the whole model is ever held).
   */
  weights: StateDict | readonly TensorToWrite[];
  optimizer: AdamWStateDict;
  objectiveState: ObjectiveState;
}

export interface SavedCheckpoint {
  sidecarPath: string;
  weightsPath: string;
  sizeBytes: number;
}

export async function saveCheckpoint(c: CheckpointToSave): Promise<SavedCheckpoint> {
  fs.mkdirSync(c.dir, { recursive: true });
  const weightsFile = `${c.tag}.safetensors`;
  const stateFile = `${c.tag}.state.safetensors`;
  const weightsPath = path.join(c.dir, weightsFile);
  const statePath = path.join(c.dir, stateFile);
  const meta = { format: CHECKPOINT_FORMAT, epoch: String(c.epoch), step: String(c.step), model: c.model };
  const weights: readonly TensorToWrite[] = Array.isArray(c.weights) ? c.weights : [...(c.weights as StateDict)].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
  await writeSafetensors(weightsPath, weights, meta);

  const state: TensorToWrite[] = [];
  const optimizerSteps: Record<string, number> = {};
  for (const [name, s] of Object.entries(c.optimizer.params)) {
    optimizerSteps[name] = s.step;
    state.push({ name: `optimizer/${name}/exp_avg`, shape: [s.exp_avg.length], data: s.exp_avg });
    state.push({ name: `optimizer/${name}/exp_avg_sq`, shape: [s.exp_avg_sq.length], data: s.exp_avg_sq });
  }
  for (const [name, arr] of Object.entries(c.objectiveState)) state.push({ name: `objective/${name}`, shape: [arr.length], data: arr });
  let stateInfo: CheckpointSidecar['files']['state'] = null;
  if (state.length > 0) {
    await writeSafetensors(statePath, state, { format: CHECKPOINT_FORMAT, kind: 'state' });
    stateInfo = { file: stateFile, bytes: fs.statSync(statePath).size };
  }
  const sidecar: CheckpointSidecar = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    tag: c.tag,
    runId: c.runId,
    epoch: c.epoch,
    step: c.step,
    position: c.position,
    model: c.model,
    modelConfig: c.modelConfig,
    trainConfig: c.trainConfig,
    objective: c.objective,
    optimizerSteps,
    worldSize: c.worldSize,
    createdAt: new Date().toISOString(),
    files: { weights: { file: weightsFile, bytes: fs.statSync(weightsPath).size }, state: stateInfo },
  };
  const sidecarPath = path.join(c.dir, `${c.tag}.json`);
  await writeFileAtomic(sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`);
  return { sidecarPath, weightsPath, sizeBytes: sidecar.files.weights.bytes + (stateInfo?.bytes ?? 0) };
}

export class CheckpointError extends WorkbenchError {
  override name = 'CheckpointError';
  constructor(message: string, options: WorkbenchErrorOptions = {}) {
    super(message, { kind: 'invalid', ...options });
  }
}

function readSidecar(file: string): CheckpointSidecar {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CheckpointError(`${file}: not a readable checkpoint sidecar (${err instanceof SyntaxError ? jsonSyntaxProblem(err) : (err as Error).message})`);
  }
  const s = raw as Partial<CheckpointSidecar>;
  if (s.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${file}: not a CLIP Workbench checkpoint sidecar (format "${String(s.format)}")`);
  if (typeof s.version !== 'number' || s.version > CHECKPOINT_VERSION) {
    throw new CheckpointError(`${file}: checkpoint version ${String(s.version)} is newer than this workbench understands (${CHECKPOINT_VERSION}); update the workbench`);
  }
  for (const k of ['epoch', 'step'] as const) {
    if (!Number.isInteger(s[k]) || (s[k] as number) < 0) throw new CheckpointError(`${file}: field ${k} must be a whole number >= 0`);
  }
  if (!s.files?.weights?.file || !s.position || !s.trainConfig) throw new CheckpointError(`${file}: missing files/position/trainConfig fields`);
  return s as CheckpointSidecar;
}

/**
 * Finds a checkpoint from what a user may give: the sidecar (.json), the weights (.safetensors), a
 * checkpoints folder or a run folder (its newest checkpoint). Returns the sidecar path, or null when
 * the path is a bare weights file (an open_clip export, say) with no sidecar.
 */
export function resolveCheckpoint(p: string): { sidecar: string | null; weights: string } {
  if (!fs.existsSync(p)) throw new CheckpointError(`checkpoint not found: ${p}`);
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    const latest = latestCheckpoint(fs.existsSync(path.join(p, 'checkpoints')) ? path.join(p, 'checkpoints') : p);
    if (!latest) throw new CheckpointError(`${p}: no checkpoint (*.json sidecar with its .safetensors) in this folder`);
    return { sidecar: latest, weights: path.join(path.dirname(latest), readSidecar(latest).files.weights.file) };
  }
  if (p.endsWith('.json')) return { sidecar: p, weights: path.join(path.dirname(p), readSidecar(p).files.weights.file) };
  if (p.endsWith('.state.safetensors')) throw new CheckpointError(`${p} holds optimiser state, not weights; give the .json sidecar or the weights file`);
  if (p.endsWith('.safetensors')) {
    const side = p.replace(/\.safetensors$/, '.json');
    return { sidecar: fs.existsSync(side) ? side : null, weights: p };
  }
  // A torch.save checkpoint (an open_clip training checkpoint, say): bare weights, read by io/weights.ts.
  if (/\.(pt|pth|bin|ckpt)$/i.test(p)) return { sidecar: null, weights: p };
  throw new CheckpointError(`${p}: expected a .json checkpoint sidecar, a .safetensors or PyTorch .pt weights file, or a folder`);
}

/** The newest complete checkpoint (by step, then epoch) in a checkpoints folder, or null. */
export function latestCheckpoint(dir: string): string | null {
  if (!fs.existsSync(dir)) return null;
  let best: { file: string; step: number; epoch: number } | null = null;
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const file = path.join(dir, name);
    let s: CheckpointSidecar;
    try { s = readSidecar(file); } catch { continue; }
    if (!fs.existsSync(path.join(dir, s.files.weights.file))) continue;
    if (!best || s.step > best.step || (s.step === best.step && s.epoch > best.epoch)) best = { file, step: s.step, epoch: s.epoch };
  }
  return best?.file ?? null;
}

export interface LoadedCheckpoint {
  sidecar: CheckpointSidecar | null;
  weights: StateDict;
  optimizer: AdamWStateDict | null;
  objectiveState: ObjectiveState | null;
}

function checkSize(file: string, expected: number): void {
  const actual = fs.statSync(file).size;
  if (actual !== expected) throw new CheckpointError(`${file}: ${actual} bytes, the sidecar says ${expected}; the checkpoint is incomplete or was modified`);
}

/** Loads weights (and, with a sidecar, the optimiser and objective state). */
export async function loadCheckpoint(p: string, options: { withState?: boolean } = {}): Promise<LoadedCheckpoint> {
  const { sidecar: sidecarPath, weights: weightsPath } = resolveCheckpoint(p);
  const sidecar = sidecarPath ? readSidecar(sidecarPath) : null;
  if (sidecar) checkSize(weightsPath, sidecar.files.weights.bytes);
  const { stateDict } = await loadStateDictFile(weightsPath);
  if (!options.withState || !sidecar) return { sidecar, weights: stateDict, optimizer: null, objectiveState: null };
  const optimizer: AdamWStateDict = { params: {} };
  const objectiveState: ObjectiveState = {};
  if (sidecar.files.state) {
    const statePath = path.join(path.dirname(sidecarPath!), sidecar.files.state.file);
    if (!fs.existsSync(statePath)) throw new CheckpointError(`${statePath} is missing; it holds the optimiser state needed to resume`);
    checkSize(statePath, sidecar.files.state.bytes);
    const { tensors } = await readSafetensors(statePath);
    for (const [name, t] of tensors) {
      if (!(t.data instanceof Float32Array)) throw new CheckpointError(`${statePath}: ${name} is not float32`);
      const opt = /^optimizer\/(.+)\/(exp_avg|exp_avg_sq)$/.exec(name);
      if (opt) {
        const param = opt[1]!;
        const entry = (optimizer.params[param] ??= { step: sidecar.optimizerSteps[param] ?? 0, exp_avg: new Float32Array(0), exp_avg_sq: new Float32Array(0) });
        entry[opt[2] as 'exp_avg' | 'exp_avg_sq'] = t.data;
      } else if (name.startsWith('objective/')) objectiveState[name.slice('objective/'.length)] = t.data;
      else throw new CheckpointError(`${statePath}: unexpected tensor ${name}`);
    }
  }
  return { sidecar, weights: stateDict, optimizer, objectiveState };
}
