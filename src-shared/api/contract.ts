/**
 * The API between the app's core and its front ends: one method table, validated at the boundary with
 * zod, served over Electron IPC (preload bridge) and over HTTP + WebSocket (web mode). Requests with
 * unknown fields, wrong types or oversized values are rejected with the field and the fix; errors cross
 * the boundary intact (name, message, field).
 *
 * Importable by the renderer: zod and types only, no Node modules.
 */
import { z } from 'zod';
import type {
  CheckpointInfo, DatasetInfo, DownloadInfo, EvaluationRow, GpuSample, LogLine, OptionInfo, PresetInfo, RunDetail, RunSummary,
  Series, SystemInfo, SystemStats, ValidationResult,
} from './types';
import { WorkbenchError, kindOfStatus, type ErrorKind } from '../errors';

const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'run ids are letters, digits, ".", "_" and "-"');
const text = (max: number) => z.string().max(max);
const tags = z.array(z.string().trim().min(1).max(100)).max(100);
const RUN_STATUS = z.enum(['queued', 'starting', 'running', 'paused', 'finished', 'failed', 'stalled', 'cancelled', 'interrupted']);
/** A path on this machine: absolute, no NUL, not absurdly long. */
const absPath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'paths cannot contain NUL').refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'give an absolute path');
/** A path inside a folder the workbench manages: relative, without `..`. */
const relPath = z.string().min(1).max(1024).refine((p) => !p.includes('\0') && !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.split(/[\\/]/).includes('..'), 'give a relative path inside the folder, without ".."');
const configObject = z.record(z.string().max(100), z.unknown()).refine((o) => Object.keys(o).length <= 200, 'too many options');

export const API = {
  'system.info': z.object({}).strict(),
  'gpu.snapshot': z.object({}).strict(),
  'system.stats': z.object({}).strict(),

  'options.list': z.object({}).strict(),
  'tasks.list': z.object({}).strict(),

  'runs.list': z.object({ statuses: z.array(RUN_STATUS).max(9).optional(), tag: text(100).optional(), search: text(200).optional(), limit: z.number().int().min(1).max(10_000).optional() }).strict(),
  'runs.get': z.object({ id }).strict(),
  'runs.validate': z.object({ config: configObject }).strict(),
  'runs.checkTrainData': z.object({ value: z.string().max(8192) }).strict(),
  'runs.create': z.object({ config: configObject, name: text(200).optional(), tags: tags.optional(), notes: text(100_000).optional() }).strict(),
  'runs.update': z.object({ id, name: z.string().trim().min(1).max(200).optional(), tags: tags.optional(), notes: text(100_000).optional() }).strict(),
  'runs.cancel': z.object({ id }).strict(),
  'runs.pause': z.object({ id }).strict(),
  'runs.resume': z.object({ id }).strict(),
  'runs.delete': z.object({ id, deleteFiles: z.boolean().optional() }).strict(),
  'runs.series': z.object({
    runId: id, key: z.string().min(1).max(200),
    fromStep: z.number().int().min(0).optional(), toStep: z.number().int().min(0).optional(),
    maxPoints: z.number().int().min(2).max(10_000), x: z.enum(['step', 'wall', 'relative']).default('step'),
    smoothing: z.number().min(0).max(0.999).default(0), method: z.enum(['lttb', 'minmax']).default('lttb'),
  }).strict(),
  'runs.logs': z.object({ runId: id, afterId: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(5000).default(500) }).strict(),
  'runs.evaluate': z.object({ runId: id, checkpointId: z.number().int().positive().optional(), tasks: z.array(z.string().min(1).max(200)).min(1).max(100), datacompPath: absPath.optional() }).strict(),

  'evals.table': z.object({ runIds: z.array(id).max(1000).optional() }).strict(),
  /** Evaluates a checkpoint file (.json sidecar, .safetensors, PyTorch .pt, a model folder) or a pulled model by name (org/name, or openai). */
  'evals.evaluateFile': z.object({
    checkpoint: z.string().trim().min(1).max(4096).refine((p) => !p.includes('\0'), 'paths cannot contain NUL')
      .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(p) || p === 'openai', 'give an absolute path or a pulled model (org/name, or openai)'),
    tasks: z.array(z.string().min(1).max(200)).min(1).max(100),
    datacompPath: absPath.optional(),
    /** Model config for weights that declare none (a bare .pt), e.g. ViT-B-32. */
    model: z.string().trim().min(1).max(4096).optional(),
    vocab: absPath.optional(),
  }).strict(),
  'export.csv': z.object({ kind: z.enum(['runs', 'series', 'evals', 'evals-long']), runIds: z.array(id).max(1000).optional(), keys: z.array(z.string().min(1).max(200)).max(500).optional() }).strict(),

  'queue.status': z.object({}).strict(),
  'queue.resume': z.object({}).strict(),

  'datasets.list': z.object({}).strict(),
  'datasets.add': z.object({ path: absPath, type: z.enum(['train', 'eval']), name: z.string().trim().min(1).max(200).optional() }).strict(),
  'datasets.scan': z.object({ id: z.number().int().positive(), count: z.boolean().default(false) }).strict(),
  'datasets.remove': z.object({ id: z.number().int().positive() }).strict(),
  'datasets.buildBuiltin': z.object({ name: z.enum(['fashion-mnist']) }).strict(),

  'downloads.list': z.object({}).strict(),
  'downloads.start': z.discriminatedUnion('source', [
    z.object({ source: z.literal('url'), url: z.string().url().max(4096).refine((u) => /^https?:/.test(u), 'only http(s) URLs'), dest: relPath, sha256: z.string().regex(/^[0-9a-f]{64}$/).optional() }).strict(),
    z.object({ source: z.literal('evalsets'), tasks: z.array(z.string().min(1).max(200)).min(1).max(100) }).strict(),
    z.object({ source: z.literal('model'), repo: z.string().regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, 'a Hugging Face repo, e.g. openai/clip-vit-base-patch32') }).strict(),
  ]),
  'downloads.pause': z.object({ id: z.number().int().positive() }).strict(),
  'downloads.resume': z.object({ id: z.number().int().positive() }).strict(),
  'downloads.cancel': z.object({ id: z.number().int().positive() }).strict(),

  'models.list': z.object({}).strict(),
} as const;

export type ApiMethod = keyof typeof API;
export type ApiInput<M extends ApiMethod> = z.input<(typeof API)[M]>;
export type ApiParsedInput<M extends ApiMethod> = z.output<(typeof API)[M]>;

export interface TaskInfo { key: string; name: string; type: string; mainMetric: string | null; groups: string[]; supported: boolean; reason: string | null }
export interface ModelInfo { repo: string; dir: string; format: string; bytes: number; commit: string; pulledAt: string }
export interface QueueStatus { paused: boolean; queued: string[]; running: string[] }

export interface ApiOutputs {
  'system.info': SystemInfo;
  'gpu.snapshot': { state: string; reason: string | null; gpus: GpuSample[] };
  'system.stats': SystemStats;
  'options.list': { options: OptionInfo[]; presets: PresetInfo[]; defaults: Record<string, unknown> };
  'tasks.list': { tasks: TaskInfo[] };
  'runs.list': { runs: RunSummary[] };
  'runs.get': RunDetail;
  'runs.validate': ValidationResult;
  /** problem: null when every local source of the training data exists. */
  'runs.checkTrainData': { problem: string | null };
  'runs.create': { run: RunSummary; command: string; warnings: string[] };
  'runs.update': { run: RunSummary };
  'runs.cancel': { ok: true };
  'runs.pause': { ok: true };
  'runs.resume': { run: RunSummary };
  'runs.delete': { ok: true };
  'runs.series': Series & { rawPoints: { x: number; y: number | null; step?: number; wall?: number }[] };
  'runs.logs': { lines: LogLine[] };
  'runs.evaluate': { jobs: number[] };
  'evals.table': { rows: EvaluationRow[]; checkpoints: CheckpointInfo[] };
  'evals.evaluateFile': { job: number; checkpoint: string; pulled: string | null };
  'export.csv': { filename: string; content: string };
  'queue.status': QueueStatus;
  'queue.resume': QueueStatus;
  'datasets.list': { datasets: DatasetInfo[] };
  'datasets.add': { dataset: DatasetInfo };
  'datasets.scan': { dataset: DatasetInfo };
  'datasets.remove': { ok: true };
  'datasets.buildBuiltin': { started: true };
  'downloads.list': { downloads: DownloadInfo[] };
  'downloads.start': { ids: number[] };
  'downloads.pause': { ok: true };
  'downloads.resume': { ok: true };
  'downloads.cancel': { ok: true };
  'models.list': { models: ModelInfo[] };
}

export type ApiOutput<M extends ApiMethod> = ApiOutputs[M];

/**
 * An error as it crosses the boundary. `kind` (see src-shared/errors.ts) says what went wrong in a word
 * the front end can branch on; `status` follows from it. `fix`, when known, is what to do instead.
 */
export interface ApiErrorBody { name: string; message: string; field?: string; status: number; kind?: ErrorKind; fix?: string }

/** An error with its HTTP status: what toApiError makes of any error, and the transports' own refusals. */
export class ApiError extends WorkbenchError {
  constructor(readonly status: number, message: string, field?: string, name = 'ApiError', extra: { kind?: ErrorKind; fix?: string } = {}) {
    super(message, { kind: extra.kind ?? kindOfStatus(status), field, fix: extra.fix });
    this.name = name;
  }
  toBody(): ApiErrorBody {
    return {
      name: this.name, message: this.message, status: this.status, kind: this.kind,
      ...(this.field ? { field: this.field } : {}), ...(this.fix ? { fix: this.fix } : {}),
    };
  }
}

export function isApiMethod(m: string): m is ApiMethod {
  return Object.prototype.hasOwnProperty.call(API, m);
}

/** Validates a request body; errors name the field and say what is wrong. */
export function parseRequest<M extends ApiMethod>(method: M, body: unknown): ApiParsedInput<M> {
  const r = API[method].safeParse(body ?? {});
  if (r.success) return r.data as ApiParsedInput<M>;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || undefined;
  const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove them` : issue.message;
  throw new ApiError(400, `${method}: ${field ? `${field}: ` : ''}${message}`, field ?? (issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined), 'ValidationError');
}

/** The typed client both transports implement for the renderer. */
export interface ApiClient {
  call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>>;
  /** Batched events pushed by the core; returns an unsubscribe function. */
  subscribe(listener: (events: import('./types').ApiEvent[]) => void): () => void;
  /** Where the renderer runs: native dialogs exist only in Electron. */
  readonly transport: 'electron' | 'web';
  /** Native dialogs (Electron); the web mode asks for a typed path instead. */
  pickPath?(o: { kind: 'folder' | 'file' | 'save'; title: string; defaultPath?: string; filters?: { name: string; extensions: string[] }[] }): Promise<string | null>;
}
