/**
 * The objectives alone: forward + backward of InfoNCE and FastCLIP v0-v3 on random L2-normalised
 * features (one worker), the u update included, at the tiny demo's and the reference paper's sizes.
 *
 *   node bin/run-ts.mjs bench/loss.ts [backend=wasm] [steps=7]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, parseBackendPreference } from '../src-worker/backend/select';
import { LocalCommunicator } from '../src-worker/dist/communicator';
import { createObjective, type ObjectiveOptions } from '../src-worker/loss';

const [backendArg = 'wasm', stepsArg = '7'] = process.argv.slice(2);
const steps = Number(stepsArg);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be an integer >= 1, got ${stepsArg}`);
const backend = await initBackend(parseBackendPreference(backendArg));

const OBJECTIVES: Record<string, ObjectiveOptions> = {
  InfoNCE: { fastclip: false },
  'FastCLIP v0': { fastclip: true, temperatureScheme: 'global_learnable' },
  'FastCLIP v1': { fastclip: true, temperatureScheme: 'global_constant' },
  'FastCLIP v2': { fastclip: true, temperatureScheme: 'individual_learnable', lrTau: 0.01, temperature: 0.03 },
  'FastCLIP v3': { fastclip: true, temperatureScheme: 'global_learnable', multiplyTau: true },
};
// Batch and feature size: the demo (clip-tiny, b 128, d 64) and the reference paper's setup (ViT-B/16, 640 on one worker, d 512).
const SIZES: [number, number][] = [[128, 64], [640, 512]];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`objectives on ${backend.name}, forward + backward, one worker, median of ${steps} (cpu ms):`);
for (const [b, d] of SIZES) {
  const e1 = tf.variable(tf.randomNormal([b, d], 0, 1, 'float32', 1));
  const e2 = tf.variable(tf.randomNormal([b, d], 0, 1, 'float32', 2));
  const theta = tf.variable(tf.scalar(Math.log(1 / 0.07)));
  const cells: string[] = [];
  for (const [name, options] of Object.entries(OBJECTIVES)) {
    const objective = createObjective({ ...options, dataSize: 10 * b }, new LocalCommunicator());
    objective.startEpoch(1);
    const cpu: number[] = [];
    for (let i = 0; i <= steps; i++) {
      const indices = Int32Array.from({ length: b }, (_, r) => ((i % 3) * b + r));
      const c0 = process.cpuUsage();
      const { value, grads } = tf.variableGrads(() => objective.step({
        imageFeatures: tf.div(e1, tf.norm(e1, 'euclidean', 1, true)), textFeatures: tf.div(e2, tf.norm(e2, 'euclidean', 1, true)), theta, indices,
      }), [e1, e2, theta]);
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
      const c = process.cpuUsage(c0);
      if (i > 0) cpu.push((c.user + c.system) / 1000);
    }
    objective.dispose();
    cells.push(`${name} ${median(cpu).toFixed(1)}`);
  }
  console.log(`  b ${b}, d ${d}: ${cells.join(' | ')}`);
  tf.dispose([e1, e2, theta]);
}
