/**
 * The data the API hands to the renderer. Plain JSON types, no Node imports: the renderer imports this
 * file too, so both sides are typed by the same definitions.
 */

export type RunStatus = 'queued' | 'starting' | 'running' | 'paused' | 'finished' | 'failed' | 'stalled' | 'cancelled' | 'interrupted';

export interface RunSummary {
  id: string;
  name: string;
  status: RunStatus;
  origin: 'app' | 'cli';
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  tags: string[];
  notes: string;
  error: string | null;
  devices: string[];
  /** Key hyperparameters for the table (model, objective, teacher, lr, batch...). */
  params: Record<string, string | number | boolean | null>;
  progress: { epoch: number; step: number; totalSteps: number; samplesPerSecond: number | null; etaSeconds: number | null } | null;
  /** Last and best value of the main metrics (loss, eval main metrics). */
  lastMetrics: Record<string, number | null>;
  bestMetrics: Record<string, number | null>;
  resumable: boolean;
  /** The last training step any train/ metric was logged at (a run that is not running has no live progress). */
  lastStep?: number | null;
}

export interface CheckpointInfo {
  id: number;
  runId: string;
  path: string;
  epoch: number;
  step: number;
  sizeBytes: number;
  createdAt: number;
}

export interface EvaluationRow {
  runId: string;
  runName: string;
  checkpointId: number | null;
  epoch: number | null;
  step: number | null;
  task: string;
  metric: string;
  value: number | null;
  isMain: boolean;
}

export interface RunDetail extends RunSummary {
  config: Record<string, unknown>;
  command: string;
  outDir: string | null;
  checkpoints: CheckpointInfo[];
  evaluations: EvaluationRow[];
  metricKeys: string[];
}

export interface LogLine {
  id: number;
  runId: string | null;
  time: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  kind: string;
  message: string;
}

export interface SeriesPoint {
  x: number;
  y: number | null;
  raw?: number | null;
  /** The step of this point (zoom on time axes refetches by step). */
  step?: number;
  /** Wall time of this point (ms since the Unix epoch): tooltips show step, relative and wall time at once. */
  wall?: number;
}

export interface Series {
  runId: string;
  key: string;
  x: 'step' | 'wall' | 'relative';
  points: SeriesPoint[];
  /** Number of stored points the decimated series stands for. */
  sourceCount: number;
  /** Wall time (ms) that relative time counts from: the series' first point. */
  relativeOrigin?: number | null;
}

export interface GpuSample {
  index: number;
  uuid: string | null;
  name: string | null;
  utilization: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  temperatureC: number | null;
  powerW: number | null;
  powerLimitW: number | null;
  gone: boolean;
  processes: { pid: number; usedMemoryMiB: number | null; runId: string | null }[];
  /** Recent utilisation and memory, oldest first, for sparklines. */
  history: { t: number; utilization: number | null; memoryUsedMiB: number | null }[];
}

export interface SystemInfo {
  version: string;
  dataDir: string;
  cpu: { model: string; cores: number };
  memory: { totalBytes: number; usedBytes: number | null };
  os: string;
  gpuAvailable: boolean;
  gpus: GpuSample[];
}

/** Live machine figures, sampled every couple of seconds (the dashboard's system panel). */
export interface SystemStats {
  /** Wall time of the sample (ms since the Unix epoch). */
  t: number;
  /** Busy fraction 0..1 per logical core since the previous sample; null before a second sample exists. */
  cpuPerCore: (number | null)[];
  /** Mean of cpuPerCore (null when none is known). */
  cpuTotal: number | null;
  loadAverage: [number, number, number];
  memory: { totalBytes: number; usedBytes: number };
  /** Free space on the file system of the data folder; null when it could not be read (why: diskError). */
  disk: { path: string; freeBytes: number; totalBytes: number } | null;
  diskError: string | null;
}

export interface DatasetInfo {
  id: number;
  name: string;
  kind: 'builtin' | 'downloaded' | 'folder';
  type: 'train' | 'eval';
  path: string;
  scan: Record<string, unknown> | null;
  addedAt: number;
}

export interface DownloadInfo {
  id: number;
  url: string;
  dest: string;
  status: 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';
  totalBytes: number | null;
  doneBytes: number;
  bytesPerSecond: number | null;
  etaSeconds: number | null;
  error: string | null;
}

export interface OptionInfo {
  flag: string;
  key: string;
  type: string;
  group: string;
  help: string;
  default: unknown;
  choices?: readonly string[];
  min?: number;
  max?: number;
  gt?: number;
}

export interface PresetInfo { name: string; title: string; description: string; config: Record<string, unknown> }

export interface FieldError { field: string; message: string }

export interface ValidationResult {
  ok: boolean;
  errors: FieldError[];
  warnings: string[];
  command: string | null;
}

/** Events the main process pushes, batched every few hundred milliseconds. */
export type ApiEvent =
  | { type: 'gpu'; gpus: GpuSample[] }
  | { type: 'system'; stats: SystemStats }
  | { type: 'run'; run: RunSummary }
  | { type: 'metrics'; runId: string; points: { key: string; step: number; value: number | null; wall: number }[] }
  | { type: 'log'; line: LogLine }
  | { type: 'checkpoint'; checkpoint: CheckpointInfo }
  | { type: 'evaluation'; runId: string; rows: EvaluationRow[] }
  | { type: 'download'; download: DownloadInfo }
  | { type: 'dataset-build'; name: string; done: number; total: number; message: string; finished: boolean; error: string | null }
  | { type: 'eval-job'; job: { id: number; checkpointId: number | null; runId: string | null; tasks: string[]; status: 'running' | 'done' | 'failed'; error: string | null }; done: number; total: number; message: string }
  | { type: 'notification'; level: 'info' | 'warn' | 'error'; title: string; body: string; runId?: string };
