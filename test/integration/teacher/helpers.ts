/** Shared set-up for the reference-model integration tests. */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { clipForward } from '../../../src-worker/model/clip';
import type { ClipConfig } from '../../../src-worker/model/config';
import type { StateDict } from '../../../src-worker/model/state-dict';
import { ClipTokenizer } from '../../../src-worker/text';
import type { LoadReferenceOptions, ReferenceModel } from '../../../src-worker/teacher';
import { ConfigError } from '../../../src-shared/config/train-config';
import { tinyConfig, tinyVocabulary, writeConfigFile, type TinyArch } from '../../unit/teacher/fixtures';

export function studentOptions(root: string, over: Partial<LoadReferenceOptions> & { studentArch?: TinyArch } = {}): LoadReferenceOptions {
  const { studentArch, ...rest } = over;
  return {
    model: writeConfigFile(path.join(root, 'configs'), {}, 'tiny.json'),
    pretrained: 'openai',
    dataDir: path.join(root, 'data'),
    student: tinyConfig(studentArch ?? {}, 'student'),
    studentTokenizer: new ClipTokenizer(tinyVocabulary()),
    ...rest,
  };
}

export async function loadError(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected loadReferenceModel to fail');
}

export function expectBitwiseEqual(a: StateDict, b: StateDict): void {
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [name, t] of a) {
    const u = b.get(name)!;
    expect(u.shape, name).toEqual(t.shape);
    expect(Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)), name).toBe(true);
  }
}

export function batchInputs(cfg: ClipConfig, tokenizer: ClipTokenizer): { images: Float32Array; tokens: Int32Array; batch: number } {
  const captions = ['a cat', 'dog', 'a dog and a cat'];
  const n = captions.length * cfg.vision.imageSize * cfg.vision.imageSize * 3;
  const images = new Float32Array(n);
  for (let i = 0; i < n; i++) images[i] = Math.sin(i * 0.37) * 1.5;
  return { images, tokens: tokenizer.encode(captions, cfg.text.contextLength), batch: captions.length };
}

export function features(ref: ReferenceModel, inputs: ReturnType<typeof batchInputs>): { image: Float32Array; text: Float32Array } {
  const s = ref.cfg.vision.imageSize;
  return tf.tidy(() => {
    const out = clipForward(ref.params, ref.cfg, tf.tensor4d(inputs.images, [inputs.batch, s, s, 3]), tf.tensor2d(inputs.tokens, [inputs.batch, ref.cfg.text.contextLength], 'int32'));
    return { image: out.imageFeatures.dataSync() as Float32Array, text: out.textFeatures.dataSync() as Float32Array };
  });
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}
