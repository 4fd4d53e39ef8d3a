/**
 * A loader stream as the consumer sees it: start a spec, pull batches, cancel, close. Two
 * implementations: a worker thread (thread-source.ts) and this in-process one, where tar reading and
 * pixel normalisation run on the calling thread and only sharp's decoding runs on libuv's pool.
 */
import type { DataStats } from '../stats';
import { emptyStats, takeStats } from '../stats';
import { openStream } from './run-stream';
import { Signal } from './signal';
import type { RawBatch, StreamSpec } from './stream-types';

export interface BatchSource {
  /** Starts producing the batches of `spec`; a previous run must have ended or been cancelled. */
  start(spec: StreamSpec): void;
  /** The next batch of the current run, or undefined when it has ended. Rejects if the stream failed. */
  next(): Promise<RawBatch | undefined>;
  /** Abandons the current run and waits until its in-flight work has stopped. */
  cancel(): Promise<void>;
  close(): Promise<void>;
}

export type StatsSink = (delta: DataStats) => void;

export class InlineBatchSource implements BatchSource {
  private queue: RawBatch[] = [];
  private ended = true;
  private failure: Error | undefined;
  private cancelled = false;
  private readonly arrived = new Signal();
  private readonly space = new Signal();
  private pump: Promise<void> = Promise.resolve();

  constructor(
    private readonly onStats: StatsSink,
    private readonly prefetch: number,
  ) {}

  start(spec: StreamSpec): void {
    if (!this.ended) throw new Error('InlineBatchSource.start: the previous run is still active; cancel it first');
    this.queue = [];
    this.ended = false;
    this.failure = undefined;
    this.cancelled = false;
    this.pump = this.run(spec);
  }

  private async run(spec: StreamSpec): Promise<void> {
    const stats = emptyStats();
    const stream = openStream(spec, stats);
    try {
      for (;;) {
        while (this.queue.length >= this.prefetch && !this.cancelled) await this.space.wait();
        if (this.cancelled) break;
        const next = await stream.next();
        this.onStats(takeStats(stats));
        if (next.done) break;
        this.queue.push(next.value);
        this.arrived.notify();
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    } finally {
      await stream.return(undefined).catch(() => undefined);
      this.onStats(takeStats(stats));
      this.ended = true;
      this.arrived.notify();
    }
  }

  async next(): Promise<RawBatch | undefined> {
    for (;;) {
      const batch = this.queue.shift();
      if (batch) {
        this.space.notify();
        return batch;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return undefined;
      await this.arrived.wait();
    }
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
    this.space.notify();
    await this.pump;
    this.queue = [];
  }

  async close(): Promise<void> {
    await this.cancel();
  }
}
