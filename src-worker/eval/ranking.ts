/**
 * The tie rule shared by classification and retrieval metrics, that of a strict top-k: candidates are
 * ordered by score, descending, and equal scores by index, ascending (the order tf.topk documents and a
 * stable sort gives). An item is in the top k when fewer than k candidates precede it. NaN scores rank
 * above every number, as in torch.topk; a target whose own score is NaN is never a hit, so a diverged
 * model scores zero instead of a perfect recall.
 */

/** How many candidates of row `scores[offset .. offset+length)` precede candidate `target`; Infinity if its score is NaN. */
export function rankOfTarget(scores: Float32Array, offset: number, length: number, target: number): number {
  const t = scores[offset + target]!;
  if (Number.isNaN(t)) return Infinity;
  let ahead = 0;
  // `!(v < t)` is v >= t or NaN (lower index wins ties); `!(v <= t)` is v > t or NaN.
  for (let i = 0; i < target; i++) if (!(scores[offset + i]! < t)) ahead++;
  for (let i = target + 1; i < length; i++) if (!(scores[offset + i]! <= t)) ahead++;
  return ahead;
}

/** True when `v` ranks strictly above `w` for a candidate that arrives later (a higher index). */
function beats(v: number, w: number): boolean {
  if (Number.isNaN(v)) return !Number.isNaN(w);
  return v > w;
}

/**
 * The top k rows of every column of a score matrix that arrives in row chunks, in increasing row order.
 * Used for text retrieval (for each image, the best captions) without holding the whole matrix.
 */
export class ColumnTopK {
  readonly scores: Float32Array;
  readonly rows: Int32Array;
  private readonly filled: Int32Array;
  /** The k-th best score of each column once it holds k rows; -Infinity before. */
  private readonly threshold: Float32Array;

  constructor(
    readonly columns: number,
    readonly k: number,
  ) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`ColumnTopK: k must be a positive integer, got ${k}`);
    this.scores = new Float32Array(columns * k);
    this.rows = new Int32Array(columns * k).fill(-1);
    this.filled = new Int32Array(columns);
    this.threshold = new Float32Array(columns).fill(-Infinity);
  }

  /** Offers `count` rows of a [count, columns] row-major chunk whose first row has index `firstRow`. */
  offer(chunk: Float32Array, count: number, firstRow: number): void {
    const { columns, k, filled, threshold } = this;
    for (let r = 0; r < count; r++) {
      const base = r * columns;
      for (let c = 0; c < columns; c++) {
        const v = chunk[base + c]!;
        const thr = threshold[c]!;
        // Fast path: most scores are below the column's k-th best.
        if (v > thr || filled[c]! < k || (Number.isNaN(v) && !Number.isNaN(thr))) this.insert(c, v, firstRow + r);
      }
    }
  }

  private insert(c: number, v: number, row: number): void {
    const { k, scores, rows, filled, threshold } = this;
    const base = c * k;
    const n = filled[c]!;
    if (n === k && !beats(v, scores[base + k - 1]!)) return;
    let pos = n < k ? n : k - 1;
    while (pos > 0 && beats(v, scores[base + pos - 1]!)) {
      scores[base + pos] = scores[base + pos - 1]!;
      rows[base + pos] = rows[base + pos - 1]!;
      pos--;
    }
    scores[base + pos] = v;
    rows[base + pos] = row;
    if (n < k) filled[c] = n + 1;
    if (filled[c] === k) threshold[c] = scores[base + k - 1]!;
  }

  /** 0-based rank of the first row of column `c` for which `isTarget` holds (and whose score is not NaN); Infinity if none is in the top k. */
  firstRank(c: number, isTarget: (row: number) => boolean): number {
    const base = c * this.k;
    const n = this.filled[c]!;
    for (let p = 0; p < n; p++) {
      if (isTarget(this.rows[base + p]!) && !Number.isNaN(this.scores[base + p]!)) return p;
    }
    return Infinity;
  }
}
