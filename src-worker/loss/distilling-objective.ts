/**
 * A contrastive objective plus a distillation term, combined as (1 − w)·C + w·D (the reference paper's
 * FastCLIPDistillLoss): one call per step inside the differentiated function, logging
 * contrastive_loss (C, already multiplied by τ under --multiply_tau), distill_loss (D) and loss.
 */
import * as tf from '@tensorflow/tfjs';
import type { Communicator } from '../dist/communicator';
import { checkDistillWeight, combineLosses, distillLoss, type DistillMode } from './distill';
import type { Objective, ObjectiveKind, ObjectiveState, ObjectiveStepInput } from './types';

export class DistillingObjective implements Objective {
  readonly kind: ObjectiveKind;
  readonly logitScaleTrainable: boolean;
  private lastLogs: Record<string, number> = {};

  constructor(
    private readonly inner: Objective,
    readonly mode: DistillMode,
    readonly weight: number,
    private readonly comm: Communicator,
    private readonly teacherScale?: number,
  ) {
    checkDistillWeight(weight);
    this.kind = inner.kind;
    this.logitScaleTrainable = inner.logitScaleTrainable;
  }

  get gamma(): number | null { return this.inner.gamma; }
  get logs(): Readonly<Record<string, number>> { return this.lastLogs; }
  startEpoch(epoch: number): void { this.inner.startEpoch(epoch); }

  step(input: ObjectiveStepInput): tf.Scalar {
    const t1 = input.teacherImageFeatures;
    const t2 = input.teacherTextFeatures;
    if (!t1 || !t2) throw new Error('distillation: teacherImageFeatures and teacherTextFeatures are required at every step');
    let distillValue = NaN;
    const total = tf.tidy(() => {
      const c = this.inner.step(input);
      const d = distillLoss(this.mode, {
        imageFeatures: input.imageFeatures, textFeatures: input.textFeatures, theta: input.theta,
        teacherImageFeatures: t1, teacherTextFeatures: t2, teacherScale: this.teacherScale,
      }, this.comm);
      distillValue = d.dataSync()[0]!;
      return combineLosses(c, d, this.weight);
    });
    this.lastLogs = { ...this.inner.logs, distill_loss: distillValue, loss: total.dataSync()[0]! };
    return total;
  }

  stateDict(): ObjectiveState { return this.inner.stateDict(); }
  loadStateDict(state: ObjectiveState): void { this.inner.loadStateDict(state); }
  dispose(): void { this.inner.dispose(); }
}
