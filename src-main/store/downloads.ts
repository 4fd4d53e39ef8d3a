/** Downloads: what is being fetched where, how far it got, and whether it finished. */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { StoreError } from './errors';
import { parseInput } from './validate';

export const DOWNLOAD_STATUSES = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled'] as const;
export type DownloadStatus = (typeof DOWNLOAD_STATUSES)[number];

export interface Download {
  id: number;
  url: string;
  dest: string;
  totalBytes: number | null;
  doneBytes: number;
  /** Expected SHA-256 (hex), when the source publishes one. */
  sha256: string | null;
  status: DownloadStatus;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

const sha256Schema = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hexadecimal characters')
  .transform((s) => s.toLowerCase());

const newDownloadSchema = z
  .object({
    url: z.url({ protocol: /^(https?|file)$/, error: 'expected an http(s) or file URL' }),
    dest: z.string().min(1),
    totalBytes: z.number().int().nonnegative().nullable().optional(),
    sha256: sha256Schema.nullable().optional(),
    status: z.enum(DOWNLOAD_STATUSES).optional(),
    createdAt: z.number().int().nonnegative().optional(),
  })
  .strict();
export type NewDownload = z.input<typeof newDownloadSchema>;

const downloadPatchSchema = z
  .object({
    totalBytes: z.number().int().nonnegative().nullable(),
    doneBytes: z.number().int().nonnegative(),
    sha256: sha256Schema.nullable(),
    status: z.enum(DOWNLOAD_STATUSES),
    error: z.string().nullable(),
  })
  .partial()
  .strict();
export type DownloadPatch = z.input<typeof downloadPatchSchema>;

interface DownloadRow {
  id: number;
  url: string;
  dest: string;
  total_bytes: number | null;
  done_bytes: number;
  sha256: string | null;
  status: DownloadStatus;
  error: string | null;
  created_at: number;
  updated_at: number;
}

function fromRow(row: DownloadRow): Download {
  return {
    id: row.id,
    url: row.url,
    dest: row.dest,
    totalBytes: row.total_bytes,
    doneBytes: row.done_bytes,
    sha256: row.sha256,
    status: row.status,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class DownloadsRepo {
  private readonly progressStmt;

  constructor(private readonly db: Database.Database) {
    this.progressStmt = db.prepare<[number, number | null, number, number]>(
      'UPDATE downloads SET done_bytes = ?, total_bytes = COALESCE(?, total_bytes), updated_at = ? WHERE id = ?',
    );
  }

  create(input: NewDownload): Download {
    const d = parseInput(newDownloadSchema, input, 'new download');
    const now = d.createdAt ?? Date.now();
    const row = this.db
      .prepare<[string, string, number | null, string | null, string, number, number], DownloadRow>(
        `INSERT INTO downloads (url, dest, total_bytes, sha256, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(d.url, d.dest, d.totalBytes ?? null, d.sha256 ?? null, d.status ?? 'queued', now, now);
    return fromRow(row as DownloadRow);
  }

  get(id: number): Download | undefined {
    const row = this.db.prepare<[number], DownloadRow>('SELECT * FROM downloads WHERE id = ?').get(id);
    return row ? fromRow(row) : undefined;
  }

  require(id: number): Download {
    const d = this.get(id);
    if (!d) throw new StoreError('NOT_FOUND', `no download with id ${id}`);
    return d;
  }

  /** Oldest first. */
  list(filter: { statuses?: DownloadStatus[] } = {}): Download[] {
    const statuses = filter.statuses ?? [];
    const where = statuses.length ? `WHERE status IN (${statuses.map(() => '?').join(', ')})` : '';
    return this.db
      .prepare<string[], DownloadRow>(`SELECT * FROM downloads ${where} ORDER BY created_at, id`)
      .all(...statuses)
      .map(fromRow);
  }

  /** Cheap progress update (one prepared statement); the downloader should still throttle calls. */
  setProgress(id: number, doneBytes: number, totalBytes: number | null = null, at: number = Date.now()): void {
    if (!Number.isSafeInteger(doneBytes) || doneBytes < 0) {
      throw new StoreError('INVALID_INPUT', `download ${id} doneBytes: expected a non-negative integer, got ${doneBytes}`);
    }
    if (this.progressStmt.run(doneBytes, totalBytes, at, id).changes === 0) this.require(id);
  }

  update(id: number, patch: DownloadPatch, at: number = Date.now()): Download {
    const p = parseInput(downloadPatchSchema, patch, `update of download ${id}`);
    const sets: string[] = ['updated_at = @updated_at'];
    const params: Record<string, string | number | null> = { id, updated_at: at };
    const set = (column: string, value: string | number | null): void => {
      sets.push(`${column} = @${column}`);
      params[column] = value;
    };
    if (p.totalBytes !== undefined) set('total_bytes', p.totalBytes);
    if (p.doneBytes !== undefined) set('done_bytes', p.doneBytes);
    if (p.sha256 !== undefined) set('sha256', p.sha256);
    if (p.status !== undefined) set('status', p.status);
    if (p.error !== undefined) set('error', p.error);
    if (this.db.prepare(`UPDATE downloads SET ${sets.join(', ')} WHERE id = @id`).run(params).changes === 0) {
      this.require(id);
    }
    return this.require(id);
  }

  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM downloads WHERE id = ?').run(id).changes > 0;
  }
}
