/**
 * The reference (teacher) model: frozen, forward only, run on the student's augmented images and tokens
 * (as the reference paper's code does), outside the gradient tape so nothing is recorded for backprop.
 * Loading from the three sources and --init-from-distilled live in ../teacher/.
 */
import * as tf from '@tensorflow/tfjs';
import { isDistilling, type TrainConfig } from '../../src-shared/config/train-config';
import type { TrainSetup } from './setup';
import type { TrainerHooks } from '../hooks';
import { clipForward, type ClipConfig, type TensorMap } from '../model';

export interface Teacher {
  cfg: ClipConfig;
  /** L2-normalised teacher features of a batch; the caller disposes them. */
  encode(images: tf.Tensor4D, tokens: tf.Tensor2D): { image: tf.Tensor2D; text: tf.Tensor2D };
  dispose(): void;
}

export async function loadTeacher(config: TrainConfig, s: TrainSetup, dataDir: string, hooks: TrainerHooks): Promise<Teacher | null> {
  if (!isDistilling(config)) return null;
  // Loaded only when distilling: most runs never need the weight-format converters.
  const { loadReferenceModel, initStudentFromTeacher } = await import('../teacher');
  const ref = await loadReferenceModel({ model: config.distillModel!, pretrained: config.distillPretrained!, dataDir, student: s.cfg, studentTokenizer: s.tokenizer });
  hooks.log('info', `teacher ${ref.cfg.name} from ${ref.source}${ref.cfg.quickGelu ? ' (QuickGELU)' : ''}`);
  for (const note of ref.notes) hooks.log('info', `teacher: ${note}`);
  const params: TensorMap = ref.params;
  if (config.initFromDistilled && !s.resumedFrom) {
    const report = initStudentFromTeacher(s.model, ref.stateDict);
    hooks.log('info', `init from teacher: copied ${report.copied.length} of ${report.total} tensors` +
      (report.skipped.length > 0 ? `; skipped (shape differs): ${report.skipped.join(', ')}` : ''));
  }
  // The host copy of the weights (577 MiB for ViT-B/32) is needed only for the init above.
  ref.releaseStateDict();
  return {
    cfg: ref.cfg,
    encode(images, tokens) {
      return tf.tidy(() => {
        const out = clipForward(params, ref.cfg, images, tokens);
        return { image: out.imageFeatures, text: out.textFeatures };
      });
    },
    dispose() { ref.dispose(); },
  };
}
