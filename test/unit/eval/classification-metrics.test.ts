import { describe, expect, it } from 'vitest';
import { ClassificationAccumulator } from '../../../src-worker/eval/classification-metrics';

const rows = (...r: number[][]) => Float32Array.from(r.flat());

describe('ClassificationAccumulator', () => {
  // Six classes; class 1 has no images. Hand-ranked with ties broken by lower class id first.
  const logits = rows(
    [1, 1, 1, 0, 0, 0], // label 2: classes 0 and 1 tie ahead -> rank 2
    [1, 1, 1, 0, 0, 0], // label 0: first of the tie -> rank 0
    [0, 0, 0, 0, 0, 0], // label 5: all tied -> rank 5, outside the top 5
    [0, 0, 0, 0, 0, 0], // label 4: rank 4, inside the top 5
    [0.5, 0.9, 0.1, 0.7, 0.2, 0.3], // label 3: only 0.9 ahead -> rank 1
    [0, 1, 0, 0, 0, 0], // label 0: rank 1
  );
  const labels = Int32Array.from([2, 0, 5, 4, 3, 0]);

  it('counts top-1 and top-5 with ties as a strict top-k (lower class id first)', () => {
    const acc = new ClassificationAccumulator(6);
    acc.add(logits, labels, 6);
    const m = acc.result();
    expect(m.acc1).toBeCloseTo(1 / 6, 12);
    expect(m.acc5).toBeCloseTo(5 / 6, 12);
  });

  it('mean_per_class_recall averages over the classes present only (balanced accuracy)', () => {
    const acc = new ClassificationAccumulator(6);
    acc.add(logits, labels, 6);
    // class 0: 1 of 2 right; classes 2,3,4,5: 0 of 1; class 1 has no images and is left out.
    expect(acc.result().mean_per_class_recall).toBeCloseTo(0.5 / 5, 12);
  });

  it('gives the same metrics whether the images come in one batch or several', () => {
    const acc = new ClassificationAccumulator(6);
    acc.add(logits.subarray(0, 12), labels.subarray(0, 2), 2);
    acc.add(logits.subarray(12), labels.subarray(2), 4);
    const whole = new ClassificationAccumulator(6);
    whole.add(logits, labels, 6);
    expect(acc.result()).toEqual(whole.result());
    expect(acc.samples).toBe(6);
  });

  it('reports acc5 as null under 5 classes and as a number from 5', () => {
    const four = new ClassificationAccumulator(4);
    four.add(rows([0, 1, 0, 0], [3, 2, 1, 0]), Int32Array.from([1, 1]), 2);
    expect(four.result()).toEqual({ acc1: 0.5, acc5: null, mean_per_class_recall: 0.5 });
    const five = new ClassificationAccumulator(5);
    five.add(rows([0, 1, 0, 0, 0]), Int32Array.from([4]), 1);
    expect(five.result().acc5).toBe(1);
  });

  it('never counts a NaN logit for the label as a hit, and ranks other NaNs first', () => {
    const acc = new ClassificationAccumulator(3);
    acc.add(rows([NaN, 5, 1], [NaN, 5, 1]), Int32Array.from([0, 1]), 2);
    const m = acc.result();
    expect(m.acc1).toBe(0);
    expect(m.mean_per_class_recall).toBe(0);
  });

  it('rejects a label outside the class list, naming it', () => {
    const acc = new ClassificationAccumulator(3);
    expect(() => acc.add(rows([0, 0, 1]), Int32Array.from([3]), 1)).toThrow(/label 3 of image 0 is outside 0..2/);
  });

  it('refuses to report on zero images', () => {
    expect(() => new ClassificationAccumulator(3).result()).toThrow(/no images/);
  });
});
