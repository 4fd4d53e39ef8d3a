/**
 * Messages between the main process and a worker process (child_process IPC).
 *
 * Both directions are validated on receipt: a malformed message is a bug or a version mismatch, and it
 * must fail loudly with the message type and the field, never be half-applied.
 */
import { z } from 'zod';
import { BACKENDS } from '../src-shared/config/options';
import { validateTrainConfig, type TrainConfig } from '../src-shared/config/train-config';

export const MetricPoint = z.object({
  key: z.string().min(1).max(200),
  step: z.number().int().min(0),
  value: z.number().nullable(), // NaN/Infinity do not survive JSON; they arrive as null
  wall: z.number(), // ms since the epoch
});
export type MetricPoint = z.infer<typeof MetricPoint>;

export const EvalTaskResult = z.object({
  key: z.string(),
  dataset: z.string(),
  metrics: z.record(z.string(), z.number().nullable()),
  mainMetric: z.string().nullable(),
});
export type EvalTaskResult = z.infer<typeof EvalTaskResult>;

export const WorkerToMain = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('ready'), rank: z.number().int(), pid: z.number().int(),
    backend: z.object({ name: z.string(), provider: z.string(), gpu: z.boolean(), attempts: z.array(z.object({ candidate: z.string(), ok: z.boolean(), reason: z.string() })) }),
  }),
  z.object({ type: z.literal('log'), rank: z.number().int(), level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string(), time: z.number() }),
  z.object({ type: z.literal('metrics'), points: z.array(MetricPoint).max(100_000) }),
  z.object({
    type: z.literal('progress'), phase: z.enum(['setup', 'train', 'eval', 'checkpoint', 'done']),
    epoch: z.number().int(), step: z.number().int(), totalSteps: z.number().int(),
    samplesPerSecond: z.number().nullable(), etaSeconds: z.number().nullable(), message: z.string().optional(),
    done: z.number().optional(), total: z.number().optional(),
  }),
  z.object({ type: z.literal('checkpoint'), path: z.string(), epoch: z.number().int(), step: z.number().int(), sizeBytes: z.number().int() }),
  z.object({ type: z.literal('eval'), epoch: z.number().int(), step: z.number().int(), checkpointPath: z.string().nullable(), results: z.array(EvalTaskResult), average: z.number().nullable() }),
  z.object({ type: z.literal('done'), summary: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('error'), rank: z.number().int(), name: z.string(), message: z.string(), field: z.string().optional(), stack: z.string().optional() }),
]);
export type WorkerToMain = z.infer<typeof WorkerToMain>;

/**
 * A run's config crosses the process boundary as JSON: it is checked once on receipt, with the same
 * validator that made it (so the worker works with a typed TrainConfig and never reads raw fields).
 * Checks that need the files or the backend are the worker's set-up's.
 */
const TrainConfigMessage = z.record(z.string(), z.unknown()).transform((raw, ctx): TrainConfig => {
  try {
    return validateTrainConfig(raw).config;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

export const Job = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('train'), runId: z.string(), outDir: z.string(), dataDir: z.string(),
    config: TrainConfigMessage, resumeFrom: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('eval'), checkpoint: z.string(), tasks: z.array(z.string()).min(1), dataDir: z.string(),
    datacompPath: z.string().nullable(),
    /** Where eval_results/epoch_N_eval_results.jsonl goes (the run folder for a run's checkpoint). */
    resultsDir: z.string(), batchSize: z.number().int().positive(),
    backend: z.enum(BACKENDS),
    /** Needed only for weights without a sidecar (e.g. an open_clip export): the model config and the vocabulary. */
    model: z.string().nullable().default(null), vocab: z.string().nullable().default(null),
  }),
]);
export type Job = z.infer<typeof Job>;

export const MainToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), job: Job }),
  /** cancel: stop now; pause: write a checkpoint, then stop (resumable). */
  z.object({ type: z.literal('stop'), mode: z.enum(['cancel', 'pause']) }),
  z.object({ type: z.literal('checkpoint-now') }),
]);
export type MainToWorker = z.infer<typeof MainToWorker>;

/** Parses a message, throwing an error that names the message type and the offending field. */
export function parseMessage<T>(schema: z.ZodType<T, unknown>, raw: unknown, direction: string): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type) : '?';
  const issue = r.error.issues[0];
  throw new Error(`invalid ${direction} message (type "${type}"): ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : r.error.message}`);
}
