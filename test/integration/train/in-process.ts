/** Runs the training loop in the test process (K = 1), as the worker does, and collects what it reports. */
import fs from 'node:fs';
import path from 'node:path';
import { LocalCommunicator } from '../../../src-worker/dist/communicator';
import { parseTrainArgs } from '../../../src-shared/config/train-config';
import type { TrainerHooks } from '../../../src-worker/hooks';
import { runTraining, type TrainSummary } from '../../../src-worker/train/trainer';

export interface InProcessRun {
  summary: TrainSummary;
  /** The loss of every step, in order. */
  losses: number[];
  logs: string[];
  checkpoints: string[];
}

export async function trainInProcess(args: string[], outDir: string, o: { resumeFrom?: string | null; hooks?: Partial<TrainerHooks> } = {}): Promise<InProcessRun> {
  const { config } = parseTrainArgs(args);
  const losses: number[] = [];
  const logs: string[] = [];
  const checkpoints: string[] = [];
  const hooks: TrainerHooks = {
    log: (level, message) => logs.push(`${level}: ${message}`),
    metrics: () => undefined,
    progress: () => undefined,
    checkpoint: (c) => checkpoints.push(c.path),
    evaluation: () => undefined,
    stopRequest: () => null,
    ...o.hooks,
    afterStep: (info) => {
      losses.push(info.loss);
      o.hooks?.afterStep?.(info);
    },
  };
  fs.mkdirSync(outDir, { recursive: true });
  const summary = await runTraining({
    runId: path.basename(outDir), outDir, dataDir: path.join(outDir, '..', 'data'), config, resumeFrom: o.resumeFrom ?? null, comm: new LocalCommunicator(),
  }, hooks);
  return { summary, losses, logs, checkpoints };
}
