/**
 * --eval-tasks evaluates after every epoch on the in-memory model and writes DataComp's results file,
 * eval_results/epoch_N_eval_results.jsonl, one line per task: {"key", "dataset", "metrics": {..., "main_metric"}}.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { makeClassificationSet } from '../../helpers/shards';
import type { EvalReport } from '../../../src-worker/hooks';
import { fixtureArgs, makeTrainFixture, type TrainFixture } from './fixtures';
import { trainInProcess } from './in-process';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-epoch-eval-'));
const datacomp = path.join(root, 'datacomp');
let fx: TrainFixture;
beforeAll(async () => {
  await initBackend('wasm');
  fx = await makeTrainFixture(root, { shards: 2, samplesPerShard: 16 });
  // Stands in for DataComp's CIFAR-10 folder: the task key picks the folder name wds_cifar10_test.
  await makeClassificationSet(path.join(datacomp, 'wds_cifar10_test'), {
    classnames: ['red', 'green', 'blue', 'yellow'], templates: ['a {c} square'], shards: 2, samplesPerShard: 10,
  });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('evaluation after each epoch', () => {
  it('writes epoch_N_eval_results.jsonl in DataComp format and reports val/ metrics', async () => {
    const reports: EvalReport[] = [];
    const metricKeys = new Set<string>();
    const outDir = path.join(root, 'run');
    const tensorsBefore = tf.memory().numTensors;
    const run = await trainInProcess(fixtureArgs(fx, { epochs: 2, 'eval-tasks': 'cifar10', 'datacomp-path': datacomp }), outDir, {
      hooks: { evaluation: (e) => reports.push(e), metrics: (points) => points.forEach((p) => metricKeys.add(p.key)) },
    });
    expect(run.summary.status).toBe('finished');
    // Evaluation on the in-memory model leaves no tensors behind.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(fs.readdirSync(path.join(outDir, 'eval_results')).sort()).toEqual(['epoch_1_eval_results.jsonl', 'epoch_2_eval_results.jsonl']);
    for (const epoch of [1, 2]) {
      const text = fs.readFileSync(path.join(outDir, 'eval_results', `epoch_${epoch}_eval_results.jsonl`), 'utf8');
      const lines = text.trim().split('\n');
      expect(lines).toHaveLength(1);
      // Python's json.dumps separators, as DataComp writes the file.
      expect(lines[0]).toMatch(/^\{"key": "cifar10", "dataset": "CIFAR-10", "metrics": \{/);
      const line = JSON.parse(lines[0]!) as { metrics: Record<string, number | null> };
      expect(line.metrics.main_metric).toBe(line.metrics.acc1);
      expect(line.metrics.acc1).toBeGreaterThanOrEqual(0);
      expect(line.metrics.acc1).toBeLessThanOrEqual(1);
      expect(line.metrics).toHaveProperty('mean_per_class_recall');
    }
    expect(reports.map((r) => [r.epoch, path.basename(r.checkpointPath ?? '')])).toEqual([[1, 'epoch_1.json'], [2, 'epoch_2.json']]);
    expect(metricKeys).toContain('val/cifar10/acc1');
    expect(fs.readFileSync(path.join(outDir, 'out.log'), 'utf8')).toMatch(/Eval Epoch: 2 .*cifar10\/acc1: \d\.\d{4}/);
  });
});
