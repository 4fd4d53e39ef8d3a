/**
 * The store's checkpoint rows against the files on disk: which checkpoint a resume can really use (run
 * folders get deleted or moved), and which checkpoints a worker wrote that the store never heard of
 * (a worker that paused itself after the app died records its checkpoint on disk only).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Checkpoint, Run, Store } from '../store';
import { removeAbandonedTempFiles } from '../../src-worker/io/atomic';

interface SidecarFacts {
  runId: string;
  epoch: number;
  step: number;
  files: string[];
  bytes: number;
}

/** The facts of a sidecar written by this workbench, or null where it is not one or is incomplete. */
function readSidecar(file: string): SidecarFacts | null {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const s = raw as { format?: unknown; runId?: unknown; epoch?: unknown; step?: unknown; files?: { weights?: { file?: unknown; bytes?: unknown }; state?: { file?: unknown; bytes?: unknown } | null } };
  if (s.format !== 'clipwb-checkpoint' || typeof s.runId !== 'string') return null;
  if (!Number.isInteger(s.epoch) || !Number.isInteger(s.step) || (s.epoch as number) < 0 || (s.step as number) < 0) return null;
  const parts = [s.files?.weights, ...(s.files?.state ? [s.files.state] : [])];
  const files: string[] = [];
  let bytes = 0;
  for (const part of parts) {
    if (typeof part?.file !== 'string' || typeof part.bytes !== 'number') return null;
    const p = path.join(path.dirname(file), path.basename(part.file));
    // A size mismatch is a torn or replaced file: not a checkpoint to resume from.
    if (!fs.existsSync(p) || fs.statSync(p).size !== part.bytes) return null;
    files.push(p);
    bytes += part.bytes;
  }
  return { runId: s.runId, epoch: s.epoch as number, step: s.step as number, files, bytes };
}

export function checkpointFilesExist(ckptPath: string): boolean {
  return readSidecar(ckptPath) !== null;
}

/**
 * The newest checkpoint of the run whose files are complete on disk. Rows whose files are gone are
 * marked deleted on the way (their evaluations stay).
 */
export function usableCheckpoint(store: Store, runId: string): Checkpoint | null {
  for (;;) {
    const latest = store.checkpoints.latestForRun(runId);
    if (!latest) return null;
    if (checkpointFilesExist(latest.path)) return latest;
    store.checkpoints.markFileDeleted(latest.id);
  }
}

/** Records the run's checkpoints that are on disk but not in the store; returns the new rows. */
export function adoptCheckpointsOnDisk(store: Store, run: Run): Checkpoint[] {
  if (!run.outDir) return [];
  const dir = path.join(run.outDir, 'checkpoints');
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return [];
  }
  const added: Checkpoint[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    if (store.checkpoints.getByPath(file)) continue;
    const facts = readSidecar(file);
    if (!facts || facts.runId !== run.id) continue;
    added.push(store.checkpoints.add({ runId: run.id, path: file, epoch: facts.epoch, step: facts.step, sizeBytes: facts.bytes }));
  }
  return added.sort((a, b) => a.step - b.step);
}

/**
 * A resume from an older checkpoint writes the later ones again under the same names (step_N,
 * epoch_N name their step). The row of that path then describes the new file: it is live again.
 * The store has no update for checkpoint rows, so this is the one place that writes the table itself.
 */
export function reviveCheckpoint(store: Store, id: number, c: { epoch: number; step: number; sizeBytes: number }): Checkpoint {
  store.db.prepare('UPDATE checkpoints SET epoch = ?, step = ?, size_bytes = ?, created_at = ?, file_deleted_at = NULL WHERE id = ?')
    .run(c.epoch, c.step, c.sizeBytes, Date.now(), id);
  return store.checkpoints.require(id);
}

/** Removes the temporary files that checkpoint writes of this run's dead workers left behind. */
export function removeAbandonedCheckpointTemps(outDir: string | null): string[] {
  if (!outDir) return [];
  return [...removeAbandonedTempFiles(path.join(outDir, 'checkpoints')), ...removeAbandonedTempFiles(outDir)];
}
