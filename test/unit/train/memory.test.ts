import { describe, expect, it } from 'vitest';
import { loadModelConfig } from '../../../src-worker/model/config';
import { clipParamSpecs, countParams } from '../../../src-worker/model/param-spec';
import { ConfigError } from '../../../src-shared/config/train-config';
import { WASM_HEAP_MAX, estimateRunMemory, explainWasmAbort, planRunMemory } from '../../../src-worker/train/memory';

const model = (name: string) => {
  const cfg = loadModelConfig(name);
  const params = countParams(clipParamSpecs(cfg)).total;
  return { cfg, params, trainableParams: params };
};

describe('the pre-flight memory plan', () => {
  it('counts weights, gradients and activations; recomputation keeps much less per sample', () => {
    const b16 = model('ViT-B-16');
    const plain = estimateRunMemory({ ...b16, batchSize: 8, recompute: false });
    const recomputed = estimateRunMemory({ ...b16, batchSize: 8, recompute: true });
    expect(plain.parts.weights).toBe(b16.params * 4);
    expect(plain.parts.gradients).toBe(b16.params * 4);
    expect(plain.hostBytes).toBe(b16.params * 8); // AdamW moments, outside the backend
    expect(recomputed.parts.activations! * 4).toBeLessThan(plain.parts.activations!);
    expect(estimateRunMemory({ ...b16, batchSize: 16, recompute: false }).parts.activations).toBeCloseTo(2 * plain.parts.activations!, 0);
  });

  it('leaves small runs alone, turns recomputation on when that alone fits, refuses what cannot fit', () => {
    const tiny = model('clip-tiny-p7-28');
    expect(planRunMemory({ ...tiny, batchSize: 128, recompute: false, worldSize: 1, backend: 'wasm' })).toMatchObject({ recomputeChosen: false, estimate: { recompute: false } });
    const b16 = model('ViT-B-16');
    const chosen = planRunMemory({ ...b16, batchSize: 8, recompute: false, worldSize: 1, backend: 'wasm' });
    expect(chosen).toMatchObject({ recomputeChosen: true, estimate: { recompute: true } });
    expect(chosen.estimate.backendBytes).toBeLessThan(WASM_HEAP_MAX);
    // The teacher's weights count too.
    const teacher = { cfg: loadModelConfig('ViT-B-32'), params: model('ViT-B-32').params };
    const withTeacher = planRunMemory({ ...b16, batchSize: 4, recompute: false, worldSize: 1, backend: 'wasm', teacher });
    expect(withTeacher.estimate.parts.teacher).toBe(teacher.params * 4);
    let err: unknown = null;
    try {
      planRunMemory({ ...b16, batchSize: 320, recompute: false, worldSize: 2, backend: 'wasm' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('batch-size');
    expect((err as Error).message).toMatch(/To fix: lower --batch-size to (\d+) or less, or keep the global batch with more processes \(--nproc \d+ --batch-size \1\)/);
    // GPU memory is not known here: the tensorflow backend is not refused.
    expect(planRunMemory({ ...b16, batchSize: 320, recompute: false, worldSize: 2, backend: 'tensorflow' }).recomputeChosen).toBe(false);
  });
});

describe('a wasm abort', () => {
  it('becomes an out-of-memory error naming batch-size and the fixes', () => {
    for (const message of ['Aborted(). Build with -sASSERTIONS for more info.', 'memory access out of bounds']) {
      const raw = Object.assign(new Error(message), { name: 'RuntimeError' });
      const e = explainWasmAbort(raw, 'wasm') as ConfigError;
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.name).toBe('OutOfMemoryError');
      expect(e.field).toBe('batch-size');
      expect(e.message).toContain(`out of memory: the wasm backend's heap (at most 4.29 GB) ran out`);
      expect(e.message).toContain(`(wasm said: ${message})`);
      expect(e.message).toContain('Lower --batch-size, split the batch over more processes (--nproc), add --grad-checkpointing, or use --backend tensorflow');
    }
  });

  it('leaves other errors, and other backends, alone', () => {
    const other = new Error('loss is NaN');
    expect(explainWasmAbort(other, 'wasm')).toBe(other);
    const abort = new Error('Aborted()');
    expect(explainWasmAbort(abort, 'cpu')).toBe(abort);
  });
});
