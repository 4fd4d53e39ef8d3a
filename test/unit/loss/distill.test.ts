import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { LocalCommunicator } from '../../../src-worker/dist/communicator';
import { combineLosses, createObjective, distillLoss, type DistillMode } from '../../../src-worker/loss';
import { copy, expectClose, flat, rng, simulateRanks, toMat, toTensor, unitRows } from './helpers';
import { numericDerivative, numericGradient, refFeatureDistill, refInteractive, refSoftDistill, type Mat } from './reference';

beforeAll(async () => {
  await initBackend('wasm');
});

const next = rng(31);
const e1 = unitRows(4, 5, next);
const e2 = unitRows(4, 5, next);
const t1 = unitRows(4, 5, next);
const t2 = unitRows(4, 5, next);
const theta = Math.log(20);
// A teacher scale below 100 keeps the teacher's softmax away from one-hot, so the test sees every term.
const S_T = 30;

function reference(mode: DistillMode, x1: Mat, x2: Mat, th: number): number {
  if (mode === 'feature') return refFeatureDistill(x1, x2, t1, t2);
  if (mode === 'interactive') return refInteractive(x1, x2, t1, t2, th);
  return refSoftDistill(mode, x1, x2, t1, t2, th, S_T);
}

describe.each(['feature', 'cross_entropy', 'kl', 'interactive'] as const)('distillation %s (K = 1)', (mode) => {
  it('matches the Float64 reference in value and in the gradients of the student features and θ', () => {
    const comm = new LocalCommunicator();
    const [x1, x2, t] = [toTensor(e1), toTensor(e2), tf.scalar(theta)];
    const teacher = { teacherImageFeatures: toTensor(t1), teacherTextFeatures: toTensor(t2), teacherScale: S_T };
    const f = (a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) => distillLoss(mode, { imageFeatures: a, textFeatures: b, theta: s, ...teacher }, comm);
    const withTheta = mode !== 'feature';
    const { value, grads } = withTheta ? tf.valueAndGrads(f)([x1, x2, t]) : tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => f(a, b, t))([x1, x2]);
    expectClose(value.dataSync()[0]!, reference(mode, e1, e2, theta), 1e-5, 1e-6, 'loss');
    const v1 = copy(e1);
    const v2 = copy(e2);
    expectClose(flat(toMat(grads[0]!)), flat(numericGradient(() => reference(mode, v1, v2, theta), v1)), 2e-3, 1e-4, 'd/de1');
    expectClose(flat(toMat(grads[1]!)), flat(numericGradient(() => reference(mode, v1, v2, theta), v2)), 2e-3, 1e-4, 'd/de2');
    if (withTheta) expectClose(grads[2]!.dataSync()[0]!, numericDerivative((s) => reference(mode, e1, e2, s), theta), 2e-3, 1e-4, 'd/dθ');
    tf.dispose([x1, x2, t, value, ...grads, teacher.teacherImageFeatures, teacher.teacherTextFeatures]);
  });
});

describe('distillation details', () => {
  it('interactive with K = 2: rank 1 labels its rows 3..5 against the gathered teacher columns', () => {
    const b = 3;
    const s1 = unitRows(2 * b, 5, next);
    const s2 = unitRows(2 * b, 5, next);
    const g1 = unitRows(2 * b, 5, next);
    const g2 = unitRows(2 * b, 5, next);
    const losses = simulateRanks(2, (r, comm) => tf.tidy(() => distillLoss('interactive', {
      imageFeatures: toTensor(s1.slice(r * b, (r + 1) * b)), textFeatures: toTensor(s2.slice(r * b, (r + 1) * b)), theta: tf.scalar(theta),
      teacherImageFeatures: toTensor(g1.slice(r * b, (r + 1) * b)), teacherTextFeatures: toTensor(g2.slice(r * b, (r + 1) * b)),
    }, comm).dataSync()[0]!));
    expectClose(losses[1]!, refInteractive(s1.slice(b), s2.slice(b), g1, g2, theta, b), 1e-5, 1e-6, 'rank 1');
    expectClose(losses[0]!, refInteractive(s1.slice(0, b), s2.slice(0, b), g1, g2, theta, 0), 1e-5, 1e-6, 'rank 0');
  });

  it('kl stays finite when the teacher softmax underflows (s_T = 100, identical features give 0)', () => {
    const comm = new LocalCommunicator();
    const value = tf.tidy(() => distillLoss('kl', {
      imageFeatures: toTensor(e1), textFeatures: toTensor(e1), theta: tf.scalar(Math.log(100)),
      teacherImageFeatures: toTensor(e1), teacherTextFeatures: toTensor(e1),
    }, comm).dataSync()[0]!);
    expect(Number.isFinite(value)).toBe(true);
    expect(Math.abs(value)).toBeLessThan(1e-4);
  });

  it('combineLosses is (1 − w)·C + w·D and rejects w outside [0, 1]', () => {
    const v = tf.tidy(() => combineLosses(tf.scalar(2), tf.scalar(10), 0.25).dataSync()[0]!);
    expect(v).toBeCloseTo(0.75 * 2 + 0.25 * 10, 6);
    expect(() => combineLosses(tf.scalar(1), tf.scalar(1), 1.5)).toThrow(/distill-weight: must be in \[0, 1\], got 1.5/);
    expect(() => combineLosses(tf.scalar(1), tf.scalar(1), -0.1)).toThrow(/distill-weight/);
  });

  it('refuses teacher features of another width, naming the missing projection', () => {
    expect(() => distillLoss('feature', {
      imageFeatures: toTensor(e1), textFeatures: toTensor(e2), theta: tf.scalar(1),
      teacherImageFeatures: tf.zeros([4, 3]), teacherTextFeatures: tf.zeros([4, 3]),
    }, new LocalCommunicator())).toThrow(/teacher features \[4, 3\] must match the student's \[4, 5\]/);
  });

  it('FastCLIP + distillation: total = (1 − w)·C + w·D, logged separately; global math whatever the scheme', () => {
    const common = { fastclip: true, multiplyTau: true, dataSize: 10, distillMode: 'feature', distillWeight: 0.5, distillModel: 'ViT-B-32', distillPretrained: 'openai' };
    const o = createObjective({ ...common, temperatureScheme: 'individual_learnable' });
    // Distillation always uses the global-temperature loss; "individual" still freezes the logit scale.
    expect(o.kind).toBe('fastclip-global');
    expect(o.logitScaleTrainable).toBe(false);
    const plain = createObjective({ ...common, temperatureScheme: 'global_learnable', distillMode: null });
    expect(plain.kind).toBe('fastclip-v3');
    o.startEpoch(0);
    plain.startEpoch(0);
    const input = { imageFeatures: toTensor(e1), textFeatures: toTensor(e2), theta: tf.scalar(theta), indices: new Int32Array([1, 2, 3, 4]) };
    const total = tf.tidy(() => o.step({ ...input, teacherImageFeatures: toTensor(t1), teacherTextFeatures: toTensor(t2) }).dataSync()[0]!);
    const contrastive = tf.tidy(() => plain.step(input).dataSync()[0]!);
    const distill = refFeatureDistill(e1, e2, t1, t2);
    expectClose(o.logs.contrastive_loss!, contrastive, 1e-6, 1e-7, 'contrastive_loss');
    expectClose(o.logs.distill_loss!, distill, 1e-5, 1e-6, 'distill_loss');
    expectClose(total, 0.5 * contrastive + 0.5 * distill, 1e-5, 1e-6, 'loss');
    expect(o.logs.loss).toBe(total);
    expect(() => o.step(input)).toThrow(/teacherImageFeatures and teacherTextFeatures are required/);
    // Without a named teacher the distillation flags do nothing (the config warns about them).
    expect(createObjective({ ...common, temperatureScheme: 'individual_learnable', lr: 1e-3, distillModel: null }).kind).toBe('fastclip-v2');
    tf.dispose([input.imageFeatures, input.textFeatures, input.theta]);
    o.dispose();
    plain.dispose();
  });

  it('the distilling objective leaks no tensors across repeated steps', () => {
    const o = createObjective({ fastclip: true, dataSize: 10, distillMode: 'kl', distillWeight: 0.3 });
    const x1 = tf.variable(toTensor(e1));
    const x2 = tf.variable(toTensor(e2));
    const t = tf.variable(tf.scalar(theta));
    const teacher = { teacherImageFeatures: toTensor(t1), teacherTextFeatures: toTensor(t2) };
    const stepOnce = () => {
      const { value, grads } = tf.variableGrads(() => o.step({ imageFeatures: x1, textFeatures: x2, theta: t, indices: new Int32Array([0, 1, 2, 3]), ...teacher }), [x1, x2, t]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    stepOnce();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) stepOnce();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x1, x2, t, teacher.teacherImageFeatures, teacher.teacherTextFeatures]);
    o.dispose();
  });
});
