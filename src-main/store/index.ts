/** The store's public surface. Everything else in this folder is an implementation detail. */
import type { AppendResult, MetricPointInput, SupersedeResult } from './metrics-repo';
import type { Store } from './store';

export { Store, openStore, type OpenStoreOptions } from './store';
export { StoreError, type StoreErrorCode } from './errors';
export type { JsonObject, JsonValue } from './json';
export { MIGRATIONS, type Migration } from './migrations';
export { assertSchemaCurrent, currentSchemaVersion, migrate, type MigrationReport } from './migrate';
export {
  RUN_ORIGINS,
  RUN_STATUSES,
  TERMINAL_RUN_STATUSES,
  makeRunId,
  type NewRun,
  type Run,
  type RunListFilter,
  type RunOrigin,
  type RunPatch,
  type RunStatus,
} from './runs';
export {
  CHUNK_SIZE,
  type AppendResult,
  type MetricPointInput,
  type PointPage,
  type SeriesInfo,
  type SupersedeResult,
} from './metrics-repo';
export type { PointColumns } from './metric-chunks';
export { EVENT_LEVELS, type EventLevel, type EventQuery, type NewEvent, type StoredEvent } from './events';
export type { Checkpoint, NewCheckpoint } from './checkpoints';
export type { Evaluation, EvaluationQuery, EvaluationTarget, TaskResult } from './evaluations';
export { DATASET_KINDS, DATASET_TYPES, type Dataset, type DatasetKind, type DatasetPatch, type DatasetType, type NewDataset } from './datasets';
export { DOWNLOAD_STATUSES, type Download, type DownloadPatch, type DownloadStatus, type NewDownload } from './downloads';

/** Appends one batch of a run's metric points in one committed transaction. */
export function appendMetrics(store: Store, runId: string, points: readonly MetricPointInput[]): AppendResult {
  return store.metrics.append(runId, points);
}

/**
 * Resume without zig-zag: marks the run's points with step > `step` (the checkpoint's step) as
 * superseded (kept in the database, hidden from charts and exports) and starts a new segment.
 */
export function supersedeMetricsAfter(store: Store, runId: string, step: number): SupersedeResult {
  return store.metrics.supersedeAfter(runId, step);
}
