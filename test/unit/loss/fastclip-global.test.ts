import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { LocalCommunicator } from '../../../src-worker/dist/communicator';
import { createObjective, gammaForEpoch, type Objective } from '../../../src-worker/loss';
import { copy, expectClose, flat, rng, toMat, toTensor, unitRows } from './helpers';
import { numericDerivative, numericGradient, refGlobalG, refGlobalSurrogate, refUUpdate, type Mat } from './reference';

beforeAll(async () => {
  await initBackend('wasm');
});

const DATA_SIZE = 10;
const INDICES = new Int32Array([7, 2, 5, 0]);
const GAMMA = { gamma: 0.9, gammaSchedule: 'cosine', gammaDecayEpochs: 10 };
const RHO = 6.5;
const EPS = 1e-14;

/** Old u at the batch's indices: seen, never seen (0), seen, and one infinite entry (reset as never seen). */
function initialState(): Record<string, Float32Array> {
  const uIm = new Float32Array(DATA_SIZE);
  const uTt = new Float32Array(DATA_SIZE);
  uIm.set([0.4, 0, 0, 0, 0, 1.7, 0, 0.8, 0, 0]);
  uIm[0] = Infinity;
  uTt.set([0.3, 0, 0, 0, 0, 2.2, 0, 0.5, 0, 0]);
  uTt[9] = 5; // outside the batch: must stay as it is
  return { u_im: uIm, u_tt: uTt };
}

function build(scheme: string, multiplyTau: boolean): Objective {
  const o = createObjective({ fastclip: true, temperatureScheme: scheme, multiplyTau, rho: RHO, fastclipEps: EPS, dataSize: DATA_SIZE, ...GAMMA }, new LocalCommunicator());
  o.loadStateDict(initialState());
  return o;
}

interface Case { name: string; scheme: string; multiplyTau: boolean; kind: string; trainable: boolean }
const CASES: Case[] = [
  { name: 'v0 (global_learnable)', scheme: 'global_learnable', multiplyTau: false, kind: 'fastclip-v0', trainable: true },
  { name: 'v1 (global_constant)', scheme: 'global_constant', multiplyTau: false, kind: 'fastclip-v1', trainable: false },
  { name: 'v3 (global_learnable + multiply_tau)', scheme: 'global_learnable', multiplyTau: true, kind: 'fastclip-v3', trainable: true },
];

describe.each(CASES)('FastCLIP $name', (c) => {
  const next = rng(11);
  const e1 = unitRows(4, 3, next);
  const e2 = unitRows(4, 3, next);
  const theta = Math.log(6);
  const epoch = 3;

  /** The Float64 reference of one step at these inputs: new u and the surrogate as a function of the variables. */
  function reference() {
    const gamma = gammaForEpoch(epoch, { gammaMin: 0.9, schedule: 'cosine', decayEpochs: 10 });
    const init = initialState();
    const idx = Array.from(INDICES);
    const { g1, g2 } = refGlobalG(e1, e2, e1, e2, theta, 0);
    const u1 = refUUpdate(idx.map((k) => init.u_im![k]!), g1, gamma);
    const u2 = refUUpdate(idx.map((k) => init.u_tt![k]!), g2, gamma);
    const E1 = copy(e1);
    const E2 = copy(e2);
    const surrogate = (x1: Mat, x2: Mat, t: number) => refGlobalSurrogate({
      e1: x1, e2: x2, E1, E2, offset: 0, theta: t, sDetached: Math.exp(theta),
      u1, u2, U1: u1, U2: u2, rho: RHO, eps: EPS, multiplyTau: c.multiplyTau,
    });
    return { gamma, u1, u2, surrogate };
  }

  it('reports its version and whether the logit scale trains', () => {
    const o = build(c.scheme, c.multiplyTau);
    expect(o.kind).toBe(c.kind);
    expect(o.logitScaleTrainable).toBe(c.trainable);
    o.dispose();
  });

  it('matches the Float64 reference in value, u update and gradients (features and θ)', () => {
    const o = build(c.scheme, c.multiplyTau);
    o.startEpoch(epoch);
    const ref = reference();
    const [x1, x2, t] = [toTensor(e1), toTensor(e2), tf.scalar(theta)];
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) => o.step({ imageFeatures: a, textFeatures: b, theta: s, indices: INDICES }))([x1, x2, t]);

    expectClose(value.dataSync()[0]!, ref.surrogate(e1, e2, theta), 1e-5, 1e-6, 'loss');
    expect(o.logs.contrastive_loss).toBe(value.dataSync()[0]);
    expect(o.logs.gamma).toBeCloseTo(ref.gamma, 12);

    // u: updated at the batch's indices (index 2 never seen, index 0 infinite: both reset to g), untouched elsewhere.
    const state = o.stateDict();
    expectClose(Array.from(INDICES).map((k) => state.u_im![k]!), ref.u1, 1e-5, 1e-7, 'u_im');
    expectClose(Array.from(INDICES).map((k) => state.u_tt![k]!), ref.u2, 1e-5, 1e-7, 'u_tt');
    expect(state.u_tt![9]).toBe(5);
    expect(state.u_im![1]).toBe(0);

    // Gradients: tfjs (float32) against central differences of the reference (h = 1e-6), rtol 2e-3.
    const v1 = copy(e1);
    const v2 = copy(e2);
    const fd1 = numericGradient(() => ref.surrogate(v1, v2, theta), v1);
    const fd2 = numericGradient(() => ref.surrogate(v1, v2, theta), v2);
    const fdTheta = numericDerivative((s) => ref.surrogate(e1, e2, s), theta);
    expectClose(flat(toMat(grads[0]!)), flat(fd1), 2e-3, 1e-4, 'd/de1');
    expectClose(flat(toMat(grads[1]!)), flat(fd2), 2e-3, 1e-4, 'd/de2');
    expectClose(grads[2]!.dataSync()[0]!, fdTheta, 2e-3, 1e-4, 'd/dθ');
    tf.dispose([x1, x2, t, value, ...grads]);
    o.dispose();
  });
});

describe('FastCLIP global scheme: u state', () => {
  const next = rng(5);
  const e1 = unitRows(4, 3, next);
  const e2 = unitRows(4, 3, next);

  it('epoch 0 (γ = 1) sets u to g exactly; later epochs blend old u with g', () => {
    const o = createObjective({ fastclip: true, dataSize: DATA_SIZE, gamma: 0.5, gammaSchedule: 'constant', gammaDecayEpochs: 4 });
    const { g1 } = refGlobalG(e1, e2, e1, e2, 1.2, 0);
    const run = () => tf.tidy(() => { o.step({ imageFeatures: toTensor(e1), textFeatures: toTensor(e2), theta: tf.scalar(1.2), indices: INDICES }); });
    o.startEpoch(0);
    expect(o.gamma).toBe(1);
    run();
    expectClose(Array.from(INDICES).map((k) => o.stateDict().u_im![k]!), g1, 1e-5, 1e-7, 'u after epoch-0 step');
    o.startEpoch(1);
    expect(o.gamma).toBe(0.5);
    run(); // same batch again: u = 0.5·g + 0.5·g = g
    expectClose(Array.from(INDICES).map((k) => o.stateDict().u_im![k]!), g1, 1e-5, 1e-7, 'u after a repeat');
    o.dispose();
  });

  it('writes a repeated index once per occurrence, the last one winning, on every replica alike', () => {
    const o = createObjective({ fastclip: true, dataSize: DATA_SIZE, gamma: 0.9, gammaDecayEpochs: 10 });
    o.startEpoch(0);
    const idx = new Int32Array([3, 3, 4, 6]);
    tf.tidy(() => { o.step({ imageFeatures: toTensor(e1), textFeatures: toTensor(e2), theta: tf.scalar(1.2), indices: idx }); });
    const { g1 } = refGlobalG(e1, e2, e1, e2, 1.2, 0);
    expectClose(o.stateDict().u_im![3]!, g1[1]!, 1e-5, 1e-7, 'u_im[3]');
    o.dispose();
  });

  it('refuses an index outside [0, data_size) before touching the state, naming --data_size', () => {
    const o = createObjective({ fastclip: true, dataSize: DATA_SIZE, gamma: 0.9, gammaDecayEpochs: 10 });
    const before = o.stateDict();
    expect(() => tf.tidy(() => o.step({ imageFeatures: toTensor(e1), textFeatures: toTensor(e2), theta: tf.scalar(1), indices: new Int32Array([1, 2, 10, 3]) })))
      .toThrow(/sample index 10 .*data_size = 10.*--data_size/);
    expect(o.stateDict()).toEqual(before);
    o.dispose();
  });

  it('rejects malformed inputs with the field named', () => {
    const o = createObjective({ fastclip: true, dataSize: DATA_SIZE });
    const a = toTensor(e1);
    expect(() => o.step({ imageFeatures: a, textFeatures: a, theta: tf.scalar(1), indices: new Int32Array([1, 2]) })).toThrow(/indices: 2 indices for a batch of 4/);
    expect(() => o.step({ imageFeatures: a, textFeatures: tf.zeros([4, 5]), theta: tf.scalar(1), indices: INDICES })).toThrow(/same shape/);
    expect(() => o.step({ imageFeatures: a, textFeatures: a, theta: tf.zeros([2]), indices: INDICES })).toThrow(/theta/);
    o.dispose();
  });

  it('loads only state of the right names and length', () => {
    const o = createObjective({ fastclip: true, dataSize: DATA_SIZE });
    expect(() => o.loadStateDict({ u_im: new Float32Array(DATA_SIZE) })).toThrow(/"u_tt" is missing/);
    expect(() => o.loadStateDict({ u_im: new Float32Array(3), u_tt: new Float32Array(DATA_SIZE) })).toThrow(/"u_im" has 3 entries but --data_size is 10/);
    expect(() => o.loadStateDict({ ...initialState(), tau_im: new Float32Array(DATA_SIZE) })).toThrow(/unexpected array\(s\) tau_im/);
    o.loadStateDict(initialState());
    expect(o.stateDict()).toEqual(initialState());
    o.dispose();
  });

  it('leaks no tensors across repeated steps (inside variableGrads, as the training loop calls it)', () => {
    const o = createObjective({ fastclip: true, multiplyTau: true, dataSize: DATA_SIZE });
    const x1 = tf.variable(toTensor(e1));
    const x2 = tf.variable(toTensor(e2));
    const t = tf.variable(tf.scalar(2.0));
    const stepOnce = () => {
      const { value, grads } = tf.variableGrads(() => o.step({ imageFeatures: x1, textFeatures: x2, theta: t, indices: INDICES }), [x1, x2, t]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    o.startEpoch(1);
    stepOnce(); // the first step caches the self-pair mask
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) stepOnce();
    expect(tf.memory().numTensors).toBe(before);
    o.dispose();
    tf.dispose([x1, x2, t]);
  });
});
