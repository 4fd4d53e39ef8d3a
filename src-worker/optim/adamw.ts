/**
 * AdamW with torch.optim.AdamW's update, in place on tf.Variables. Per parameter with a gradient
 * (parameters without one are skipped, as torch skips a None grad):
 *   step += 1
 *   p ← p·(1 − lr·wd)                                  (decoupled weight decay, first)
 *   m ← m + (1 − β1)·(g − m)                           (torch's lerp)
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^step)) · m / (√v / √(1 − β2^step) + eps)   (eps after the bias correction, as torch)
 * The step count is per parameter, as in torch's state.
 *
 * Memory: the moments are plain Float32Arrays in the JS heap, updated in place, not tensors, so they do
 * not count against the wasm backend's 4 GiB heap (for ViT-B/16 they are 1.2 GB). Each parameter is
 * updated in one pass over its values, read through views of the backend's buffers (see updateTarget).
 * With `disposeGrads` each gradient is freed as soon as it has been applied, so gradients and updates
 * never all exist at once.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamHyperparameters } from './adam-hyperparameters';
import type { NamedParameter, ParamGroup } from './param-groups';

export interface AdamWParamState {
  step: number;
  exp_avg: Float32Array;
  exp_avg_sq: Float32Array;
}

/** Keyed by the parameter's open_clip name. */
export interface AdamWStateDict {
  params: Record<string, AdamWParamState>;
}

interface Moments {
  step: number;
  m: Float32Array;
  v: Float32Array;
}

export interface AdamWStepOptions {
  /** Free each gradient right after it is applied (the trainer does; the default leaves them to the caller). */
  disposeGrads?: boolean;
  /** Multiplies every gradient (gradient clipping's coefficient), without a scaled copy. */
  gradScale?: number;
}

/** Backends whose tensor buffers can be read (and on cpu written) where they are. */
interface HeapBackend {
  typedArrayFromHeap?(info: tf.TensorInfo): tf.backend_util.TypedArray;
  makeOutput?(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  refCount?(dataId: tf.DataId): number;
  data?: { get(dataId: tf.DataId): { values?: unknown } | undefined };
}

/** A view of a float32 tensor's buffer in the wasm heap, or null. Views die when the heap grows: take them after allocating. */
function heapView(be: HeapBackend, t: tf.Tensor): Float32Array | null {
  if (t.dtype !== 'float32' || typeof be.typedArrayFromHeap !== 'function') return null;
  const view = be.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
  return view instanceof Float32Array && view.length === t.size ? view : null;
}

/**
 * Where the update of one parameter is written, and how it becomes the variable's value:
 *  - wasm: a fresh buffer in the heap, filled directly and swapped in. Not the variable's own buffer:
 *    the wasm backend caches XNNPACK operators with their packed weights by tensor id and drops them
 *    only when the tensor is disposed, so a weight written in place would be multiplied stale.
 *  - cpu: the variable's own values array (no such caches), when no other tensor shares it.
 *  - others: a JS array, uploaded and assigned.
 * The old values and the gradient are read through views where the backend allows (no copies).
 */
function updateTarget(p: tf.Variable, g: tf.Tensor | Float32Array): { src: Float32Array; grad: Float32Array; dst: Float32Array; commit(): void } {
  const name = tf.getBackend();
  const be = tf.backend() as unknown as HeapBackend;
  if (name === 'wasm' && typeof be.makeOutput === 'function' && p.dtype === 'float32') {
    const info = be.makeOutput([...p.shape], 'float32');
    // Views after the allocation, which may have grown (and so detached) the heap.
    const dst = be.typedArrayFromHeap!(info) as Float32Array;
    const src = heapView(be, p);
    const grad = g instanceof Float32Array ? g : heapView(be, g);
    if (src && grad) {
      return {
        src, grad, dst,
        commit: () => {
          const t = tf.engine().makeTensorFromTensorInfo(info);
          p.assign(t);
          t.dispose(); // the variable keeps the data
        },
      };
    }
    tf.engine().makeTensorFromTensorInfo(info).dispose();
  }
  if (name === 'cpu' && be.data && (typeof be.refCount !== 'function' || be.refCount(p.dataId) === 1)) {
    const values = be.data.get(p.dataId)?.values;
    if (values instanceof Float32Array && values.length === p.size) {
      return { src: values, grad: g instanceof Float32Array ? g : (g.dataSync() as Float32Array), dst: values, commit: () => undefined };
    }
  }
  const src = p.dataSync() as Float32Array;
  const dst = new Float32Array(p.size);
  return {
    src, grad: g instanceof Float32Array ? g : (g.dataSync() as Float32Array), dst,
    commit: () => {
      const t = tf.tensor(dst, p.shape, 'float32');
      p.assign(t);
      t.dispose();
    },
  };
}

export class AdamW {
  private readonly moments = new Map<string, Moments>();
  private readonly byName = new Map<string, NamedParameter>();

  constructor(readonly groups: ParamGroup[], readonly hyper: AdamHyperparameters) {
    for (const g of groups) {
      for (const p of g.params) {
        if (this.byName.has(p.name)) throw new Error(`parameter ${p.name} is in two parameter groups`);
        this.byName.set(p.name, p);
      }
    }
  }

  /** Sets the learning rate of a group (the schedules call this every step). */
  setLearningRate(group: ParamGroup['name'], lr: number): void {
    if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`learning rate of ${group}: must be a finite number >= 0, got ${lr}`);
    for (const g of this.groups) if (g.name === group) g.lr = lr;
  }

  /**
   * One update. `grads` is keyed by the tf.Variable name (what tf.variableGrads returns) or by the
   * parameter name; a gradient is a tensor or plain values (an all-reduced buffer). Tensors are disposed
   * only with `disposeGrads`.
   */
  step(grads: Record<string, tf.Tensor | Float32Array>, options: AdamWStepOptions = {}): void {
    const { beta1, beta2, eps } = this.hyper;
    const scale = options.gradScale ?? 1;
    if (!Number.isFinite(scale)) throw new RangeError(`gradient scale must be finite, got ${scale}`);
    for (const group of this.groups) {
      for (const p of group.params) {
        const key = grads[p.variable.name] ? p.variable.name : p.name;
        const g = grads[key];
        if (!g) continue;
        const gSize = g instanceof Float32Array ? g.length : g.size;
        if (gSize !== p.variable.size) throw new Error(`gradient of ${p.name} has ${gSize} values, the parameter ${p.variable.size}`);
        const st = this.momentsOf(p);
        st.step += 1;
        const lr = group.lr;
        const decay = 1 - lr * group.weightDecay;
        const stepSize = lr / (1 - beta1 ** st.step);
        const correction2Sqrt = Math.sqrt(1 - beta2 ** st.step);
        const target = updateTarget(p.variable, g);
        const { src, grad, dst } = target;
        const { m, v } = st;
        const b1 = 1 - beta1;
        const b2 = 1 - beta2;
        for (let i = 0; i < dst.length; i++) {
          const gi = grad[i]! * scale;
          const mi = m[i]! + b1 * (gi - m[i]!);
          const vi = beta2 * v[i]! + b2 * gi * gi;
          m[i] = mi;
          v[i] = vi;
          dst[i] = src[i]! * decay - stepSize * (mi / (Math.sqrt(vi) / correction2Sqrt + eps));
        }
        target.commit();
        if (options.disposeGrads) {
          if (!(g instanceof Float32Array)) g.dispose();
          delete grads[key];
        }
      }
    }
  }

  private momentsOf(p: NamedParameter): Moments {
    let st = this.moments.get(p.name);
    if (!st) {
      st = { step: 0, m: new Float32Array(p.variable.size), v: new Float32Array(p.variable.size) };
      this.moments.set(p.name, st);
    }
    return st;
  }

  /** Bytes the moments take (outside any tensor backend's memory). */
  get momentBytes(): number {
    let n = 0;
    for (const st of this.moments.values()) n += st.m.byteLength + st.v.byteLength;
    return n;
  }

  /**
   * The state for a checkpoint. The arrays are the optimiser's own (no copy of 2x the model): write them
   * out before the next step, or copy them to keep them.
   */
  stateDict(): AdamWStateDict {
    const params: Record<string, AdamWParamState> = {};
    for (const [name, st] of this.moments) params[name] = { step: st.step, exp_avg: st.m, exp_avg_sq: st.v };
    return { params };
  }

  /** Restores `stateDict()`; every entry must name a parameter of these groups with the same size. */
  loadStateDict(state: AdamWStateDict): void {
    if (typeof state !== 'object' || state === null || typeof state.params !== 'object' || state.params === null) {
      throw new TypeError('optimizer state: expected { params: { <name>: { step, exp_avg, exp_avg_sq } } }');
    }
    const checked: [NamedParameter, AdamWParamState][] = [];
    for (const [name, s] of Object.entries(state.params)) {
      const p = this.byName.get(name);
      if (!p) throw new Error(`optimizer state: "${name}" is not a trainable parameter of this model; was the checkpoint written with other frozen parts or another model?`);
      if (!Number.isInteger(s.step) || s.step < 0) throw new RangeError(`optimizer state: "${name}".step must be a whole number >= 0, got ${s.step}`);
      for (const k of ['exp_avg', 'exp_avg_sq'] as const) {
        if (!(s[k] instanceof Float32Array) || s[k].length !== p.variable.size) {
          throw new RangeError(`optimizer state: "${name}".${k} must be a Float32Array of ${p.variable.size} values`);
        }
      }
      checked.push([p, s]);
    }
    this.moments.clear();
    for (const [p, s] of checked) this.moments.set(p.name, { step: s.step, m: s.exp_avg.slice(), v: s.exp_avg_sq.slice() });
  }

  /** Drops the moments (they are garbage-collected JS memory, no tensors). */
  dispose(): void { this.moments.clear(); }
}
