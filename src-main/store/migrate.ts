/**
 * Applies numbered migrations, recorded in `schema_migrations`. A database written by a newer build
 * (a version this code does not know) is refused rather than half-understood.
 */
import type Database from 'better-sqlite3';
import { StoreError } from './errors';
import type { Migration } from './migrations';

export interface MigrationReport {
  from: number;
  to: number;
  applied: number[];
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration list out of order: entry ${i} has version ${m.version}, expected ${i + 1}`);
    }
  });
}

function hasMigrationsTable(db: Database.Database): boolean {
  const row = db
    .prepare("SELECT 1 AS present FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  return row !== undefined;
}

export function currentSchemaVersion(db: Database.Database): number {
  if (!hasMigrationsTable(db)) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as
    | { version: number | null }
    | undefined;
  return row?.version ?? 0;
}

function tooNew(file: string, found: number, known: number): StoreError {
  return new StoreError(
    'SCHEMA_TOO_NEW',
    `${file} has schema version ${found}, but this build of CLIP Workbench knows versions up to ${known}: ` +
      'update CLIP Workbench, or point it at another data folder with --data-dir or CLIPWB_HOME',
  );
}

/** Checks the version without writing, for read-only connections. */
export function assertSchemaCurrent(db: Database.Database, migrations: readonly Migration[], file: string): number {
  const latest = migrations.length;
  const version = currentSchemaVersion(db);
  if (version > latest) throw tooNew(file, version, latest);
  if (version < latest) {
    throw new StoreError(
      'SCHEMA_OUTDATED',
      `${file} has schema version ${version}, this build needs ${latest}: open it once read-write (start the app or any clipwb command) to upgrade it`,
    );
  }
  return version;
}

export function migrate(db: Database.Database, migrations: readonly Migration[], file: string): MigrationReport {
  checkMigrationList(migrations);
  const latest = migrations.length;
  // IMMEDIATE takes the write lock first, so two processes opening a fresh database at once
  // cannot both apply migration 1.
  const run = db.transaction((): MigrationReport => {
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT',
    );
    const from = currentSchemaVersion(db);
    if (from > latest) throw tooNew(file, from, latest);
    const applied: number[] = [];
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations.slice(from)) {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      record.run(m.version, m.name, Date.now());
      applied.push(m.version);
    }
    return { from, to: latest, applied };
  });
  return run.immediate();
}
