/** Evaluation after an epoch, on the in-memory model (rank 0). */
import { evaluateModel, checkpointResultsFile, type ModelEvalResult } from '../eval/run-model-eval';
import type { TrainConfig } from '../../src-shared/config/train-config';
import type { TrainSetup } from './setup';
import type { TrainerHooks } from '../hooks';

export async function runEpochEvaluation(o: {
  config: TrainConfig; setup: TrainSetup; outDir: string; epoch: number; step: number; hooks: TrainerHooks; lastStep: number;
  /** The checkpoint this evaluation belongs to (epoch_N, step_N), which names the results file. */
  tag: string;
}): Promise<ModelEvalResult> {
  const { setup: s, hooks } = o;
  const result = await evaluateModel({
    params: s.model.params,
    cfg: s.cfg,
    tokenizer: s.tokenizer,
    tasks: o.config.evalTasks,
    dataRoot: o.config.datacompPath,
    builtinDirs: s.builtin?.evalDirs ?? {},
    resultsFile: checkpointResultsFile(o.outDir, o.tag, o.epoch),
    epoch: o.epoch,
    batchSize: Math.max(o.config.batchSize, 64),
    onProgress: (p) => hooks.progress({
      phase: 'eval', epoch: o.epoch, step: o.step, totalSteps: o.lastStep, samplesPerSecond: null, etaSeconds: null,
      message: `evaluating ${p.taskName} (${p.phase})`, done: p.done, total: p.total,
    }),
  });
  for (const out of result.outcomes) {
    if (out.status === 'skipped' || out.status === 'failed') hooks.log('warn', `eval ${out.key}: ${out.status}: ${out.reason ?? ''}`);
  }
  return result;
}
