/** Runs: one row per training run, with its config, status and bookkeeping. */
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { RUN_ID_PATTERN } from '../paths';
import { StoreError, isConstraintError } from './errors';
import { jsonObjectSchema, parseJsonColumn, toJsonText, type JsonObject } from './json';
import { parseInput } from './validate';

export const RUN_STATUSES = [
  'queued',
  'starting',
  'running',
  'paused',
  'finished',
  'failed',
  'stalled',
  'cancelled',
  'interrupted',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Statuses in which a run holds no process; entering one stamps ended_at. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['finished', 'failed', 'cancelled', 'interrupted'];
export const RUN_ORIGINS = ['app', 'cli'] as const;
export type RunOrigin = (typeof RUN_ORIGINS)[number];

export interface Run {
  id: string;
  name: string;
  config: JsonObject;
  status: RunStatus;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  devices: string[];
  tags: string[];
  notes: string;
  error: string | null;
  pids: number[];
  outDir: string | null;
  resumable: boolean;
  origin: RunOrigin;
  /** How many times the run's metrics were superseded by a resume; new points carry this number. */
  metricSegment: number;
  /** The checkpoint (sidecar path) the next start continues from, when a resume named one; else null. */
  resumeFrom: string | null;
}

const tagsSchema = z.array(z.string().min(1).max(100)).max(100);
const pidsSchema = z.array(z.number().int().positive());
/** Device labels the run uses, e.g. `gpu:0`, `gpu:GPU-8f3c...`, `cpu`. */
const devicesSchema = z.array(z.string().min(1).max(200)).max(64);

const newRunSchema = z
  .object({
    id: z.string().regex(RUN_ID_PATTERN, 'use 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit').optional(),
    name: z.string().trim().min(1, 'give the run a name').max(200),
    config: jsonObjectSchema.optional(),
    status: z.enum(RUN_STATUSES).optional(),
    devices: devicesSchema.optional(),
    tags: tagsSchema.optional(),
    notes: z.string().max(100_000).optional(),
    outDir: z.string().min(1).nullable().optional(),
    resumable: z.boolean().optional(),
    origin: z.enum(RUN_ORIGINS),
    createdAt: z.number().int().nonnegative().optional(),
  })
  .strict();
export type NewRun = z.input<typeof newRunSchema>;

const runPatchSchema = z
  .object({
    name: z.string().trim().min(1, 'a run name cannot be empty').max(200),
    config: jsonObjectSchema,
    devices: devicesSchema,
    tags: tagsSchema,
    notes: z.string().max(100_000),
    error: z.string().nullable(),
    pids: pidsSchema,
    outDir: z.string().min(1).nullable(),
    resumable: z.boolean(),
    resumeFrom: z.string().min(1).nullable(),
  })
  .partial()
  .strict();
export type RunPatch = z.input<typeof runPatchSchema>;

export interface RunListFilter {
  statuses?: RunStatus[];
  /** Runs carrying this tag. */
  tag?: string;
  /** Case-insensitive substring of the name or the notes. */
  search?: string;
  origin?: RunOrigin;
  limit?: number;
  offset?: number;
}

interface RunRow {
  id: string;
  name: string;
  config: string;
  status: RunStatus;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  devices: string;
  tags: string;
  notes: string;
  error: string | null;
  pids: string;
  out_dir: string | null;
  resumable: number;
  origin: RunOrigin;
  metric_segment: number;
  resume_from: string | null;
}

function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return slug || 'run';
}

/** A readable, sortable, unique-enough id: `20261126-2251-fastclip-v3-3f9a`. */
export function makeRunId(name: string, now: Date = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp =
    `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `${stamp}-${slugify(name)}-${crypto.randomBytes(2).toString('hex')}`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class RunsRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly deleteStmt;

  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO runs (id, name, config, status, created_at, devices, tags, notes, out_dir, resumable, origin)
       VALUES (@id, @name, @config, @status, @created_at, @devices, @tags, @notes, @out_dir, @resumable, @origin)`,
    );
    this.getStmt = db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?');
    this.deleteStmt = db.prepare<[string]>('DELETE FROM runs WHERE id = ?');
  }

  private fromRow(row: RunRow): Run {
    const where = (column: string) => ({ table: 'runs', column, id: row.id });
    return {
      id: row.id,
      name: row.name,
      config: parseJsonColumn(row.config, where('config'), jsonObjectSchema),
      status: row.status,
      createdAt: row.created_at,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      devices: parseJsonColumn(row.devices, where('devices'), devicesSchema),
      tags: parseJsonColumn(row.tags, where('tags'), z.array(z.string())),
      notes: row.notes,
      error: row.error,
      pids: parseJsonColumn(row.pids, where('pids'), z.array(z.number())),
      outDir: row.out_dir,
      resumable: row.resumable === 1,
      origin: row.origin,
      metricSegment: row.metric_segment,
      resumeFrom: row.resume_from,
    };
  }

  create(input: NewRun): Run {
    const run = parseInput(newRunSchema, input, 'new run');
    const id = run.id ?? makeRunId(run.name);
    try {
      this.insertStmt.run({
        id,
        name: run.name,
        config: toJsonText(run.config ?? {}),
        status: run.status ?? 'queued',
        created_at: run.createdAt ?? Date.now(),
        devices: toJsonText(run.devices ?? []),
        tags: toJsonText([...new Set(run.tags ?? [])]),
        notes: run.notes ?? '',
        out_dir: run.outDir ?? null,
        resumable: run.resumable ? 1 : 0,
        origin: run.origin,
      });
    } catch (err) {
      if (isConstraintError(err)) {
        throw new StoreError('CONFLICT', `a run with id ${id} already exists: choose another id or omit it`, {
          cause: err,
        });
      }
      throw err;
    }
    return this.require(id);
  }

  get(id: string): Run | undefined {
    const row = this.getStmt.get(id);
    return row ? this.fromRow(row) : undefined;
  }

  require(id: string): Run {
    const run = this.get(id);
    if (!run) throw new StoreError('NOT_FOUND', `no run with id ${JSON.stringify(id)}: list runs to see the ids`);
    return run;
  }

  /** Newest first. */
  list(filter: RunListFilter = {}): Run[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.statuses && filter.statuses.length > 0) {
      const statuses = parseInput(z.array(z.enum(RUN_STATUSES)), filter.statuses, 'run filter statuses');
      where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    if (filter.tag !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE json_each.value = ?)');
      params.push(filter.tag);
    }
    if (filter.search !== undefined && filter.search !== '') {
      const pattern = `%${escapeLike(filter.search)}%`;
      where.push("(name LIKE ? ESCAPE '\\' OR notes LIKE ? ESCAPE '\\')");
      params.push(pattern, pattern);
    }
    if (filter.origin !== undefined) {
      where.push('origin = ?');
      params.push(filter.origin);
    }
    const limit = filter.limit === undefined ? -1 : Math.max(0, Math.floor(filter.limit));
    const offset = Math.max(0, Math.floor(filter.offset ?? 0));
    const sql =
      `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`;
    return this.db
      .prepare<(string | number)[], RunRow>(sql)
      .all(...params)
      .map((row) => this.fromRow(row));
  }

  update(id: string, patch: RunPatch): Run {
    const p = parseInput(runPatchSchema, patch, `update of run ${id}`);
    const sets: string[] = [];
    const params: Record<string, string | number | null> = { id };
    const set = (column: string, value: string | number | null): void => {
      sets.push(`${column} = @${column}`);
      params[column] = value;
    };
    if (p.name !== undefined) set('name', p.name);
    if (p.config !== undefined) set('config', toJsonText(p.config));
    if (p.devices !== undefined) set('devices', toJsonText(p.devices));
    if (p.tags !== undefined) set('tags', toJsonText([...new Set(p.tags)]));
    if (p.notes !== undefined) set('notes', p.notes);
    if (p.error !== undefined) set('error', p.error);
    if (p.pids !== undefined) set('pids', toJsonText(p.pids));
    if (p.outDir !== undefined) set('out_dir', p.outDir);
    if (p.resumable !== undefined) set('resumable', p.resumable ? 1 : 0);
    if (p.resumeFrom !== undefined) set('resume_from', p.resumeFrom);
    if (sets.length > 0) {
      const result = this.db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = @id`).run(params);
      if (result.changes === 0) this.require(id);
    }
    return this.require(id);
  }

  /**
   * Sets the status and the timestamps that follow from it: started_at on the first start, ended_at on
   * entering a terminal status (cleared again when a resumed run starts). Which transitions are
   * allowed is the run manager's business, not the store's.
   */
  setStatus(id: string, status: RunStatus, options: { error?: string | null; at?: number } = {}): Run {
    const s = parseInput(z.enum(RUN_STATUSES), status, `status of run ${id}`);
    const at = options.at ?? Date.now();
    const terminal = TERMINAL_RUN_STATUSES.includes(s) ? 1 : 0;
    const active = s === 'starting' || s === 'running' ? 1 : 0;
    const result = this.db
      .prepare(
        `UPDATE runs SET
           status = @status,
           started_at = CASE WHEN @active = 1 AND started_at IS NULL THEN @at ELSE started_at END,
           ended_at = CASE WHEN @terminal = 1 THEN @at WHEN @active = 1 THEN NULL ELSE ended_at END,
           error = CASE WHEN @set_error = 1 THEN @error ELSE error END
         WHERE id = @id`,
      )
      .run({
        id,
        status: s,
        at,
        active,
        terminal,
        set_error: options.error !== undefined ? 1 : 0,
        error: options.error ?? null,
      });
    if (result.changes === 0) this.require(id);
    return this.require(id);
  }

  /** Deletes the run and, through foreign keys, its metrics, events, checkpoints and evaluations. */
  delete(id: string): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }
}
