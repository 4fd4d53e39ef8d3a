/**
 * What `clipwb eval --checkpoint` and the API's evals.evaluateFile name, resolved once for both: a
 * checkpoint file, a run folder (its newest checkpoint), a model folder or file, or a pulled model by
 * name. A checkpoint the store knows is evaluated as that checkpoint (its results are recorded with
 * it); a pulled model's results go to its own folder unless the caller says where.
 */
import fs from 'node:fs';
import type { Checkpoint, Store } from '../store';
import { resolveModelArg } from '../models/resolve-name';
import { resolveCheckpoint } from '../../src-worker/io/checkpoint';
import type { EvalJobInfo, EvalOptions, RunService } from './service';

export interface CheckpointTarget {
  /** Absolute path of what is evaluated. */
  path: string;
  /** The hub name when a pulled model was named. */
  pulled: string | null;
  /** The store's record of it, when it is a checkpoint of a run. */
  checkpoint: Checkpoint | null;
}

export function resolveCheckpointTarget(given: string, store: Store, dataDir: string): CheckpointTarget {
  const target = resolveModelArg(given, dataDir);
  // A run folder (or its checkpoints folder) means its newest checkpoint: resolved here, so that results
  // go to that run's eval_results/ and are recorded with the checkpoint, as for a named sidecar.
  const p = !target.pulled && isDirectory(target.path) ? (resolveCheckpoint(target.path).sidecar ?? target.path) : target.path;
  const checkpoint = store.checkpoints.getByPath(p) ?? store.checkpoints.getByPath(p.replace(/\.safetensors$/, '.json')) ?? null;
  return { path: p, pulled: target.pulled, checkpoint };
}

export function evaluateCheckpointTarget(service: RunService, target: CheckpointTarget, tasks: string[], options: EvalOptions = {}): { job: EvalJobInfo; done: Promise<EvalJobInfo> } {
  const o: EvalOptions = { ...options, ...(options.resultsDir === undefined && target.pulled ? { resultsDir: target.path } : {}) };
  return target.checkpoint ? service.evaluate(target.checkpoint.id, tasks, o) : service.evaluatePath(target.path, tasks, o);
}

function isDirectory(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}
