/**
 * K = 2 against K = 1 at the level of the loss: two simulated ranks (scripted all-gathers, see
 * helpers.simulateRanks) each back-propagate only through their own rows; with DDP's mean over ranks
 * their gradients must equal the one-process gradient on the concatenated batch, and every replica of
 * the per-sample state must equal the one-process state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { LocalCommunicator, type Communicator } from '../../../src-worker/dist/communicator';
import { createObjective, type ObjectiveOptions, type ObjectiveState } from '../../../src-worker/loss';
import { expectClose, flat, rng, simulateRanks, toMat, toTensor, unitRows } from './helpers';
import type { Mat } from './reference';

beforeAll(async () => {
  await initBackend('wasm');
});

const K = 2;
const B = 3; // rows per rank
const DATA_SIZE = 16;

interface Batch { e1: Mat; e2: Mat; indices: number[] }
interface StepResult { loss: number; g1: Mat; g2: Mat; gTheta: number | null }
interface RunResult { steps: StepResult[]; state: ObjectiveState }

function runSteps(options: ObjectiveOptions, comm: Communicator, init: ObjectiveState, batches: Batch[], theta: number, withTheta: boolean): RunResult {
  const o = createObjective(options, comm);
  o.loadStateDict(init);
  o.startEpoch(2);
  const steps = batches.map((batch) => {
    const inputs = [toTensor(batch.e1), toTensor(batch.e2), tf.scalar(theta)];
    const f = (a: tf.Tensor, b: tf.Tensor, t: tf.Tensor) => o.step({ imageFeatures: a, textFeatures: b, theta: t, indices: new Int32Array(batch.indices) });
    const { value, grads } = withTheta
      ? tf.valueAndGrads(f)(inputs)
      : tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => f(a, b, inputs[2]!))(inputs.slice(0, 2));
    const out = { loss: value.dataSync()[0]!, g1: toMat(grads[0]!), g2: toMat(grads[1]!), gTheta: withTheta ? grads[2]!.dataSync()[0]! : null };
    tf.dispose([...inputs, value, ...grads]);
    return out;
  });
  const state = o.stateDict();
  o.dispose();
  return { steps, state };
}

function initialState(names: string[], next: () => number): ObjectiveState {
  const s: ObjectiveState = {};
  for (const name of names) {
    const a = new Float32Array(DATA_SIZE);
    // Half the samples seen before (positive values), the rest never seen (0).
    for (let k = 0; k < DATA_SIZE; k += 2) a[k] = name.startsWith('tau') ? 0.03 + 0.3 * next() : name.startsWith('bound') ? 2 * next() : 0.2 + next();
    for (let k = 1; k < DATA_SIZE; k += 2) a[k] = name.startsWith('tau') ? 0.07 : 0;
    s[name] = a;
  }
  return s;
}

function sliceBatch(batch: Batch, r: number): Batch {
  return { e1: batch.e1.slice(r * B, (r + 1) * B), e2: batch.e2.slice(r * B, (r + 1) * B), indices: batch.indices.slice(r * B, (r + 1) * B) };
}

const CASES: { name: string; options: ObjectiveOptions; stateNames: string[]; withTheta: boolean }[] = [
  {
    name: 'v3 (global_learnable + multiply_tau)',
    options: { fastclip: true, temperatureScheme: 'global_learnable', multiplyTau: true, rho: 8, gamma: 0.9, gammaSchedule: 'cosine', gammaDecayEpochs: 5, dataSize: DATA_SIZE },
    stateNames: ['u_im', 'u_tt'],
    withTheta: true,
  },
  {
    name: 'v2 (individual_learnable)',
    options: { fastclip: true, temperatureScheme: 'individual_learnable', rho: 7, gamma: 0.8, gammaSchedule: 'cosine', gammaDecayEpochs: 5, lrTau: 0.01, beta1: 0.9, beta2: 0.98, eps: 1e-6, dataSize: DATA_SIZE },
    stateNames: ['u_im', 'u_tt', 'tau_im', 'tau_tt', 'm_grad_tau_im', 'm_grad_tau_tt', 'v_grad_tau_im', 'v_grad_tau_tt', 'bound_im', 'bound_tt'],
    withTheta: false,
  },
];

describe.each(CASES)('K = 2 equals K = 1 for $name', ({ options, stateNames, withTheta }) => {
  it('mean of the ranks\' gradients, mean loss and every replica of the state match the one-process step (two steps)', () => {
    const next = rng(99);
    const init = initialState(stateNames, next);
    // Two consecutive global batches; the second revisits samples 9 and 2 so the replicated u of step 1 is used.
    const batches: Batch[] = [
      { e1: unitRows(K * B, 4, next), e2: unitRows(K * B, 4, next), indices: [9, 2, 14, 5, 0, 11] },
      { e1: unitRows(K * B, 4, next), e2: unitRows(K * B, 4, next), indices: [3, 9, 7, 2, 12, 15] },
    ];
    const theta = Math.log(8);

    const single = runSteps(options, new LocalCommunicator(), init, batches, theta, withTheta);
    const ranks = simulateRanks(K, (r, comm) => runSteps(options, comm, init, batches.map((b) => sliceBatch(b, r)), theta, withTheta));

    batches.forEach((_, s) => {
      const one = single.steps[s]!;
      const per = ranks.map((run) => run.steps[s]!);
      expectClose(per.reduce((sum, p) => sum + p.loss, 0) / K, one.loss, 1e-5, 1e-6, `step ${s} mean loss`);
      // DDP averages the ranks' gradients; rank r's rows are rows r·b.. of the global batch.
      const assembled1 = per.flatMap((p) => p.g1.map((row) => row.map((x) => x / K)));
      const assembled2 = per.flatMap((p) => p.g2.map((row) => row.map((x) => x / K)));
      expectClose(flat(assembled1), flat(one.g1), 1e-4, 1e-5, `step ${s} d/de1`);
      expectClose(flat(assembled2), flat(one.g2), 1e-4, 1e-5, `step ${s} d/de2`);
      if (withTheta) expectClose(per.reduce((sum, p) => sum + p.gTheta!, 0) / K, one.gTheta!, 1e-4, 1e-5, `step ${s} d/dθ`);
    });

    for (const name of stateNames) {
      expect(ranks[1]!.state[name], `${name}: the replicas agree exactly`).toEqual(ranks[0]!.state[name]);
      expectClose(Array.from(ranks[0]!.state[name]!), Array.from(single.state[name]!), 1e-5, 1e-6, name);
    }
    // The test would pass vacuously if nothing changed: the state did move.
    expect(Array.from(single.state.u_im!)).not.toEqual(Array.from(init.u_im!));
  });
});
