/**
 * Streaming zero-shot classification metrics over batches of logits (CLIP_benchmark / DataComp):
 * acc1, acc5 (null under 5 classes) and mean_per_class_recall, which is sklearn's balanced accuracy of
 * the argmax: the mean over classes that occur in the labels of the fraction predicted right; a class
 * with no samples is left out of the mean. Ties follow ranking.ts.
 */
import { rankOfTarget } from './ranking';
import type { Metrics } from './types';

export class ClassificationAccumulator {
  private count = 0;
  private hits1 = 0;
  private hits5 = 0;
  private readonly perClassTotal: Float64Array;
  private readonly perClassCorrect: Float64Array;

  constructor(readonly numClasses: number) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`classification: need at least one class, got ${numClasses}`);
    this.perClassTotal = new Float64Array(numClasses);
    this.perClassCorrect = new Float64Array(numClasses);
  }

  /** logits: [n, numClasses] row-major; labels: [n] class ids. */
  add(logits: Float32Array, labels: Int32Array, n: number): void {
    const C = this.numClasses;
    if (logits.length !== n * C) throw new Error(`classification: expected ${n} x ${C} logits, got ${logits.length} values`);
    if (labels.length < n) throw new Error(`classification: batch of ${n} images came with ${labels.length} labels`);
    for (let i = 0; i < n; i++) {
      const label = labels[i]!;
      if (!(label >= 0 && label < C)) {
        throw new Error(`classification: label ${label} of image ${this.count + i} is outside 0..${C - 1}; the class names list has ${C} entries`);
      }
      const rank = rankOfTarget(logits, i * C, C, label);
      if (rank < 1) this.hits1++;
      if (rank < 5) this.hits5++;
      this.perClassTotal[label] = this.perClassTotal[label]! + 1;
      // Rank 0 means the label is the argmax (the first maximum on ties).
      if (rank === 0) this.perClassCorrect[label] = this.perClassCorrect[label]! + 1;
    }
    this.count += n;
  }

  get samples(): number {
    return this.count;
  }

  result(): Metrics {
    if (this.count === 0) throw new Error('classification: the dataset produced no images');
    let recallSum = 0;
    let present = 0;
    for (let c = 0; c < this.numClasses; c++) {
      const total = this.perClassTotal[c]!;
      if (total > 0) {
        recallSum += this.perClassCorrect[c]! / total;
        present++;
      }
    }
    return {
      acc1: this.hits1 / this.count,
      acc5: this.numClasses >= 5 ? this.hits5 / this.count : null,
      mean_per_class_recall: recallSum / present,
    };
  }
}
