/**
 * The model's gradients (tfjs, float32, hand-written layer gradients) against central finite differences
 * of the independent float64 reference forward, through a symmetric InfoNCE. This is what checks the
 * gradient mathematics end to end; the wasm-vs-cpu test only checks the kernels.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { ClipModel } from '../../../src-worker/model/clip';
import type { StateDict } from '../../../src-worker/model/state-dict';
import { microConfig, randomStateDict, seededValues, tokenRows } from './fixtures';
import { symmetricInfoNce } from './contrastive';
import { referenceImageFeatures, referenceTextFeatures } from './reference-clip';

const cfg = microConfig(false);
const sd = randomStateDict(cfg, 3);
const batch = 4;
const size = cfg.vision.imageSize;
const pixels = size * size * 3;
const images = seededValues(batch * pixels, 5, 2);
const rows = [[1, 2], [3, 4, 5], [6], [7, 8, 9, 10]];
const tokens = tokenRows(cfg, rows);
const ctx = cfg.text.contextLength;

function referenceLoss(weights: StateDict): number {
  const unit = (v: number[]) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
  const img = Array.from({ length: batch }, (_, b) => unit(referenceImageFeatures(weights, cfg, images.subarray(b * pixels, (b + 1) * pixels))));
  const txt = Array.from({ length: batch }, (_, b) => unit(referenceTextFeatures(weights, cfg, Array.from(tokens.subarray(b * ctx, (b + 1) * ctx)))));
  const scale = Math.exp(weights.get('logit_scale')!.data[0]!);
  const logits = img.map((i) => txt.map((t) => scale * i.reduce((s, v, k) => s + v * t[k]!, 0)));
  const ce = (m: number[][]) => m.reduce((s, row, i) => {
    const max = Math.max(...row);
    return s + (max + Math.log(row.reduce((z, v) => z + Math.exp(v - max), 0)) - row[i]!);
  }, 0) / batch;
  const transposed = logits.map((_, j) => logits.map((row) => row[j]!));
  return (ce(logits) + ce(transposed)) / 2;
}

/** [parameter, flat index]: each kind of parameter, both towers, q/k/v parts, pooled last blocks. */
const w = cfg.vision.width;
const probes: [string, number][] = [
  ['visual.conv1.weight', 5], ['visual.class_embedding', 3], ['visual.positional_embedding', 7], ['visual.ln_pre.weight', 2],
  ['visual.transformer.resblocks.0.attn.in_proj_weight', 3], ['visual.transformer.resblocks.0.attn.in_proj_weight', w * w + 5],
  ['visual.transformer.resblocks.0.attn.in_proj_weight', 2 * w * w + 9], ['visual.transformer.resblocks.1.attn.in_proj_bias', 1],
  ['visual.transformer.resblocks.1.attn.in_proj_bias', w + 2], ['visual.transformer.resblocks.1.attn.in_proj_bias', 2 * w + 1],
  ['visual.transformer.resblocks.1.mlp.c_fc.bias', 4], ['visual.transformer.resblocks.1.ln_2.weight', 6], ['visual.proj', 0], ['visual.ln_post.bias', 1],
  ['token_embedding.weight', 4 * w + 2], ['positional_embedding', w + 1], ['transformer.resblocks.0.attn.out_proj.weight', 10],
  ['transformer.resblocks.1.attn.in_proj_weight', w * w + 3], ['transformer.resblocks.1.attn.in_proj_weight', 5],
  ['transformer.resblocks.1.mlp.c_proj.weight', 3], ['transformer.resblocks.0.ln_1.bias', 0], ['ln_final.weight', 0], ['text_projection', 5], ['logit_scale', 0],
];

describe('gradients against float64 finite differences of the reference model', () => {
  it('match for every kind of parameter', async () => {
    await initBackend('wasm');
    const model = ClipModel.fromStateDict(cfg, sd);
    const img = tf.tensor4d(images, [batch, size, size, 3]);
    const tok = tf.tensor2d(tokens, [batch, ctx], 'int32');
    const { value, grads } = tf.variableGrads(() => symmetricInfoNce(model.forward(img, tok)));
    const gradOf = (name: string) => grads[model.variables.get(name)!.name]!.dataSync();
    expect(value.dataSync()[0]).toBeCloseTo(referenceLoss(sd), 4);

    const h = 1e-3;
    let significant = 0;
    for (const [name, index] of probes) {
      const base = sd.get(name)!;
      const at = (delta: number) => {
        const data = Float32Array.from(base.data);
        data[index] = base.data[index]! + delta;
        return { loss: referenceLoss(new Map(sd).set(name, { shape: base.shape, data })), value: data[index]! };
      };
      const plus = at(h);
      const minus = at(-h);
      const numeric = (plus.loss - minus.loss) / (plus.value - minus.value); // the float32-rounded step
      const analytic = gradOf(name)[index]!;
      if (Math.abs(numeric) > 1e-5) significant++;
      // float32 gradients vs float64 central differences (truncation error ~h²); observed differences
      // are ~1e-8 on gradients of 1e-5..1e-2, so 1e-3 relative + 1e-7 absolute still catches a wrong term.
      expect(Math.abs(analytic - numeric), `${name}[${index}]: analytic ${analytic}, numeric ${numeric}`).toBeLessThan(1e-7 + 1e-3 * Math.abs(numeric));
    }
    // most probes carry a real signal (a key bias has none: softmax ignores a shift shared by all keys)
    expect(significant).toBeGreaterThanOrEqual(probes.length - 2);
    tf.dispose([value, img, tok, ...Object.values(grads)]);
    model.dispose();
  });
});
