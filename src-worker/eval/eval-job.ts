/** The worker side of "evaluate this checkpoint on these tasks" (clipwb eval, the app's Evaluate button). */
import * as tf from '@tensorflow/tfjs';
import { loadModelForEval } from './load-model';
import { prepareBuiltin } from '../data/builtin';
import type { Job } from '../protocol';
import type { TrainerHooks } from '../hooks';
import { evaluateModel, checkpointResultsFile } from './run-model-eval';

type EvalJob = Extract<Job, { kind: 'eval' }>;

export async function runEvalJob(job: EvalJob, hooks: TrainerHooks): Promise<Record<string, unknown>> {
  const { model: ckpt, cfg, tokenizer, params, builtin, dispose } = await loadModelForEval({ checkpoint: job.checkpoint, dataDir: job.dataDir, model: job.model, vocab: job.vocab, builtinDataset: true });
  for (const note of ckpt.notes) hooks.log('debug', `${ckpt.label}: ${note}`);
  const epoch = ckpt.sidecar?.epoch ?? 0;
  const step = ckpt.sidecar?.step ?? 0;
  try {
    const result = await evaluateModel({
      params, cfg, tokenizer, tasks: job.tasks,
      dataRoot: job.datacompPath,
      builtinDirs: builtin?.evalDirs ?? (await builtinEvalDirsIfAny(job.tasks, job.dataDir)),
      resultsFile: checkpointResultsFile(job.resultsDir, ckpt.sidecar?.tag ?? null, epoch),
      epoch,
      batchSize: job.batchSize,
      onProgress: (p) => hooks.progress({ phase: 'eval', epoch, step, totalSteps: 0, samplesPerSecond: null, etaSeconds: null, message: `${p.taskName}: ${p.phase}`, done: p.done, total: p.total }),
    });
    for (const o of result.outcomes) if (o.status === 'skipped' || o.status === 'failed') hooks.log('warn', `${o.key}: ${o.status}: ${o.reason ?? ''}`);
    hooks.evaluation({ epoch, step, checkpointPath: job.checkpoint, results: result.results, average: result.average });
    return { resultsFile: result.resultsFile, average: result.average, outcomes: result.outcomes, backend: tf.getBackend() };
  } finally {
    dispose();
  }
}

/** Evaluating a non-built-in checkpoint on the built-in task still finds the built-in test set. */
async function builtinEvalDirsIfAny(tasks: readonly string[], dataDir: string): Promise<Record<string, string>> {
  if (!tasks.some((t) => t.trim().toLowerCase() === 'fashion_mnist')) return {};
  return (await prepareBuiltin('builtin:fashion-mnist', dataDir)).evalDirs;
}
