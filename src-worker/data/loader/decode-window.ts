/**
 * Keeps up to `concurrency` image decodes in flight and hands results back in submission order, so
 * a stream's output does not depend on which decode finishes first. Jobs never reject: failures
 * come back as values, so an abandoned window cannot raise unhandled rejections.
 */
import type { TransformedPixels } from '../transform/image-transform';

export type DecodeResult = { ok: true; pixels: TransformedPixels } | { ok: false; error: string };

export class DecodeWindow<T> {
  private readonly queue: { item: T; result: Promise<DecodeResult> }[] = [];

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`decode concurrency must be a positive integer, got ${concurrency}`);
  }

  get size(): number {
    return this.queue.length;
  }

  get full(): boolean {
    return this.queue.length >= this.concurrency;
  }

  submit(item: T, job: () => Promise<TransformedPixels>): void {
    const result = job().then(
      (pixels): DecodeResult => ({ ok: true, pixels }),
      (err: unknown): DecodeResult => ({ ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
    this.queue.push({ item, result });
  }

  /** The oldest submission and its result; undefined when nothing is in flight. */
  async next(): Promise<{ item: T; result: DecodeResult } | undefined> {
    const head = this.queue.shift();
    if (!head) return undefined;
    return { item: head.item, result: await head.result };
  }

  /** Waits for everything in flight and drops it (sharp work must not outlive a stopping thread). */
  async settle(): Promise<void> {
    const pending = this.queue.splice(0).map((q) => q.result);
    await Promise.all(pending);
  }
}
