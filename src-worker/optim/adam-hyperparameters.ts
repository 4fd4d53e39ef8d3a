/**
 * AdamW betas and eps. open_clip picks them from the model name: a name containing "vit" gets
 * (0.9, 0.98) and eps 1e-6, any other (0.9, 0.999) and 1e-8 (docs/design/algorithms.md#adamw). Our small configs
 * (clip-tiny-*, clip-small-*) are ViTs whose names lack "vit", so the ViT values are the default for
 * every config here; `seedAdamDefaults` keeps the name rule for reproducing a seed command exactly.
 */
export interface AdamHyperparameters {
  beta1: number;
  beta2: number;
  eps: number;
}

export const VIT_ADAM: Readonly<AdamHyperparameters> = { beta1: 0.9, beta2: 0.98, eps: 1e-6 };
export const OTHER_ADAM: Readonly<AdamHyperparameters> = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** open_clip's rule, by the model name alone. */
export function seedAdamDefaults(modelName: string): AdamHyperparameters {
  return { ...(modelName.toLowerCase().includes('vit') ? VIT_ADAM : OTHER_ADAM) };
}

/** The ViT values unless the user gave --beta1/--beta2/--eps; validated. */
export function adamHyperparameters(overrides: Partial<AdamHyperparameters> = {}): AdamHyperparameters {
  const h = { ...VIT_ADAM, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) } as AdamHyperparameters;
  for (const k of ['beta1', 'beta2'] as const) {
    if (!(h[k] >= 0 && h[k] < 1)) throw new RangeError(`${k}: must be in [0, 1), got ${h[k]}`);
  }
  if (!(h.eps > 0)) throw new RangeError(`eps: must be > 0, got ${h.eps}`);
  return h;
}
