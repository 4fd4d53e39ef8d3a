import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { ClipModel } from '../../../src-worker/model/clip';
import { loadModelConfig } from '../../../src-worker/model/config';
import { initStateDict } from '../../../src-worker/model/init';
import { clipParamSpecs } from '../../../src-worker/model/param-spec';
import type { StateDict } from '../../../src-worker/model/state-dict';
import { initStudentFromTeacher, planInitFromTeacher } from '../../../src-worker/teacher/init-from-teacher';

const shapesOf = (name: string) => new Map(clipParamSpecs(loadModelConfig(name)).map((s) => [s.name, s.shape]));

describe('which student parameters a teacher fills (from the parameter specs, nothing allocated)', () => {
  it('ViT-B-16 from ViT-B-32: 300 of 302, all but the patch embedding and the positional embedding', () => {
    const plan = planInitFromTeacher(clipParamSpecs(loadModelConfig('ViT-B-16')), shapesOf('ViT-B-32'));
    expect(plan.total).toBe(302);
    expect(plan.copied).toHaveLength(300);
    expect(plan.skipped).toEqual(['visual.positional_embedding', 'visual.conv1.weight']);
    expect(plan.copied).toEqual(expect.arrayContaining(['logit_scale', 'text_projection', 'visual.proj', 'visual.class_embedding', 'visual.ln_pre.weight', 'visual.ln_post.bias', 'token_embedding.weight', 'visual.transformer.resblocks.11.mlp.c_proj.bias']));
  });

  it('clip-tiny-p7-28 from clip-tiny-p4-28 skips exactly the same two', () => {
    const student = clipParamSpecs(loadModelConfig('clip-tiny-p7-28'));
    const plan = planInitFromTeacher(student, shapesOf('clip-tiny-p4-28'));
    expect(plan.total).toBe(student.length);
    expect(plan.skipped).toEqual(['visual.positional_embedding', 'visual.conv1.weight']);
    expect(plan.copied).toHaveLength(student.length - 2);
  });

  it('a teacher of other widths and depth gives only the logit scale', () => {
    const plan = planInitFromTeacher(clipParamSpecs(loadModelConfig('ViT-B-32')), shapesOf('clip-tiny-p4-28'));
    expect(plan.copied).toEqual(['logit_scale']);
    expect(plan.skipped).toHaveLength(301);
  });
});

describe('initStudentFromTeacher on a real model', () => {
  let student: ClipModel;
  let teacher: StateDict;
  let before: StateDict;

  beforeAll(async () => {
    await initBackend('wasm');
    student = ClipModel.create(loadModelConfig('clip-tiny-p7-28'), 1);
    before = await student.exportStateDict();
    teacher = initStateDict({ ...loadModelConfig('clip-tiny-p4-28'), initLogitScale: Math.log(100) }, 2);
  });
  afterAll(() => student.dispose());

  it('assigns the matching tensors (logit scale included) and leaves the rest', async () => {
    const report = initStudentFromTeacher(student, new Map([...teacher].map(([k, v]) => [`module.${k}`, v])));
    expect(report.skipped).toEqual(['visual.positional_embedding', 'visual.conv1.weight']);
    expect(report.copied.length).toBe(report.total - 2);
    const after = await student.exportStateDict();
    for (const name of report.copied) expect(Array.from(after.get(name)!.data), name).toEqual(Array.from(teacher.get(name)!.data));
    for (const name of report.skipped) expect(Array.from(after.get(name)!.data), name).toEqual(Array.from(before.get(name)!.data));
    expect(after.get('logit_scale')!.data[0]).toBeCloseTo(Math.log(100), 6);
    // Still trainable variables, not replaced by something else.
    expect(student.variables.get('visual.proj')).toBeInstanceOf(tf.Variable);
  });

  it('says so when the teacher weights were already released', () => {
    expect(() => initStudentFromTeacher(student, new Map())).toThrow(/releaseStateDict/);
  });
});
