import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { AdamW, adamHyperparameters, buildParamGroups, seedAdamDefaults, type NamedParameter } from '../../../src-worker/optim';

beforeAll(async () => {
  await initBackend('wasm');
});

const HYPER = { beta1: 0.9, beta2: 0.98, eps: 1e-6 };

/** torch.optim.AdamW for one scalar entry, written out in Float64. */
function torchAdamW(p: number, grads: number[], lr: number, wd: number): number[] {
  let m = 0;
  let v = 0;
  const out: number[] = [];
  grads.forEach((g, k) => {
    const step = k + 1;
    p *= 1 - lr * wd;
    m += (1 - HYPER.beta1) * (g - m);
    v = HYPER.beta2 * v + (1 - HYPER.beta2) * g * g;
    const denom = Math.sqrt(v) / Math.sqrt(1 - HYPER.beta2 ** step) + HYPER.eps;
    p -= (lr / (1 - HYPER.beta1 ** step)) * (m / denom);
    out.push(p);
  });
  return out;
}

function model(): NamedParameter[] {
  return [
    { name: 'visual.proj', variable: tf.variable(tf.tensor2d([[0.5, -1.2]]), true, 'adamw_test_proj') },
    { name: 'ln_final.bias', variable: tf.variable(tf.tensor1d([0.25]), true, 'adamw_test_bias') },
    { name: 'logit_scale', variable: tf.variable(tf.scalar(2.0), true, 'adamw_test_logit') },
  ];
}

describe('AdamW', () => {
  it('follows torch.optim.AdamW over two steps: decay first, lerp moments, torch eps placement, per-group lr and wd', () => {
    const params = model();
    const groups = buildParamGroups(params, { lr: 0.01, lrTau: 0.002, weightDecay: 0.1 });
    const opt = new AdamW(groups, HYPER);
    const g1 = { adamw_test_proj: tf.tensor2d([[0.3, -0.4]]), adamw_test_bias: tf.tensor1d([0.05]), adamw_test_logit: tf.scalar(-0.7) };
    const g2 = { adamw_test_proj: tf.tensor2d([[-0.1, 0.2]]), adamw_test_bias: tf.tensor1d([0.5]), adamw_test_logit: tf.scalar(0.1) };
    opt.step(g1);
    // Step 1 by hand: m̂ = g and v̂ = g², so p1 = p0·(1 − lr·wd) − lr·g/(|g| + eps).
    expect(params[0]!.variable.dataSync()[0]).toBeCloseTo(0.5 * (1 - 0.001) - 0.01 * 0.3 / (0.3 + 1e-6), 6);
    expect(params[2]!.variable.dataSync()[0]).toBeCloseTo(2.0 + 0.002 * 0.7 / (0.7 + 1e-6), 6);
    opt.step(g2);
    const proj = params[0]!.variable.dataSync();
    expect(proj[0]).toBeCloseTo(torchAdamW(0.5, [0.3, -0.1], 0.01, 0.1)[1]!, 6);
    expect(proj[1]).toBeCloseTo(torchAdamW(-1.2, [-0.4, 0.2], 0.01, 0.1)[1]!, 6);
    expect(params[1]!.variable.dataSync()[0]).toBeCloseTo(torchAdamW(0.25, [0.05, 0.5], 0.01, 0)[1]!, 6);
    expect(params[2]!.variable.dataSync()[0]).toBeCloseTo(torchAdamW(2.0, [-0.7, 0.1], 0.002, 0)[1]!, 6);
    tf.dispose([...Object.values(g1), ...Object.values(g2), ...params.map((p) => p.variable)]);
    opt.dispose();
  });

  it('adds eps after the bias correction, as torch does (visible with tiny gradients)', () => {
    const params = model();
    const opt = new AdamW(buildParamGroups(params, { lr: 0.01, lrTau: -1, weightDecay: 0 }), HYPER);
    const g = { 'ln_final.bias': tf.tensor1d([2e-6]) };
    opt.step(g);
    // torch: 0.25 − 0.01·2e-6/(2e-6 + 1e-6); eps before the correction would give 0.25 − 0.01·2e-6/(2e-6 + 1e-6/√0.02).
    expect(params[1]!.variable.dataSync()[0]).toBeCloseTo(0.25 - 0.01 * (2 / 3), 6);
    tf.dispose([g['ln_final.bias'], ...params.map((p) => p.variable)]);
    opt.dispose();
  });

  it('skips a parameter without a gradient (no decay, no step), and accepts grads keyed by parameter name', () => {
    const params = model();
    const opt = new AdamW(buildParamGroups(params, { lr: 0.1, lrTau: -1, weightDecay: 0.5 }), HYPER);
    const g = { 'ln_final.bias': tf.tensor1d([1]) };
    opt.step(g);
    expect(params[0]!.variable.dataSync()[0]).toBe(Math.fround(0.5));
    expect(params[1]!.variable.dataSync()[0]).toBeCloseTo(0.25 - 0.1, 5);
    expect(Object.keys(opt.stateDict().params)).toEqual(['ln_final.bias']);
    tf.dispose([g['ln_final.bias'], ...params.map((p) => p.variable)]);
    opt.dispose();
  });

  it('resumes from its state dict on exactly the same trajectory', () => {
    const gradsAt = (k: number) => ({
      adamw_test_proj: tf.tensor2d([[Math.sin(k), Math.cos(2 * k)]]), adamw_test_bias: tf.tensor1d([0.3 * k - 0.5]), adamw_test_logit: tf.scalar(0.2 - 0.1 * k),
    });
    const run = (steps: number[], opt: AdamW) => steps.forEach((k) => { const g = gradsAt(k); opt.step(g); tf.dispose(Object.values(g)); });

    const a = model();
    const optA = new AdamW(buildParamGroups(a, { lr: 0.05, lrTau: 0.01, weightDecay: 0.2 }), HYPER);
    run([1, 2, 3, 4], optA);
    const straight = a.map((p) => Array.from(p.variable.dataSync()));
    tf.dispose(a.map((p) => p.variable));

    const b = model();
    const optB = new AdamW(buildParamGroups(b, { lr: 0.05, lrTau: 0.01, weightDecay: 0.2 }), HYPER);
    run([1, 2], optB);
    const saved = optB.stateDict();
    const weights = b.map((p) => p.variable.dataSync().slice());
    tf.dispose(b.map((p) => p.variable));
    optB.dispose();
    expect(saved.params['visual.proj']!.step).toBe(2);

    const c = model();
    c.forEach((p, i) => p.variable.assign(tf.tensor(weights[i]!, p.variable.shape)));
    const optC = new AdamW(buildParamGroups(c, { lr: 0.05, lrTau: 0.01, weightDecay: 0.2 }), HYPER);
    optC.loadStateDict(saved);
    run([3, 4], optC);
    expect(c.map((p) => Array.from(p.variable.dataSync()))).toEqual(straight);
    tf.dispose(c.map((p) => p.variable));
    optA.dispose();
    optC.dispose();
  });

  it('rejects a state dict that does not fit, naming the parameter', () => {
    const params = model();
    const opt = new AdamW(buildParamGroups(params, { lr: 0.1, lrTau: -1, weightDecay: 0 }), HYPER);
    const ok = { step: 1, exp_avg: new Float32Array(2), exp_avg_sq: new Float32Array(2) };
    expect(() => opt.loadStateDict({ params: { 'text_projection': ok } })).toThrow(/"text_projection" is not a trainable parameter/);
    expect(() => opt.loadStateDict({ params: { 'visual.proj': { ...ok, exp_avg: new Float32Array(3) } } })).toThrow(/"visual.proj".exp_avg must be a Float32Array of 2 values/);
    tf.dispose(params.map((p) => p.variable));
    opt.dispose();
  });

  it('leaks no tensors across steps', () => {
    const params = model();
    const opt = new AdamW(buildParamGroups(params, { lr: 0.1, lrTau: -1, weightDecay: 0.1 }), HYPER);
    const g = { adamw_test_proj: tf.tensor2d([[0.1, 0.2]]), adamw_test_bias: tf.tensor1d([0.3]), adamw_test_logit: tf.scalar(0.4) };
    opt.step(g);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) opt.step(g);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...Object.values(g), ...params.map((p) => p.variable)]);
    opt.dispose();
  });
});

describe('AdamW hyperparameters', () => {
  it('open_clip picks them by name; here every config gets the ViT values unless overridden', () => {
    expect(seedAdamDefaults('ViT-B-16')).toEqual({ beta1: 0.9, beta2: 0.98, eps: 1e-6 });
    expect(seedAdamDefaults('RN50')).toEqual({ beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    expect(adamHyperparameters()).toEqual({ beta1: 0.9, beta2: 0.98, eps: 1e-6 });
    expect(adamHyperparameters({ beta2: 0.95, eps: undefined })).toEqual({ beta1: 0.9, beta2: 0.95, eps: 1e-6 });
    expect(() => adamHyperparameters({ beta1: 1 })).toThrow(/beta1: must be in \[0, 1\)/);
  });

  it('keeps the moments outside the tensor backend, writes the variables in place and frees gradients as applied', () => {
    const params = [{ name: 'visual.proj', variable: tf.tidy(() => tf.variable(tf.tensor2d([[0.5, -1.2]]), true, 'adamw_inplace_proj')) }];
    const opt = new AdamW(buildParamGroups(params, { lr: 0.01, lrTau: -1, weightDecay: 0.1 }), HYPER);
    const bytesBefore = tf.memory().numBytes;
    const tensorsBefore = tf.memory().numTensors;
    const grads: Record<string, tf.Tensor> = { adamw_inplace_proj: tf.tensor2d([[0.3, -0.4]]) };
    const grad = grads.adamw_inplace_proj!;
    opt.step(grads, { disposeGrads: true });
    expect(grad.isDisposed).toBe(true);
    expect(Object.keys(grads)).toEqual([]);
    // No tensor was made for the moments, and the update replaced the weights without growing memory.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    expect(opt.momentBytes).toBe(2 * 2 * 4);
    const p = params[0]!.variable.dataSync();
    expect(p[0]).toBeCloseTo(torchAdamW(0.5, [0.3], 0.01, 0.1)[0]!, 6);
    expect(p[1]).toBeCloseTo(torchAdamW(-1.2, [-0.4], 0.01, 0.1)[0]!, 6);
    tf.dispose(params[0]!.variable);
    opt.dispose();
  });

  it('applies gradScale (clipping\'s coefficient) as a scaled gradient would', () => {
    const make = (name: string) => [{ name: 'visual.proj', variable: tf.tidy(() => tf.variable(tf.tensor2d([[0.5, -1.2]]), true, name)) }];
    const a = make('adamw_scale_a');
    const b = make('adamw_scale_b');
    const optA = new AdamW(buildParamGroups(a, { lr: 0.01, lrTau: -1, weightDecay: 0.1 }), HYPER);
    const optB = new AdamW(buildParamGroups(b, { lr: 0.01, lrTau: -1, weightDecay: 0.1 }), HYPER);
    const grads = [[[0.3, -0.4]], [[-0.2, 0.9]]];
    for (const g of grads) {
      const ga = { adamw_scale_a: tf.tensor2d(g) };
      const gb = { adamw_scale_b: tf.tensor2d(g.map((r) => r.map((x) => x * 0.25))) };
      optA.step(ga, { gradScale: 0.25, disposeGrads: true });
      optB.step(gb, { disposeGrads: true });
    }
    const va = Array.from(a[0]!.variable.dataSync());
    const vb = Array.from(b[0]!.variable.dataSync());
    va.forEach((x, i) => expect(x).toBeCloseTo(vb[i]!, 6));
    expect(va[0]).toBeCloseTo(torchAdamW(0.5, [0.075, -0.05], 0.01, 0.1)[1]!, 6);
    tf.dispose([a[0]!.variable, b[0]!.variable]);
    optA.dispose();
    optB.dispose();
  });

  it('products with an updated weight use its new values (the wasm backend caches packed weights by tensor)', () => {
    const w = tf.tidy(() => tf.variable(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), true, 'adamw_matmul_w'));
    const opt = new AdamW(buildParamGroups([{ name: 'visual.proj', variable: w }], { lr: 0.5, lrTau: -1, weightDecay: 0 }), HYPER);
    const x = tf.tensor2d([[1, -1], [0.5, 2]]);
    for (let k = 0; k < 3; k++) {
      tf.tidy(() => tf.matMul(x, w).dataSync()); // the product that would cache w's packed values
      opt.step({ adamw_matmul_w: tf.tensor2d([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]) }, { disposeGrads: true });
      const fresh = tf.tidy(() => Array.from(tf.matMul(x, tf.tensor2d(w.dataSync(), [2, 3])).dataSync()));
      const viaVariable = tf.tidy(() => Array.from(tf.matMul(x, w).dataSync()));
      expect(viaVariable).toEqual(fresh);
    }
    tf.dispose([w, x]);
    opt.dispose();
  });
});
