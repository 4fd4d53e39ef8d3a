/**
 * AdamW with torch.optim.AdamW's update, in place on tf.Variables (ALGORITHMS §3). Per parameter with a
 * gradient (parameters without one are skipped, as torch skips a None grad):
 *   step += 1
 *   p ← p·(1 − lr·wd)                                  (decoupled weight decay, first)
 *   m ← m + (1 − β1)·(g − m)                           (torch's lerp)
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^step)) · m / (√v / √(1 − β2^step) + eps)   (eps after the bias correction, as torch)
 * The step count is per parameter, as in torch's state.
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
  m: tf.Variable;
  v: tf.Variable;
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
   * parameter name. The gradients are not disposed.
   */
  step(grads: Readonly<Record<string, tf.Tensor>>): void {
    const { beta1, beta2, eps } = this.hyper;
    for (const group of this.groups) {
      for (const p of group.params) {
        const g = grads[p.variable.name] ?? grads[p.name];
        if (!g) continue;
        if (g.size !== p.variable.size) throw new Error(`gradient of ${p.name} has ${g.size} values, the parameter ${p.variable.size}`);
        const st = this.momentsOf(p);
        st.step += 1;
        const lr = group.lr;
        const wd = group.weightDecay;
        const stepSize = lr / (1 - beta1 ** st.step);
        const correction2Sqrt = Math.sqrt(1 - beta2 ** st.step);
        tf.tidy(() => {
          const grad = g.shape.length === p.variable.shape.length ? g : tf.reshape(g, p.variable.shape);
          const decayed = wd !== 0 ? tf.mul(p.variable, 1 - lr * wd) : p.variable;
          const m = tf.add(st.m, tf.mul(tf.sub(grad, st.m), 1 - beta1));
          const v = tf.add(tf.mul(st.v, beta2), tf.mul(tf.square(grad), 1 - beta2));
          const denom = tf.add(tf.div(tf.sqrt(v), correction2Sqrt), eps);
          st.m.assign(m);
          st.v.assign(v);
          p.variable.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), stepSize)));
        });
      }
    }
  }

  private momentsOf(p: NamedParameter): Moments {
    let st = this.moments.get(p.name);
    if (!st) {
      // Inside tidy: tf.variable shares the initial tensor's buffer, which would otherwise stay allocated.
      st = { step: 0, m: tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)), v: tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)) };
      this.moments.set(p.name, st);
    }
    return st;
  }

  stateDict(): AdamWStateDict {
    const params: Record<string, AdamWParamState> = {};
    for (const [name, st] of this.moments) {
      params[name] = { step: st.step, exp_avg: st.m.dataSync().slice() as Float32Array, exp_avg_sq: st.v.dataSync().slice() as Float32Array };
    }
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
    this.disposeMoments();
    for (const [p, s] of checked) {
      this.moments.set(p.name, {
        step: s.step,
        m: tf.tidy(() => tf.variable(tf.tensor(s.exp_avg, p.variable.shape), false)),
        v: tf.tidy(() => tf.variable(tf.tensor(s.exp_avg_sq, p.variable.shape), false)),
      });
    }
  }

  private disposeMoments(): void {
    for (const st of this.moments.values()) { st.m.dispose(); st.v.dispose(); }
    this.moments.clear();
  }

  dispose(): void { this.disposeMoments(); }
}
