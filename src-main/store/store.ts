/**
 * Opens the workbench database: WAL (readers never block the writer), foreign keys on, a busy
 * timeout (a second process, e.g. the CLI beside the app, waits instead of failing), migrations.
 * Only the main process writes; workers send metrics to it over IPC.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CheckpointsRepo } from './checkpoints';
import { DatasetsRepo } from './datasets';
import { DownloadsRepo } from './downloads';
import { StoreError } from './errors';
import { EvaluationsRepo } from './evaluations';
import { EventsRepo } from './events';
import { MetricsRepo } from './metrics-repo';
import { assertSchemaCurrent, migrate, type MigrationReport } from './migrate';
import { MIGRATIONS } from './migrations';
import { RunsRepo } from './runs';

export interface OpenStoreOptions {
  /** Path of the SQLite file (usually `dataLayout(root).database`); its folder is created if missing. */
  file: string;
  readonly?: boolean;
  /** How long a statement waits for another process's write lock before failing. */
  busyTimeoutMs?: number;
}

export class Store {
  readonly runs: RunsRepo;
  readonly metrics: MetricsRepo;
  readonly events: EventsRepo;
  readonly checkpoints: CheckpointsRepo;
  readonly evaluations: EvaluationsRepo;
  readonly datasets: DatasetsRepo;
  readonly downloads: DownloadsRepo;

  constructor(
    readonly db: Database.Database,
    readonly file: string,
    readonly migration: MigrationReport,
  ) {
    this.runs = new RunsRepo(db);
    this.metrics = new MetricsRepo(db);
    this.events = new EventsRepo(db);
    this.checkpoints = new CheckpointsRepo(db);
    this.evaluations = new EvaluationsRepo(db);
    this.datasets = new DatasetsRepo(db);
    this.downloads = new DownloadsRepo(db);
  }

  get schemaVersion(): number {
    return this.migration.to;
  }

  /**
   * Runs fn in one write transaction (nested calls become savepoints). IMMEDIATE takes the write lock
   * up front, so a second process waits on busy_timeout instead of failing with SQLITE_BUSY when its
   * read snapshot turns out stale at the first write.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function notADatabase(file: string, err: unknown): StoreError {
  return new StoreError(
    'NOT_A_DATABASE',
    `${file} is not a CLIP Workbench database (${(err as Error).message}): move it away, or choose another data folder with --data-dir or CLIPWB_HOME`,
    { cause: err },
  );
}

export function openStore(options: OpenStoreOptions): Store {
  const file = path.resolve(options.file);
  const readonly = options.readonly ?? false;
  if (readonly && !fs.existsSync(file)) {
    throw new StoreError('NOT_FOUND', `no database at ${file}: run the app or any clipwb command once to create it`);
  }
  if (!readonly) fs.mkdirSync(path.dirname(file), { recursive: true });

  let db: Database.Database;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly });
  } catch (err) {
    throw notADatabase(file, err);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    try {
      if (!readonly) db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      // In WAL mode NORMAL loses no committed transaction when the app crashes; only an OS crash or
      // power loss can drop the last few, and it never corrupts the file.
      if (!readonly) db.pragma('synchronous = NORMAL');
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw notADatabase(file, err);
      throw err;
    }
    let report: MigrationReport;
    if (readonly) {
      const version = assertSchemaCurrent(db, MIGRATIONS, file);
      report = { from: version, to: version, applied: [] };
    } else {
      report = migrate(db, MIGRATIONS, file);
    }
    return new Store(db, file, report);
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw notADatabase(file, err);
    throw err;
  }
}
