/**
 * Evaluation results: one row per (checkpoint, task, metric), or per (run, epoch, task, metric) when
 * the result is not tied to a recorded checkpoint. One metric per task may be flagged as its main one.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { StoreError } from './errors';
import { parseInput } from './validate';

export type EvaluationTarget = { checkpointId: number } | { runId: string; epoch: number };

export interface Evaluation {
  id: number;
  runId: string;
  checkpointId: number | null;
  epoch: number | null;
  /** The checkpoint's step, when the result belongs to a checkpoint. */
  step: number | null;
  task: string;
  metric: string;
  /** null where the task produced no number (SQLite also stores NaN as NULL). */
  value: number | null;
  isMain: boolean;
  createdAt: number;
}

const targetSchema = z.union([
  z.object({ checkpointId: z.number().int().positive() }).strict(),
  z.object({ runId: z.string().min(1), epoch: z.number().int().nonnegative() }).strict(),
]);

const taskResultSchema = z
  .object({
    target: targetSchema,
    task: z.string().min(1).max(200),
    metrics: z.record(z.string().min(1).max(200), z.number().nullable()),
    /** Which of `metrics` is the task's main metric; null when it has none. */
    mainMetric: z.string().min(1).nullable(),
    createdAt: z.number().int().nonnegative().optional(),
  })
  .strict()
  .refine((r) => r.mainMetric === null || r.mainMetric in r.metrics, {
    message: 'mainMetric must name one of metrics',
    path: ['mainMetric'],
  });
export type TaskResult = z.input<typeof taskResultSchema>;

export interface EvaluationQuery {
  runIds?: string[];
  checkpointId?: number;
  task?: string;
  mainOnly?: boolean;
}

interface EvaluationRow {
  id: number;
  run_id: string;
  checkpoint_id: number | null;
  epoch: number | null;
  step: number | null;
  task: string;
  metric: string;
  value: number | null;
  is_main: number;
  created_at: number;
}

function fromRow(row: EvaluationRow): Evaluation {
  return {
    id: row.id,
    runId: row.run_id,
    checkpointId: row.checkpoint_id,
    epoch: row.epoch,
    step: row.step,
    task: row.task,
    metric: row.metric,
    value: row.value,
    isMain: row.is_main === 1,
    createdAt: row.created_at,
  };
}

const SELECT_EVALUATIONS = `
  SELECT e.id, e.run_id, e.checkpoint_id, COALESCE(e.epoch, c.epoch) AS epoch, c.step AS step,
         e.task, e.metric, e.value, e.is_main, e.created_at
  FROM evaluations e LEFT JOIN checkpoints c ON c.id = e.checkpoint_id`;

export class EvaluationsRepo {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    const upsertColumns = 'run_id, checkpoint_id, epoch, task, metric, value, is_main, created_at';
    const onConflict = 'DO UPDATE SET value = excluded.value, is_main = excluded.is_main, created_at = excluded.created_at';
    this.stmts = {
      checkpoint: db.prepare<[number], { run_id: string; epoch: number }>('SELECT run_id, epoch FROM checkpoints WHERE id = ?'),
      runExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM runs WHERE id = ?'),
      upsertForCheckpoint: db.prepare(
        `INSERT INTO evaluations (${upsertColumns}) VALUES (@run_id, @checkpoint_id, @epoch, @task, @metric, @value, @is_main, @created_at)
         ON CONFLICT (checkpoint_id, task, metric) WHERE checkpoint_id IS NOT NULL ${onConflict}`,
      ),
      upsertForEpoch: db.prepare(
        `INSERT INTO evaluations (${upsertColumns}) VALUES (@run_id, NULL, @epoch, @task, @metric, @value, @is_main, @created_at)
         ON CONFLICT (run_id, epoch, task, metric) WHERE checkpoint_id IS NULL ${onConflict}`,
      ),
      clearMainForCheckpoint: db.prepare<[number, string]>(
        'UPDATE evaluations SET is_main = 0 WHERE checkpoint_id = ? AND task = ?',
      ),
      clearMainForEpoch: db.prepare<[string, number, string]>(
        'UPDATE evaluations SET is_main = 0 WHERE checkpoint_id IS NULL AND run_id = ? AND epoch = ? AND task = ?',
      ),
      get: db.prepare<[number], EvaluationRow>(`${SELECT_EVALUATIONS} WHERE e.id = ?`),
      deleteForCheckpoint: db.prepare<[number]>('DELETE FROM evaluations WHERE checkpoint_id = ?'),
    };
  }

  /**
   * Records all metrics of one task for one target in a transaction, replacing earlier values of the
   * same metrics (re-running an evaluation overwrites, it does not duplicate).
   */
  recordTask(input: TaskResult): Evaluation[] {
    const r = parseInput(taskResultSchema, input, 'evaluation result');
    const createdAt = r.createdAt ?? Date.now();
    return this.db.transaction((): Evaluation[] => {
      const ids: number[] = [];
      if ('checkpointId' in r.target) {
        const checkpointId = r.target.checkpointId;
        const c = this.stmts.checkpoint.get(checkpointId);
        if (!c) throw new StoreError('NOT_FOUND', `evaluation for unknown checkpoint ${checkpointId}: record the checkpoint first`);
        this.stmts.clearMainForCheckpoint.run(checkpointId, r.task);
        for (const [metric, value] of Object.entries(r.metrics)) {
          this.stmts.upsertForCheckpoint.run({
            run_id: c.run_id,
            checkpoint_id: checkpointId,
            epoch: c.epoch,
            task: r.task,
            metric,
            value,
            is_main: metric === r.mainMetric ? 1 : 0,
            created_at: createdAt,
          });
        }
        const rows = this.db
          .prepare<[number, string], { id: number }>('SELECT id FROM evaluations WHERE checkpoint_id = ? AND task = ? ORDER BY metric')
          .all(checkpointId, r.task);
        ids.push(...rows.map((row) => row.id));
      } else {
        const { runId, epoch } = r.target;
        if (!this.stmts.runExists.get(runId)) {
          throw new StoreError('NOT_FOUND', `evaluation for unknown run ${JSON.stringify(runId)}`);
        }
        this.stmts.clearMainForEpoch.run(runId, epoch, r.task);
        for (const [metric, value] of Object.entries(r.metrics)) {
          this.stmts.upsertForEpoch.run({
            run_id: runId,
            epoch,
            task: r.task,
            metric,
            value,
            is_main: metric === r.mainMetric ? 1 : 0,
            created_at: createdAt,
          });
        }
        const rows = this.db
          .prepare<[string, number, string], { id: number }>(
            'SELECT id FROM evaluations WHERE checkpoint_id IS NULL AND run_id = ? AND epoch = ? AND task = ? ORDER BY metric',
          )
          .all(runId, epoch, r.task);
        ids.push(...rows.map((row) => row.id));
      }
      return ids.map((id) => fromRow(this.stmts.get.get(id) as EvaluationRow));
    }).immediate();
  }

  /** Sorted by run, epoch, step, task, metric. */
  list(query: EvaluationQuery = {}): Evaluation[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.runIds !== undefined) {
      if (query.runIds.length === 0) return [];
      where.push(`e.run_id IN (${query.runIds.map(() => '?').join(', ')})`);
      params.push(...query.runIds);
    }
    if (query.checkpointId !== undefined) {
      where.push('e.checkpoint_id = ?');
      params.push(query.checkpointId);
    }
    if (query.task !== undefined) {
      where.push('e.task = ?');
      params.push(query.task);
    }
    if (query.mainOnly) where.push('e.is_main = 1');
    const sql =
      `${SELECT_EVALUATIONS} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      'ORDER BY e.run_id, COALESCE(e.epoch, c.epoch), c.step, e.checkpoint_id, e.task, e.metric';
    return this.db
      .prepare<(string | number)[], EvaluationRow>(sql)
      .all(...params)
      .map(fromRow);
  }

  /** Tasks already evaluated for a checkpoint, so an interrupted evaluation can skip them. */
  tasksDone(checkpointId: number): string[] {
    return this.db
      .prepare<[number], { task: string }>('SELECT DISTINCT task FROM evaluations WHERE checkpoint_id = ? ORDER BY task')
      .all(checkpointId)
      .map((r) => r.task);
  }

  deleteForCheckpoint(checkpointId: number): number {
    return this.stmts.deleteForCheckpoint.run(checkpointId).changes;
  }
}
