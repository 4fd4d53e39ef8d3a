/** Small configs and random weights for model tests. */
import { parseModelConfig, type ClipConfig } from '../../../src-worker/model/config';
import { clipParamSpecs, sizeOfShape } from '../../../src-worker/model/param-spec';
import type { StateDict } from '../../../src-worker/model/state-dict';

/** 8×8 images, patch 4 (grid 2, 5 tokens), width 8 with 2 heads; text context 6, vocab 13, width 8, 2 heads. */
export function microConfig(quickGelu = false): ClipConfig {
  return parseModelConfig(
    {
      embed_dim: 6,
      quick_gelu: quickGelu,
      vision_cfg: { image_size: 8, patch_size: 4, width: 8, layers: 2, head_width: 4 },
      text_cfg: { context_length: 6, vocab_size: 13, width: 8, heads: 2, layers: 2 },
    },
    quickGelu ? 'micro-quickgelu' : 'micro',
  );
}

/** Deterministic pseudo-random values in [-1, 1) (a linear congruential generator; no tf involved). */
export function seededValues(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296 * 2 - 1) * scale;
  }
  return out;
}

/**
 * Every parameter random (LayerNorm gains around 1, everything else around 0), unlike open_clip's init
 * where many biases are zero and gains one: a wrong bias or gain would then go unnoticed.
 */
export function randomStateDict(cfg: ClipConfig, seed: number): StateDict {
  const sd: StateDict = new Map();
  clipParamSpecs(cfg).forEach((s, i) => {
    const n = sizeOfShape(s.shape);
    const isGain = /ln_(1|2|pre|post|final)\.weight$/.test(s.name);
    const data = seededValues(n, seed * 1000 + i, 0.5);
    if (isGain) for (let k = 0; k < n; k++) data[k] = 1 + data[k]! * 0.5;
    sd.set(s.name, { shape: [...s.shape], data });
  });
  return sd;
}

/** Token rows of a context: [start=vocab-2, ids..., eot=vocab-1, 0 padding]. */
export function tokenRows(cfg: ClipConfig, rows: number[][]): Int32Array {
  const ctx = cfg.text.contextLength;
  const out = new Int32Array(rows.length * ctx);
  rows.forEach((r, i) => {
    const seq = [cfg.text.vocabSize - 2, ...r, cfg.text.vocabSize - 1];
    seq.slice(0, ctx).forEach((id, t) => { out[i * ctx + t] = id; });
  });
  return out;
}
