/** The default name of a run: model and objective, e.g. `ViT-B-32-fastclip-v3-feature`. */
import path from 'node:path';
import type { TrainConfig } from '../../src-shared/config/train-config';

export function defaultRunName(c: TrainConfig): string {
  const objective = c.fastclip ? (c.temperatureScheme === 'individual_learnable' ? 'fastclip-v2' : c.temperatureScheme === 'global_constant' ? 'fastclip-v1' : c.multiplyTau ? 'fastclip-v3' : 'fastclip-v0') : 'infonce';
  const teacher = c.distillMode ? `-${c.distillMode}` : '';
  // A model given as a path to its JSON config is named by its file, not by the folder it sits in.
  const model = c.model.endsWith('.json') || c.model.includes('/') || c.model.includes(path.sep) ? path.basename(c.model).replace(/\.json$/i, '') : c.model;
  return `${model}-${objective}${teacher}`;
}
