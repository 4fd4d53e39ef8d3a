/**
 * AdamW parameter groups from open_clip parameter names, exactly as the reference paper's code builds them
 * (docs/design/algorithms.md#parameter-groups):
 *   1. gain_or_bias: (ndim < 2 and not the logit scale) or the name contains `bn`, `ln` or `bias` → no weight decay
 *   2. rest: everything else except the logit scale → weight decay --wd
 *   3. logit_scale: the name contains `logit_scale` → no weight decay, learning rate --lr_tau
 * Frozen parameters are left out. The three groups always exist, in this order, as in torch
 * (the logit-scale group is empty when the scale is frozen; LR_tau is read from the last group).
 */
import type * as tf from '@tensorflow/tfjs';

export interface NamedParameter {
  /** open_clip name, e.g. `visual.transformer.resblocks.0.attn.in_proj_weight`. */
  name: string;
  variable: tf.Variable;
}

export type ParamGroupName = 'gain_or_bias' | 'rest' | 'logit_scale';

export interface ParamGroup {
  name: ParamGroupName;
  params: NamedParameter[];
  /** Current learning rate; the schedules set it every step. */
  lr: number;
  weightDecay: number;
}

export interface ParamGroupOptions {
  lr: number;
  /** --lr_tau; -1 (the reference paper's default) means the same as lr. */
  lrTau: number;
  /** --wd. */
  weightDecay: number;
  /** Extra freezing rule (e.g. a locked text tower); a variable with trainable = false is always left out. */
  isFrozen?: (name: string) => boolean;
}

export const isLogitScale = (name: string): boolean => name.includes('logit_scale');

export function isGainOrBias(name: string, ndim: number): boolean {
  return (ndim < 2 && !isLogitScale(name)) || name.includes('bn') || name.includes('ln') || name.includes('bias');
}

export function groupOf(name: string, ndim: number): ParamGroupName {
  if (isGainOrBias(name, ndim)) return 'gain_or_bias';
  return isLogitScale(name) ? 'logit_scale' : 'rest';
}

export function buildParamGroups(params: readonly NamedParameter[], o: ParamGroupOptions): ParamGroup[] {
  if (!(o.lr > 0)) throw new RangeError(`lr: must be > 0, got ${o.lr}`);
  if (!(o.lrTau > 0 || o.lrTau === -1)) throw new RangeError(`lr_tau: must be > 0, or -1 for the same as --lr; got ${o.lrTau}`);
  if (!(o.weightDecay >= 0)) throw new RangeError(`wd: must be >= 0, got ${o.weightDecay}`);
  const groups: Record<ParamGroupName, ParamGroup> = {
    gain_or_bias: { name: 'gain_or_bias', params: [], lr: o.lr, weightDecay: 0 },
    rest: { name: 'rest', params: [], lr: o.lr, weightDecay: o.weightDecay },
    logit_scale: { name: 'logit_scale', params: [], lr: o.lrTau === -1 ? o.lr : o.lrTau, weightDecay: 0 },
  };
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name)) throw new Error(`parameter ${p.name} is listed twice`);
    seen.add(p.name);
    if (!p.variable.trainable || o.isFrozen?.(p.name)) continue;
    groups[groupOf(p.name, p.variable.rank)].params.push(p);
  }
  return [groups.gain_or_bias, groups.rest, groups.logit_scale];
}
