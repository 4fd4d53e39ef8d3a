import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { ClipModel, paramsFromStateDict, disposeParams, encodeImage } from '../../../src-worker/model/clip';
import { loadModelConfig } from '../../../src-worker/model/config';
import { loadStateDictFile, saveStateDict, stripModulePrefix, StateDictError, type StateDict } from '../../../src-worker/model/state-dict';
import { writeSafetensors } from '../../../src-worker/io/safetensors';
import { microConfig, randomStateDict, seededValues } from './fixtures';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-sd-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('wasm');
});

const cfg = microConfig(false);
const size = cfg.vision.imageSize;

function imageFeatures(model: ClipModel): Float32Array {
  return tf.tidy(() => model.encodeImage(tf.tensor4d(seededValues(2 * size * size * 3, 4), [2, size, size, 3])).dataSync() as Float32Array);
}

describe('state dict', () => {
  it('round-trips a model through safetensors with open_clip names and PyTorch shapes', async () => {
    const model = ClipModel.create(cfg, 123);
    const sd = await model.exportStateDict();
    expect(sd.get('visual.conv1.weight')!.shape).toEqual([8, 3, 4, 4]);
    expect(sd.get('transformer.resblocks.1.attn.in_proj_weight')!.shape).toEqual([24, 8]);
    expect(sd.get('logit_scale')!.shape).toEqual([]);
    const file = path.join(dir, 'model.safetensors');
    await saveStateDict(file, sd, { config: 'micro' });
    const { stateDict, metadata } = await loadStateDictFile(file);
    expect(metadata).toEqual({ config: 'micro' });
    expect([...stateDict.keys()]).toEqual([...sd.keys()]);
    const again = ClipModel.fromStateDict(cfg, stateDict);
    expect(imageFeatures(again)).toEqual(imageFeatures(model));
    model.dispose();
    again.dispose();
  });

  it('initialisation is deterministic in the seed', async () => {
    const a = ClipModel.create(cfg, 5);
    const b = ClipModel.create(cfg, 5);
    const c = ClipModel.create(cfg, 6);
    const [sa, sb, sc] = await Promise.all([a.exportStateDict(), b.exportStateDict(), c.exportStateDict()]);
    expect(sa.get('visual.proj')!.data).toEqual(sb.get('visual.proj')!.data);
    expect(sa.get('visual.proj')!.data).not.toEqual(sc.get('visual.proj')!.data);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('strips the module. prefix of DDP checkpoints', async () => {
    const sd = randomStateDict(cfg, 2);
    const prefixed: StateDict = new Map([...sd].map(([k, v]) => [`module.${k}`, v]));
    const file = path.join(dir, 'ddp.safetensors');
    await saveStateDict(file, prefixed);
    const { stateDict } = await loadStateDictFile(file);
    expect([...stateDict.keys()]).toEqual([...sd.keys()]);
    const model = ClipModel.fromStateDict(cfg, prefixed);
    const direct = ClipModel.fromStateDict(cfg, sd);
    expect(imageFeatures(model)).toEqual(imageFeatures(direct));
    model.dispose();
    direct.dispose();
    expect(stripModulePrefix(sd)).toBe(sd);
  });

  it('names the tensor and both shapes on a mismatch, and lists missing and unexpected names', () => {
    const sd = randomStateDict(cfg, 2);
    const wrong: StateDict = new Map(sd);
    wrong.set('visual.proj', { shape: [8, 5], data: new Float32Array(40) });
    wrong.delete('ln_final.bias');
    wrong.set('logit_bias', { shape: [], data: new Float32Array(1) });
    let message = '';
    try {
      ClipModel.fromStateDict(cfg, wrong);
    } catch (err) {
      expect(err).toBeInstanceOf(StateDictError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/tensor visual\.proj: expected shape \[8, 6\], given \[8, 5\]/);
    expect(message).toMatch(/missing tensors: ln_final\.bias/);
    expect(message).toMatch(/unexpected tensors: logit_bias/);
    expect(() => paramsFromStateDict(cfg, wrong, 'teacher.safetensors')).toThrow(/teacher\.safetensors does not fit/);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('loads non-strictly from a teacher of another patch size, skipping only the tensors whose shape differs', async () => {
    const student = ClipModel.create(loadModelConfig('clip-tiny-p7-28'), 1);
    const teacherModel = ClipModel.create(loadModelConfig('clip-tiny-p4-28'), 2);
    const teacher = await teacherModel.exportStateDict();
    teacherModel.dispose();
    expect(() => student.loadStateDict(teacher)).toThrow(/tensor visual\.conv1\.weight: expected shape \[64, 3, 7, 7\], given \[64, 3, 4, 4\]/);
    const before = await student.exportStateDict();
    const report = student.loadStateDict(teacher, { strict: false });
    expect(report.mismatched.map((m) => m.name)).toEqual(['visual.positional_embedding', 'visual.conv1.weight']);
    expect(report.missing).toEqual([]);
    expect(report.matched).toHaveLength(student.specs.length - 2);
    const after = await student.exportStateDict();
    expect(after.get('transformer.resblocks.0.attn.in_proj_weight')!.data).toEqual(teacher.get('transformer.resblocks.0.attn.in_proj_weight')!.data);
    expect(after.get('visual.conv1.weight')!.data).toEqual(before.get('visual.conv1.weight')!.data);
    student.dispose();
  });

  it('loads F16 weights from a safetensors file (converted to float32)', async () => {
    const sd = randomStateDict(cfg, 8);
    const file = path.join(dir, 'half.safetensors');
    // Write F32 first to get names and layout, then rewrite the data section as F16 by hand.
    const names = [...sd.keys()];
    const header: Record<string, unknown> = {};
    let offset = 0;
    const chunks: Buffer[] = [];
    const half = (x: number) => {
      // float32 → float16 for the values used here (|x| < 2, normal range): round the 10-bit mantissa
      const f = new Float32Array([x]);
      const bits = new Uint32Array(f.buffer)[0]!;
      const sign = (bits >>> 16) & 0x8000;
      const exp = ((bits >>> 23) & 0xff) - 127 + 15;
      if (exp <= 0) return sign;
      return sign | (exp << 10) | (Math.round((bits & 0x7fffff) / 8192) & 0x3ff);
    };
    for (const n of names) {
      const t = sd.get(n)!;
      const h = Uint16Array.from(t.data, half);
      header[n] = { dtype: 'F16', shape: t.shape, data_offsets: [offset, offset + h.byteLength] };
      offset += h.byteLength;
      chunks.push(Buffer.from(h.buffer));
    }
    const json = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    fs.writeFileSync(file, Buffer.concat([len, json, ...chunks]));
    const { stateDict } = await loadStateDictFile(file);
    const w = stateDict.get('visual.proj')!.data;
    const orig = sd.get('visual.proj')!.data;
    for (let i = 0; i < w.length; i++) expect(Math.abs(w[i]! - orig[i]!)).toBeLessThan(1e-3);
    const params = paramsFromStateDict(cfg, stateDict);
    const feats = tf.tidy(() => encodeImage(params, cfg, tf.zeros([1, size, size, 3]) as tf.Tensor4D).dataSync());
    expect(feats.every(Number.isFinite)).toBe(true);
    disposeParams(params);
  });

  it('leaves integer tensors out and lists them (a model that needs one then reports it missing)', async () => {
    const file = path.join(dir, 'int.safetensors');
    await writeSafetensors(file, [
      { name: 'position_ids', shape: [2], data: Int32Array.from([0, 1]) },
      { name: 'logit_scale', shape: [], data: Float32Array.from([2.5]) },
    ]);
    const { stateDict, skipped } = await loadStateDictFile(file);
    expect([...stateDict.keys()]).toEqual(['logit_scale']);
    expect(skipped).toEqual(['position_ids (I32)']);
  });
});
