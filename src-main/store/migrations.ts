/**
 * The schema, as numbered migrations applied in order. Never edit a migration that has shipped: add the
 * next number. Timestamps are milliseconds since the Unix epoch (INTEGER, or REAL for metric wall time).
 *
 * Metric points live in two places (see metrics-repo.ts): recent points as rows in `metric_points`
 * (cheap appends, committed as they arrive), older ones packed 1024 at a time into `metric_chunks`
 * blobs. Reading a 1M-point series as rows costs about 0.7 s in better-sqlite3 (per-row overhead);
 * as chunks it is a few milliseconds. `metric_series` keeps one row per (run, key) with the summary
 * (count, last, min, max) so run tables never scan points.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database.Database) => void);
}

const RUN_STATUS_CHECK =
  "'queued','starting','running','paused','finished','failed','stalled','cancelled','interrupted'";

const INITIAL_SCHEMA = `
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  config TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL CHECK (status IN (${RUN_STATUS_CHECK})),
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at INTEGER,
  devices TEXT NOT NULL DEFAULT '[]',
  tags TEXT NOT NULL DEFAULT '[]',
  notes TEXT NOT NULL DEFAULT '',
  error TEXT,
  pids TEXT NOT NULL DEFAULT '[]',
  out_dir TEXT,
  resumable INTEGER NOT NULL DEFAULT 0 CHECK (resumable IN (0, 1)),
  origin TEXT NOT NULL CHECK (origin IN ('app', 'cli')),
  -- Incremented by each resume (supersedeMetricsAfter); new metric points carry it.
  metric_segment INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX runs_by_created ON runs(created_at);
CREATE INDEX runs_by_status ON runs(status);

CREATE TABLE metric_series (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  point_count INTEGER NOT NULL DEFAULT 0,
  tail_count INTEGER NOT NULL DEFAULT 0,
  -- Largest step held in live chunks; every live row in metric_points has a larger step.
  chunked_through INTEGER,
  first_step INTEGER,
  first_wall REAL,
  last_step INTEGER,
  last_value REAL,
  last_wall REAL,
  min_value REAL,
  min_step INTEGER,
  max_value REAL,
  max_step INTEGER,
  UNIQUE (run_id, key)
) STRICT;

CREATE TABLE metric_points (
  id INTEGER PRIMARY KEY,
  series_id INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
  superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)),
  step INTEGER NOT NULL,
  segment INTEGER NOT NULL,
  -- SQLite stores NaN as NULL, so NULL here reads back as NaN.
  value REAL,
  wall_time REAL NOT NULL
) STRICT;
CREATE INDEX metric_points_by_step ON metric_points(series_id, superseded, step);

CREATE TABLE metric_chunks (
  id INTEGER PRIMARY KEY,
  series_id INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
  superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)),
  first_step INTEGER NOT NULL,
  last_step INTEGER NOT NULL,
  point_count INTEGER NOT NULL,
  data BLOB NOT NULL
) STRICT;
CREATE INDEX metric_chunks_by_step ON metric_chunks(series_id, superseded, first_step, last_step);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  run_id TEXT REFERENCES runs(id) ON DELETE CASCADE,
  time INTEGER NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  data TEXT
) STRICT;
CREATE INDEX events_by_run ON events(run_id, id);

CREATE TABLE checkpoints (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  path TEXT NOT NULL UNIQUE,
  epoch INTEGER NOT NULL,
  step INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  -- Set when the file is removed (e.g. keep-last-N); the row stays so its evaluations stay.
  file_deleted_at INTEGER
) STRICT;
CREATE INDEX checkpoints_by_run ON checkpoints(run_id, step);

CREATE TABLE evaluations (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE CASCADE,
  epoch INTEGER,
  task TEXT NOT NULL,
  metric TEXT NOT NULL,
  value REAL,
  is_main INTEGER NOT NULL DEFAULT 0 CHECK (is_main IN (0, 1)),
  created_at INTEGER NOT NULL,
  CHECK (checkpoint_id IS NOT NULL OR epoch IS NOT NULL)
) STRICT;
CREATE UNIQUE INDEX evaluations_unique_per_checkpoint
  ON evaluations(checkpoint_id, task, metric) WHERE checkpoint_id IS NOT NULL;
CREATE UNIQUE INDEX evaluations_unique_per_epoch
  ON evaluations(run_id, epoch, task, metric) WHERE checkpoint_id IS NULL;
CREATE INDEX evaluations_by_run ON evaluations(run_id);

CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('builtin', 'downloaded', 'folder')),
  path TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('train', 'eval')),
  scan TEXT,
  added_at INTEGER NOT NULL,
  UNIQUE (path, type)
) STRICT;

CREATE TABLE downloads (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  dest TEXT NOT NULL,
  total_bytes INTEGER,
  done_bytes INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'paused', 'done', 'failed', 'cancelled')),
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX downloads_by_status ON downloads(status);
`;

const BUILTIN_TRAIN_DATA = `
UPDATE datasets
SET scan = json_set(COALESCE(scan, '{}'), '$.trainData', 'builtin:' || substr(name, 1, length(name) - length(' (train)')))
WHERE kind = 'builtin' AND type = 'train' AND name LIKE '% (train)'
  AND json_type(COALESCE(scan, '{}'), '$.trainData') IS NULL;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: INITIAL_SCHEMA },
  // The checkpoint a resume asked for by name (--resume PATH); the next start uses it, then clears it.
  { version: 2, name: 'runs.resume_from', up: 'ALTER TABLE runs ADD COLUMN resume_from TEXT;' },
  // The CLI registered the built-in training set without its `builtin:<name>` spec (the app did); one
  // registration now writes it for both (datasets/service.ts), and rows written before get it here.
  { version: 3, name: 'datasets: builtin train sets carry scan.trainData', up: BUILTIN_TRAIN_DATA },
];
