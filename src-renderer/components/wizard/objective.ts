/**
 * The objective step offers the named FastCLIP versions instead of three raw flags. The mapping is the
 * FastCLIP README's: v0 = global_learnable, v1 = global_constant, v2 = individual_learnable,
 * v3 = global_learnable + multiply_tau (RGCL-g, the reference paper's setting); InfoNCE = no --fastclip.
 */
export type ObjectiveVariant = 'infonce' | 'v0' | 'v1' | 'v2' | 'v3';

export interface ObjectiveFlags { fastclip: boolean; temperatureScheme: string; multiplyTau: boolean }

export const OBJECTIVES: readonly { id: ObjectiveVariant; title: string; description: string }[] = [
  { id: 'infonce', title: 'CLIP InfoNCE', description: 'Mini-batch contrastive loss, as open_clip.' },
  { id: 'v0', title: 'FastCLIP v0', description: 'Global contrastive loss, learnable global temperature.' },
  { id: 'v1', title: 'FastCLIP v1', description: 'GCL with a constant temperature (SogCLR with a cosine gamma).' },
  { id: 'v2', title: 'FastCLIP v2', description: 'RGCL: individual learnable temperatures (iSogCLR).' },
  { id: 'v3', title: 'FastCLIP v3', description: 'RGCL-g: learnable global temperature with multiply_tau (the reference paper\'s setup).' },
];

export function objectiveFlags(v: ObjectiveVariant): ObjectiveFlags {
  switch (v) {
    case 'infonce': return { fastclip: false, temperatureScheme: 'global_learnable', multiplyTau: false };
    case 'v0': return { fastclip: true, temperatureScheme: 'global_learnable', multiplyTau: false };
    case 'v1': return { fastclip: true, temperatureScheme: 'global_constant', multiplyTau: false };
    case 'v2': return { fastclip: true, temperatureScheme: 'individual_learnable', multiplyTau: false };
    case 'v3': return { fastclip: true, temperatureScheme: 'global_learnable', multiplyTau: true };
  }
}

/** The variant a set of flags means; flags no variant produces (e.g. v1 + multiply_tau) fall back to the closest one by scheme. */
export function objectiveOf(f: ObjectiveFlags): ObjectiveVariant {
  if (!f.fastclip) return 'infonce';
  if (f.temperatureScheme === 'global_constant') return 'v1';
  if (f.temperatureScheme === 'individual_learnable') return 'v2';
  return f.multiplyTau ? 'v3' : 'v0';
}

/**
 * Whether an objective-step option matters for a variant; the step hides the others. InfoNCE uses none
 * of them (the initial temperature applies only with --fastclip); rho is the RGCL regulariser (v2, v3).
 */
export function objectiveUses(v: ObjectiveVariant, key: string): boolean {
  if (v === 'infonce') return false;
  if (key === 'rho') return v === 'v2' || v === 'v3';
  return true;
}
