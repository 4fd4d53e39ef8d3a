/** The worker side of "evaluate this checkpoint on these tasks" (clipwb eval, the app's Evaluate button). */
import * as tf from '@tensorflow/tfjs';
import { paramsFromStateDict, disposeParams } from '../model';
import { loadEvalModel } from './load-model';
import { ClipTokenizer, STANDARD_VOCAB_SIZE, assertVocabularyFitsModel, standardVocabularyPath } from '../text';
import { isBuiltin, prepareBuiltin } from '../data/builtin';
import type { Job } from '../protocol';
import type { TrainerHooks } from '../hooks';
import { WorkbenchError } from '../../src-shared/errors';
import { evaluateModel, checkpointResultsFile } from './run-model-eval';

type EvalJob = Extract<Job, { kind: 'eval' }>;

export async function runEvalJob(job: EvalJob, hooks: TrainerHooks): Promise<Record<string, unknown>> {
  const loaded = await loadEvalModel({ checkpoint: job.checkpoint, dataDir: job.dataDir, model: job.model });
  for (const note of loaded.notes) hooks.log('debug', `${loaded.label}: ${note}`);
  const ckpt = loaded;
  const train = ckpt.sidecar?.trainConfig ?? {};
  const cfg = loaded.cfg;
  const trainData = typeof train.trainData === 'string' ? train.trainData : null;
  const builtin = isBuiltin(trainData) ? await prepareBuiltin(trainData!, job.dataDir) : null;
  // As in training: the run's vocabulary, the built-in dataset's, the one that came with published weights,
  // else the shipped standard one for vocab_size 49408.
  const vocab = job.vocab ?? (typeof train.vocab === 'string' ? train.vocab : null) ?? builtin?.vocabDir ?? loaded.tokenizer ??
    (cfg.text.vocabSize === STANDARD_VOCAB_SIZE ? standardVocabularyPath() : null);
  if (!vocab) throw new WorkbenchError('no tokenizer vocabulary: pass --vocab (bpe_simple_vocab_16e6.txt.gz or a folder with vocab.json + merges.txt)', { kind: 'invalid', field: 'vocab' });
  const tokenizer = await ClipTokenizer.load(vocab);
  assertVocabularyFitsModel(tokenizer.vocabulary, cfg.text.vocabSize, cfg.name);
  const params = paramsFromStateDict(cfg, ckpt.weights, job.checkpoint);
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
    disposeParams(params);
  }
}

/** Evaluating a non-built-in checkpoint on the built-in task still finds the built-in test set. */
async function builtinEvalDirsIfAny(tasks: readonly string[], dataDir: string): Promise<Record<string, string>> {
  if (!tasks.some((t) => t.trim().toLowerCase() === 'fashion_mnist')) return {};
  return (await prepareBuiltin('builtin:fashion-mnist', dataDir)).evalDirs;
}
