/**
 * CLIP as open_clip builds it: both towers, L2-normalised features and the logit scale exp(θ).
 *
 * Two forms over the same functions: `ClipModel` holds tf.Variables (trainable per parameter, for the
 * student), and the free functions take any name → tensor map (plain tensors for a frozen teacher: no
 * variables, so nothing it computes is a gradient target). Run a teacher before, not inside, the
 * closure given to tf.variableGrads: inside it tfjs records every op for backprop, variables or not.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClipConfig } from './config';
import { initStateDict } from './init';
import { need, type TensorMap } from './layers';
import { clipParamSpecs, type ParamSpec } from './param-spec';
import { assertStateDictMatches, matchStateDict, stripModulePrefix, StateDictError, type StateDict, type StateDictMatch } from './state-dict';
import { encodeImage } from './vision';
import { encodeText } from './text';

export { encodeImage } from './vision';
export { encodeText } from './text';

export interface ClipOutputs {
  /** [batch, embed_dim], unit rows. */
  imageFeatures: tf.Tensor2D;
  /** [batch, embed_dim], unit rows. */
  textFeatures: tf.Tensor2D;
  /** exp(logit_scale), a scalar. */
  logitScale: tf.Scalar;
}

/** Row-wise x / max(‖x‖, 1e-12), as torch.nn.functional.normalize. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-24))));
}

export function clipForward(params: TensorMap, cfg: ClipConfig, images: tf.Tensor4D, tokens: tf.Tensor2D): ClipOutputs {
  return tf.tidy(() => ({
    imageFeatures: l2Normalize(encodeImage(params, cfg, images)),
    textFeatures: l2Normalize(encodeText(params, cfg, tokens)),
    logitScale: tf.exp(need(params, 'logit_scale')) as tf.Scalar,
  }));
}

/** Plain (non-variable) tensors from a state dict, e.g. a teacher's weights. Shapes are checked. */
export function paramsFromStateDict(cfg: ClipConfig, stateDict: StateDict, source = 'state dict'): Record<string, tf.Tensor> {
  const sd = stripModulePrefix(stateDict);
  const specs = clipParamSpecs(cfg);
  assertStateDictMatches(specs, sd, source);
  const out: Record<string, tf.Tensor> = {};
  for (const s of specs) out[s.name] = tf.tensor(sd.get(s.name)!.data, s.shape, 'float32');
  return out;
}

export function disposeParams(params: TensorMap): void {
  for (const t of Object.values(params)) t.dispose();
}

/** Which parameters belong to a tower, for freezing (`--lock-text`, `--lock-image`, `--lock-logit-scale`). */
export const isTextTowerParam = (name: string): boolean => !name.startsWith('visual.') && name !== 'logit_scale';
export const isVisionTowerParam = (name: string): boolean => name.startsWith('visual.');

export interface LoadOptions {
  /**
   * true (default): every parameter must be present with its shape, and nothing else.
   * false: copy what matches, leave the rest as it is, and report (init from a teacher of another patch size).
   */
  strict?: boolean;
}

let modelCounter = 0;

export class ClipModel {
  readonly config: ClipConfig;
  readonly specs: readonly ParamSpec[];
  /** open_clip name → variable, in state_dict order. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  private readonly paramView: Record<string, tf.Tensor>;
  private disposed = false;

  private constructor(cfg: ClipConfig, stateDict: StateDict) {
    this.config = cfg;
    this.specs = clipParamSpecs(cfg);
    assertStateDictMatches(this.specs, stateDict, `weights for ${cfg.name}`);
    // tfjs variable names are global to the engine: a per-model prefix lets a student and a teacher
    // (or two test models) coexist.
    const id = `clip${modelCounter++}`;
    const vars = new Map<string, tf.Variable>();
    for (const s of this.specs) {
      const t = stateDict.get(s.name)!;
      vars.set(s.name, tf.tidy(() => tf.variable(tf.tensor(t.data, s.shape, 'float32'), true, `${id}/${s.name}`)));
    }
    this.variables = vars;
    this.paramView = Object.fromEntries(vars);
  }

  /** A freshly initialised model (open_clip's init), deterministic in `seed`. */
  static create(cfg: ClipConfig, seed: number): ClipModel {
    return new ClipModel(cfg, initStateDict(cfg, seed));
  }

  /** A model holding the given weights; every parameter must be present with its shape. */
  static fromStateDict(cfg: ClipConfig, stateDict: StateDict): ClipModel {
    return new ClipModel(cfg, stripModulePrefix(stateDict));
  }

  /** The variables as a name → tensor map, for the functional forms. */
  get params(): TensorMap {
    this.assertAlive();
    return this.paramView;
  }

  encodeImage(images: tf.Tensor4D): tf.Tensor2D {
    return encodeImage(this.params, this.config, images);
  }

  encodeText(tokens: tf.Tensor2D): tf.Tensor2D {
    return encodeText(this.params, this.config, tokens);
  }

  forward(images: tf.Tensor4D, tokens: tf.Tensor2D): ClipOutputs {
    return clipForward(this.params, this.config, images, tokens);
  }

  /** Sets the trainable flag of every parameter whose name passes `select`. */
  setTrainable(select: (name: string) => boolean, trainable: boolean): void {
    for (const [name, v] of this.variables) if (select(name)) v.trainable = trainable;
  }

  isTrainable(name: string): boolean {
    const v = this.variables.get(name);
    if (!v) throw new Error(`model ${this.config.name} has no parameter ${name}`);
    return v.trainable;
  }

  /** Trainable variables by open_clip name (what the optimiser updates). */
  trainableVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, v] of this.variables) if (v.trainable) out.set(name, v);
    return out;
  }

  /** All weights as host arrays by open_clip name (PyTorch layouts), in state_dict order. */
  async exportStateDict(): Promise<StateDict> {
    this.assertAlive();
    const sd: StateDict = new Map();
    for (const s of this.specs) {
      const data = (await this.variables.get(s.name)!.data()) as Float32Array;
      sd.set(s.name, { shape: [...s.shape], data });
    }
    return sd;
  }

  /**
   * Copies weights in. Strict by default (see LoadOptions). `module.` prefixes are stripped. Returns what
   * was matched, missing, unexpected and skipped for a shape mismatch.
   */
  loadStateDict(stateDict: StateDict, options: LoadOptions = {}): StateDictMatch {
    this.assertAlive();
    const sd = stripModulePrefix(stateDict);
    if (options.strict ?? true) assertStateDictMatches(this.specs, sd, 'state dict');
    const match = matchStateDict(this.specs, sd);
    for (const name of match.matched) {
      const t = sd.get(name)!;
      if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) {
        throw new StateDictError(`state dict tensor ${name}: ${t.data.length} values for shape [${t.shape.join(', ')}]`);
      }
      const v = this.variables.get(name)!;
      tf.tidy(() => v.assign(tf.tensor(t.data, v.shape, 'float32')));
    }
    return match;
  }

  dispose(): void {
    if (this.disposed) return;
    for (const v of this.variables.values()) v.dispose();
    this.disposed = true;
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error(`model ${this.config.name} was disposed`);
  }
}
