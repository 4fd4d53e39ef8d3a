/** Datasets the workbench knows: built-in, downloaded, or a folder the user pointed at. */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { StoreError, isConstraintError } from './errors';
import { jsonObjectSchema, parseJsonColumn, toJsonText, type JsonObject } from './json';
import { parseInput } from './validate';

export const DATASET_KINDS = ['builtin', 'downloaded', 'folder'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];
export const DATASET_TYPES = ['train', 'eval'] as const;
export type DatasetType = (typeof DATASET_TYPES)[number];

export interface Dataset {
  id: number;
  name: string;
  kind: DatasetKind;
  path: string;
  type: DatasetType;
  /** What the last scan of the folder found (shard count, samples, problems...), as the scanner wrote it. */
  scan: JsonObject | null;
  addedAt: number;
}

const newDatasetSchema = z
  .object({
    name: z.string().trim().min(1, 'give the dataset a name').max(200),
    kind: z.enum(DATASET_KINDS),
    path: z.string().min(1),
    type: z.enum(DATASET_TYPES),
    scan: jsonObjectSchema.nullable().optional(),
    addedAt: z.number().int().nonnegative().optional(),
  })
  .strict();
export type NewDataset = z.input<typeof newDatasetSchema>;

const datasetPatchSchema = z
  .object({ name: z.string().trim().min(1).max(200), scan: jsonObjectSchema.nullable() })
  .partial()
  .strict();
export type DatasetPatch = z.input<typeof datasetPatchSchema>;

interface DatasetRow {
  id: number;
  name: string;
  kind: DatasetKind;
  path: string;
  type: DatasetType;
  scan: string | null;
  added_at: number;
}

function fromRow(row: DatasetRow): Dataset {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    path: row.path,
    type: row.type,
    scan: row.scan === null ? null : parseJsonColumn(row.scan, { table: 'datasets', column: 'scan', id: row.id }, jsonObjectSchema),
    addedAt: row.added_at,
  };
}

export class DatasetsRepo {
  constructor(private readonly db: Database.Database) {}

  add(input: NewDataset): Dataset {
    const d = parseInput(newDatasetSchema, input, 'new dataset');
    try {
      const row = this.db
        .prepare<[string, string, string, string, string | null, number], DatasetRow>(
          'INSERT INTO datasets (name, kind, path, type, scan, added_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
        )
        .get(d.name, d.kind, d.path, d.type, d.scan === undefined || d.scan === null ? null : toJsonText(d.scan), d.addedAt ?? Date.now());
      return fromRow(row as DatasetRow);
    } catch (err) {
      if (isConstraintError(err)) {
        const existing = this.db
          .prepare<[string, string], DatasetRow>('SELECT * FROM datasets WHERE path = ? AND type = ?')
          .get(d.path, d.type);
        throw new StoreError(
          'CONFLICT',
          `${d.path} is already registered as ${d.type} dataset ${existing ? `#${existing.id} "${existing.name}"` : ''}: use that one or remove it first`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  get(id: number): Dataset | undefined {
    const row = this.db.prepare<[number], DatasetRow>('SELECT * FROM datasets WHERE id = ?').get(id);
    return row ? fromRow(row) : undefined;
  }

  list(filter: { type?: DatasetType; kind?: DatasetKind } = {}): Dataset[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.type) {
      where.push('type = ?');
      params.push(filter.type);
    }
    if (filter.kind) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    return this.db
      .prepare<string[], DatasetRow>(`SELECT * FROM datasets ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY name, id`)
      .all(...params)
      .map(fromRow);
  }

  update(id: number, patch: DatasetPatch): Dataset {
    const p = parseInput(datasetPatchSchema, patch, `update of dataset ${id}`);
    if (p.name !== undefined) this.db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(p.name, id);
    if (p.scan !== undefined) {
      this.db.prepare('UPDATE datasets SET scan = ? WHERE id = ?').run(p.scan === null ? null : toJsonText(p.scan), id);
    }
    const d = this.get(id);
    if (!d) throw new StoreError('NOT_FOUND', `no dataset with id ${id}`);
    return d;
  }

  /** Forgets the dataset; the files on disk are not touched. */
  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
  }
}
