/** The teacher is forward-only: plain tensors, no variables, nothing left behind per batch, nothing on the gradient tape. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { ClipModel, clipForward } from '../../../src-worker/model/clip';
import { loadReferenceModel, type ReferenceModel } from '../../../src-worker/teacher';
import { tempDir, tinyConfig, writeHfFolder, writePullManifest } from '../../unit/teacher/fixtures';
import { batchInputs, studentOptions } from './helpers';

const root = tempDir();
const cfg = tinyConfig();
const registeredVariables = (): number => Object.keys(tf.engine().registeredVariables).length;

let ref: ReferenceModel;
let variablesBeforeLoad = 0;

beforeAll(async () => {
  await initBackend('wasm');
  const dir = path.join(root, 'data', 'models', 'openai', 'clip-vit-base-patch32');
  writeHfFolder(dir, cfg, 4);
  writePullManifest(dir, 'openai/clip-vit-base-patch32');
  variablesBeforeLoad = registeredVariables();
  ref = await loadReferenceModel(studentOptions(root));
});
afterAll(() => {
  ref.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('teacher forward', () => {
  it('holds plain tensors, not variables, and loading created no variable', () => {
    expect(registeredVariables()).toBe(variablesBeforeLoad);
    for (const t of Object.values(ref.params)) expect(t).not.toBeInstanceOf(tf.Variable);
  });

  it('leaks no tensors across repeated calls and creates no variables', () => {
    const inputs = batchInputs(cfg, studentOptions(root).studentTokenizer);
    const s = cfg.vision.imageSize;
    const images = tf.tensor4d(inputs.images, [inputs.batch, s, s, 3]);
    const tokens = tf.tensor2d(inputs.tokens, [inputs.batch, cfg.text.contextLength], 'int32');
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const out = clipForward(ref.params, ref.cfg, images, tokens);
      tf.dispose([out.imageFeatures, out.textFeatures, out.logitScale]);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    expect(registeredVariables()).toBe(variablesBeforeLoad);
    tf.dispose([images, tokens]);
  });

  it('run before the student\'s tf.variableGrads, it is a constant: gradients reach the student\'s variables only', () => {
    const student = ClipModel.create(tinyConfig({}, 'student'), 9);
    const inputs = batchInputs(cfg, studentOptions(root).studentTokenizer);
    const s = cfg.vision.imageSize;
    const images = tf.tensor4d(inputs.images, [inputs.batch, s, s, 3]);
    const tokens = tf.tensor2d(inputs.tokens, [inputs.batch, cfg.text.contextLength], 'int32');
    const teacher = clipForward(ref.params, ref.cfg, images, tokens);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
      const out = student.forward(images, tokens);
      // Feature distillation: squared distance to the teacher's unit vectors.
      return tf.add(tf.sum(tf.square(tf.sub(out.imageFeatures, teacher.imageFeatures))), tf.sum(tf.square(tf.sub(out.textFeatures, teacher.textFeatures)))) as tf.Scalar;
    }));
    const studentVarNames = new Set([...student.variables.values()].map((v) => v.name));
    expect(Object.keys(grads).length).toBeGreaterThan(0);
    for (const name of Object.keys(grads)) expect(studentVarNames.has(name), name).toBe(true);
    expect(value.dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([teacher.imageFeatures, teacher.textFeatures, teacher.logitScale, images, tokens]);
    student.dispose();
  });

  it('dispose frees every teacher tensor', async () => {
    const other = await loadReferenceModel(studentOptions(root));
    const loaded = tf.memory().numTensors;
    const n = Object.keys(other.params).length;
    other.dispose();
    expect(tf.memory().numTensors).toBe(loaded - n);
    expect(other.stateDict.size).toBe(0);
  });
});
