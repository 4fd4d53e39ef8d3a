/** Checkpoints a run wrote: where the file is, at which epoch and step, and how big. */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { StoreError, isConstraintError } from './errors';
import { parseInput } from './validate';

export interface Checkpoint {
  id: number;
  runId: string;
  path: string;
  epoch: number;
  step: number;
  sizeBytes: number;
  createdAt: number;
  /** When the file was removed from disk (the row stays so its evaluations stay); null while it exists. */
  fileDeletedAt: number | null;
}

const newCheckpointSchema = z
  .object({
    runId: z.string().min(1),
    path: z.string().min(1),
    epoch: z.number().int().nonnegative(),
    step: z.number().int().nonnegative(),
    sizeBytes: z.number().int().nonnegative(),
    createdAt: z.number().int().nonnegative().optional(),
  })
  .strict();
export type NewCheckpoint = z.input<typeof newCheckpointSchema>;

interface CheckpointRow {
  id: number;
  run_id: string;
  path: string;
  epoch: number;
  step: number;
  size_bytes: number;
  created_at: number;
  file_deleted_at: number | null;
}

function fromRow(row: CheckpointRow): Checkpoint {
  return {
    id: row.id,
    runId: row.run_id,
    path: row.path,
    epoch: row.epoch,
    step: row.step,
    sizeBytes: row.size_bytes,
    createdAt: row.created_at,
    fileDeletedAt: row.file_deleted_at,
  };
}

export class CheckpointsRepo {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      insert: db.prepare<[string, string, number, number, number, number], CheckpointRow>(
        `INSERT INTO checkpoints (run_id, path, epoch, step, size_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)
         RETURNING *`,
      ),
      get: db.prepare<[number], CheckpointRow>('SELECT * FROM checkpoints WHERE id = ?'),
      byPath: db.prepare<[string], CheckpointRow>('SELECT * FROM checkpoints WHERE path = ?'),
      ofRun: db.prepare<[string], CheckpointRow>('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step, id'),
      latest: db.prepare<[string], CheckpointRow>(
        'SELECT * FROM checkpoints WHERE run_id = ? AND file_deleted_at IS NULL ORDER BY step DESC, id DESC LIMIT 1',
      ),
      markDeleted: db.prepare<[number, number]>('UPDATE checkpoints SET file_deleted_at = ? WHERE id = ?'),
    };
  }

  add(input: NewCheckpoint): Checkpoint {
    const c = parseInput(newCheckpointSchema, input, 'new checkpoint');
    try {
      return fromRow(
        this.stmts.insert.get(c.runId, c.path, c.epoch, c.step, c.sizeBytes, c.createdAt ?? Date.now()) as CheckpointRow,
      );
    } catch (err) {
      if (isConstraintError(err)) {
        if (this.stmts.byPath.get(c.path)) {
          throw new StoreError('CONFLICT', `checkpoint ${c.path} is already recorded: write each checkpoint to a new file`, { cause: err });
        }
        throw new StoreError('NOT_FOUND', `checkpoint for unknown run ${JSON.stringify(c.runId)}`, { cause: err });
      }
      throw err;
    }
  }

  get(id: number): Checkpoint | undefined {
    const row = this.stmts.get.get(id);
    return row ? fromRow(row) : undefined;
  }

  require(id: number): Checkpoint {
    const c = this.get(id);
    if (!c) throw new StoreError('NOT_FOUND', `no checkpoint with id ${id}`);
    return c;
  }

  getByPath(path: string): Checkpoint | undefined {
    const row = this.stmts.byPath.get(path);
    return row ? fromRow(row) : undefined;
  }

  /** Oldest first. */
  listForRun(runId: string): Checkpoint[] {
    return this.stmts.ofRun.all(runId).map(fromRow);
  }

  /** The checkpoint to resume from: the highest step whose file still exists. */
  latestForRun(runId: string): Checkpoint | undefined {
    const row = this.stmts.latest.get(runId);
    return row ? fromRow(row) : undefined;
  }

  markFileDeleted(id: number, at: number = Date.now()): Checkpoint {
    this.stmts.markDeleted.run(at, id);
    return this.require(id);
  }
}
