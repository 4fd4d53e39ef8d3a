/**
 * A seeded shuffle buffer in the manner of webdataset's `shuffle(bufsize, initial)`: nothing comes out
 * until `initial` items are in; then the buffer grows towards `capacity` by letting out one random item
 * for every second item put in, and once full lets out one per item. `drain` empties it at random.
 * Unlike the reference paper's (pid + time seeded) buffer this one replays exactly from its Rng.
 */
import type { Rng } from '../rng';

export class ShuffleBuffer<T> {
  private readonly items: T[] = [];
  private started = false;
  private growthToggle = false;

  constructor(
    private readonly rng: Rng,
    readonly capacity: number,
    readonly initial: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`shuffle buffer size must be a positive integer, got ${capacity}`);
    if (!Number.isInteger(initial) || initial < 1 || initial > capacity) {
      throw new Error(`shuffle buffer initial fill must be an integer in [1, ${capacity}], got ${initial}`);
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** Adds an item; returns one item to pass on, or undefined while the buffer fills. */
  push(item: T): T | undefined {
    this.items.push(item);
    if (!this.started) {
      if (this.items.length < this.initial) return undefined;
      this.started = true;
    }
    if (this.items.length <= this.capacity) {
      this.growthToggle = !this.growthToggle;
      if (this.growthToggle) return undefined;
    }
    return this.takeRandom();
  }

  /** Removes and returns one random item, or undefined when empty. */
  takeRandom(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const k = this.rng.int(0, n - 1);
    const chosen = this.items[k] as T;
    this.items[k] = this.items[n - 1] as T;
    this.items.pop();
    return chosen;
  }
}
