/** Events and log lines, per run or global (run_id NULL), read back as a tail by id. */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { StoreError, isConstraintError } from './errors';
import { jsonValueSchema, parseJsonColumn, toJsonText, type JsonValue } from './json';
import { parseInput } from './validate';

export const EVENT_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type EventLevel = (typeof EVENT_LEVELS)[number];

export interface StoredEvent {
  id: number;
  runId: string | null;
  /** Milliseconds since the Unix epoch. */
  time: number;
  level: EventLevel;
  /** What happened, as a short machine-readable tag: `log`, `status`, `checkpoint`, `download`... */
  kind: string;
  message: string;
  data: JsonValue | null;
}

const newEventSchema = z
  .object({
    runId: z.string().min(1).nullable().optional(),
    time: z.number().int().nonnegative().optional(),
    level: z.enum(EVENT_LEVELS),
    kind: z.string().min(1).max(100),
    message: z.string().max(1_000_000),
    data: jsonValueSchema.nullable().optional(),
  })
  .strict();
export type NewEvent = z.input<typeof newEventSchema>;

export interface EventQuery {
  /** A run's events; `null` for global events only; omitted for all. */
  runId?: string | null;
  /** Only events with an id greater than this (for tailing). */
  afterId?: number;
  /** Only events with an id lower than this (for paging backwards). */
  beforeId?: number;
  levels?: EventLevel[];
  kinds?: string[];
  /** Newest `limit` events of the selection, returned oldest first. Default 1000. */
  limit?: number;
}

interface EventRow {
  id: number;
  run_id: string | null;
  time: number;
  level: EventLevel;
  kind: string;
  message: string;
  data: string | null;
}

export class EventsRepo {
  private readonly insertStmt;

  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare<[string | null, number, string, string, string, string | null]>(
      'INSERT INTO events (run_id, time, level, kind, message, data) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  private fromRow(row: EventRow): StoredEvent {
    return {
      id: row.id,
      runId: row.run_id,
      time: row.time,
      level: row.level,
      kind: row.kind,
      message: row.message,
      data: row.data === null ? null : parseJsonColumn(row.data, { table: 'events', column: 'data', id: row.id }, jsonValueSchema),
    };
  }

  /** Adds events in one transaction; returns their ids. */
  add(events: readonly NewEvent[]): number[] {
    const parsed = parseInput(z.array(newEventSchema), events, 'events');
    return this.db.transaction((): number[] => {
      const ids: number[] = [];
      for (const e of parsed) {
        try {
          const result = this.insertStmt.run(
            e.runId ?? null,
            e.time ?? Date.now(),
            e.level,
            e.kind,
            e.message,
            e.data === undefined || e.data === null ? null : toJsonText(e.data),
          );
          ids.push(Number(result.lastInsertRowid));
        } catch (err) {
          if (isConstraintError(err)) {
            throw new StoreError('NOT_FOUND', `event for unknown run ${JSON.stringify(e.runId)}: create the run first or log it globally (runId null)`, { cause: err });
          }
          throw err;
        }
      }
      return ids;
    }).immediate();
  }

  addOne(event: NewEvent): StoredEvent {
    const [id] = this.add([event]);
    return this.get(id as number) as StoredEvent;
  }

  get(id: number): StoredEvent | undefined {
    const row = this.db.prepare<[number], EventRow>('SELECT * FROM events WHERE id = ?').get(id);
    return row ? this.fromRow(row) : undefined;
  }

  list(query: EventQuery = {}): StoredEvent[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.runId === null) where.push('run_id IS NULL');
    else if (query.runId !== undefined) {
      where.push('run_id = ?');
      params.push(query.runId);
    }
    if (query.afterId !== undefined) {
      where.push('id > ?');
      params.push(query.afterId);
    }
    if (query.beforeId !== undefined) {
      where.push('id < ?');
      params.push(query.beforeId);
    }
    if (query.levels && query.levels.length > 0) {
      const levels = parseInput(z.array(z.enum(EVENT_LEVELS)), query.levels, 'event filter levels');
      where.push(`level IN (${levels.map(() => '?').join(', ')})`);
      params.push(...levels);
    }
    if (query.kinds && query.kinds.length > 0) {
      where.push(`kind IN (${query.kinds.map(() => '?').join(', ')})`);
      params.push(...query.kinds);
    }
    const limit = Math.max(0, Math.floor(query.limit ?? 1000));
    // Without afterId: the newest `limit` events (a log tail). With afterId: the next `limit` after it,
    // oldest first, so paging forward never skips a line.
    const order = query.afterId !== undefined ? 'ASC' : 'DESC';
    const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order} LIMIT ${limit}`;
    const rows = this.db.prepare<(string | number)[], EventRow>(sql).all(...params);
    return (order === 'DESC' ? rows.reverse() : rows).map((row) => this.fromRow(row));
  }
}
