import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { LocalCommunicator } from '../../../src-worker/dist/communicator';
import { createObjective, gammaForEpoch, type Objective } from '../../../src-worker/loss';
import { copy, expectClose, flat, rng, toMat, toTensor, unitRows } from './helpers';
import { dot, numericGradient, refIndividualSide, refIndividualSurrogate, type Mat } from './reference';

beforeAll(async () => {
  await initBackend('wasm');
});

const DATA_SIZE = 12;
const INDICES = new Int32Array([8, 1, 11, 4]);
const OPTS = { rho: 7, fastclipEps: 1e-14, lrTau: 0.02, beta1: 0.9, beta2: 0.98, eps: 1e-6, gamma: 0.8, gammaSchedule: 'cosine', gammaDecayEpochs: 6 };

function initialState(): Record<string, Float32Array> {
  const s: Record<string, Float32Array> = {};
  const put = (name: string, fill: number, at: Record<number, number>) => {
    const a = new Float32Array(DATA_SIZE).fill(fill);
    for (const [k, v] of Object.entries(at)) a[Number(k)] = v;
    s[name] = a;
  };
  // Index 1 is never seen (u = 0, bound 0); index 11 has a τ at the lower clamp; bounds above some row maxima.
  put('u_im', 0, { 8: 0.6, 11: 1.9, 4: 0.25 });
  put('u_tt', 0, { 8: 0.9, 11: 0.4, 4: 1.1 });
  put('tau_im', 0.07, { 8: 0.05, 1: 0.3, 11: 0.0101, 4: 0.9 });
  put('tau_tt', 0.07, { 8: 0.12, 1: 0.04, 11: 0.5, 4: 0.02 });
  put('m_grad_tau_im', 0, { 8: 0.3, 11: 1.2, 4: 2 });
  put('m_grad_tau_tt', 0, { 8: -0.5, 11: 0.1, 4: 0.7 });
  put('v_grad_tau_im', 0, { 8: 0.2, 11: 1.5, 4: 4 });
  put('v_grad_tau_tt', 0, { 8: 0.6, 11: 0.05, 4: 1 });
  put('bound_im', 0, { 8: 4, 11: 0.5, 4: 0.1 });
  put('bound_tt', 0, { 8: 0.3, 11: 9, 4: 0 });
  return s;
}

function build(): Objective {
  const o = createObjective({ fastclip: true, temperatureScheme: 'individual_learnable', dataSize: DATA_SIZE, ...OPTS }, new LocalCommunicator());
  o.loadStateDict(initialState());
  return o;
}

describe.each([0, 2])('FastCLIP v2 (individual_learnable), epoch %i', (epoch) => {
  const next = rng(21 + epoch);
  const e1 = unitRows(4, 3, next);
  const e2 = unitRows(4, 3, next);

  function reference() {
    const init = initialState();
    const at = (name: string) => Array.from(INDICES).map((k) => init[name]![k]!);
    const gamma = gammaForEpoch(epoch, { gammaMin: 0.8, schedule: 'cosine', decayEpochs: 6 });
    const diag = e1.map((r, i) => dot(r, e2[i]!));
    const common = { diag, offset: 0, gamma, epoch, beta1: 0.9, beta2: 0.98, lrTau: 0.02, epsTau: 1e-6, rho: 7, eps: 1e-14 };
    const im = refIndividualSide({ ...common, anchors: e1, others: e2, tau: at('tau_im'), bound: at('bound_im'), uOld: at('u_im'), m: at('m_grad_tau_im'), v: at('v_grad_tau_im') });
    const tt = refIndividualSide({ ...common, anchors: e2, others: e1, tau: at('tau_tt'), bound: at('bound_tt'), uOld: at('u_tt'), m: at('m_grad_tau_tt'), v: at('v_grad_tau_tt') });
    const E1 = copy(e1);
    const E2 = copy(e2);
    const surrogate = (x1: Mat, x2: Mat) => refIndividualSurrogate({
      e1: x1, e2: x2, E1, E2, offset: 0,
      tau1: at('tau_im'), tau2: at('tau_tt'), bound1: im.bound, bound2: tt.bound, u1: im.u, u2: tt.u,
      T1: at('tau_im'), T2: at('tau_tt'), B1: im.bound, B2: tt.bound, U1: im.u, U2: tt.u, eps: 1e-14,
    });
    return { im, tt, surrogate };
  }

  it('matches the reference: loss, gradients of the features, and the new u, bounds, τ and moments', () => {
    const o = build();
    expect(o.kind).toBe('fastclip-v2');
    expect(o.logitScaleTrainable).toBe(false);
    o.startEpoch(epoch);
    const ref = reference();
    const [x1, x2] = [toTensor(e1), toTensor(e2)];
    const theta = tf.scalar(3);
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => o.step({ imageFeatures: a, textFeatures: b, theta, indices: INDICES }))([x1, x2]);
    expectClose(value.dataSync()[0]!, ref.surrogate(e1, e2), 1e-5, 1e-6, 'loss');

    const s = o.stateDict();
    const at = (name: string) => Array.from(INDICES).map((k) => s[name]![k]!);
    for (const [side, r] of [['im', ref.im], ['tt', ref.tt]] as const) {
      expectClose(at(`u_${side}`), r.u, 1e-5, 1e-7, `u_${side}`);
      // τ down to 0.01 scales float32 rounding of the similarities by 100, hence rtol 2e-5.
      expectClose(at(`bound_${side}`), r.bound, 2e-5, 1e-6, `bound_${side}`);
      expectClose(at(`m_grad_tau_${side}`), r.m, 1e-4, 1e-6, `m_grad_tau_${side}`);
      expectClose(at(`v_grad_tau_${side}`), r.v, 1e-4, 1e-6, `v_grad_tau_${side}`);
      expectClose(at(`tau_${side}`), r.tau, 1e-5, 1e-7, `tau_${side}`);
    }
    // Entries outside the batch keep their values.
    expect(s.tau_im![0]).toBeCloseTo(0.07, 7);
    expect(o.logs.tau_im_mean).toBeCloseTo(ref.im.tau.reduce((a, b) => a + b, 0) / 4, 5);

    const v1 = copy(e1);
    const v2 = copy(e2);
    expectClose(flat(toMat(grads[0]!)), flat(numericGradient(() => ref.surrogate(v1, v2), v1)), 2e-3, 1e-4, 'd/de1');
    expectClose(flat(toMat(grads[1]!)), flat(numericGradient(() => ref.surrogate(v1, v2), v2)), 2e-3, 1e-4, 'd/de2');
    tf.dispose([x1, x2, theta, value, ...grads]);
    o.dispose();
  });

  it('does not depend on the model logit scale', () => {
    const values = [0.5, 4].map((t) => {
      const o = build();
      o.startEpoch(epoch);
      const v = tf.tidy(() => o.step({ imageFeatures: toTensor(e1), textFeatures: toTensor(e2), theta: tf.scalar(t), indices: INDICES }).dataSync()[0]!);
      o.dispose();
      return v;
    });
    expect(values[0]).toBe(values[1]);
  });
});

describe('FastCLIP v2 details', () => {
  it('exercises the clamps: τ at the 0.01 floor stays there, the τ gradient is clipped to ±5', () => {
    const next = rng(3);
    const e1 = unitRows(4, 3, next);
    const e2 = unitRows(4, 3, next);
    const o = build();
    o.startEpoch(2);
    tf.tidy(() => { o.step({ imageFeatures: toTensor(e1), textFeatures: toTensor(e2), theta: tf.scalar(0), indices: INDICES }); });
    const s = o.stateDict();
    // Index 11: τ_im starts at 0.0101 with a positive first moment, so the step lands on the floor.
    expect(s.tau_im![11]).toBe(Math.fround(0.01));
    // Index 11, text side: bound 9 and ρ = 7 make the raw gradient about 12; clipped to 5 it enters m = 0.9·0.1 + 0.1·5.
    expect(s.m_grad_tau_tt![11]).toBeCloseTo(0.59, 6);
    expect(s.v_grad_tau_tt![11]).toBeCloseTo(0.98 * 0.05 + 0.02 * 25, 5);
    o.dispose();
  });

  it('saves and restores the ten per-sample arrays under the seed names', () => {
    const o = build();
    expect(Object.keys(o.stateDict()).sort()).toEqual([
      'bound_im', 'bound_tt', 'm_grad_tau_im', 'm_grad_tau_tt', 'tau_im', 'tau_tt', 'u_im', 'u_tt', 'v_grad_tau_im', 'v_grad_tau_tt',
    ]);
    expect(o.stateDict()).toEqual(initialState());
    const fresh = createObjective({ fastclip: true, temperatureScheme: 'individual_learnable', dataSize: DATA_SIZE, temperature: 0.03, ...OPTS });
    expect(fresh.stateDict().tau_tt![5]).toBeCloseTo(0.03, 7);
    expect(() => fresh.loadStateDict({ u_im: new Float32Array(DATA_SIZE), u_tt: new Float32Array(DATA_SIZE) })).toThrow(/"tau_im" is missing/);
    o.dispose();
    fresh.dispose();
  });

  it('leaks no tensors across repeated steps inside variableGrads', () => {
    const next = rng(4);
    const o = build();
    const x1 = tf.variable(toTensor(unitRows(4, 3, next)));
    const x2 = tf.variable(toTensor(unitRows(4, 3, next)));
    const theta = tf.scalar(1);
    const stepOnce = () => {
      const { value, grads } = tf.variableGrads(() => o.step({ imageFeatures: x1, textFeatures: x2, theta, indices: INDICES }), [x1, x2]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    o.startEpoch(1);
    stepOnce();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) stepOnce();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x1, x2, theta]);
    o.dispose();
  });
});
