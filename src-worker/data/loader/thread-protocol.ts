/** Messages between the loader (main side) and a loader worker thread. */
import type { DataStats } from '../stats';
import type { RawBatch, StreamSpec } from './stream-types';

export type ToThread =
  /** Produce the batches of `spec`, at most `credits` ahead of the consumer. */
  | { type: 'run'; runId: number; spec: StreamSpec; credits: number }
  /** The consumer took one batch: one more may be produced. */
  | { type: 'credit'; runId: number }
  /** Stop the run early (the consumer left the epoch). */
  | { type: 'cancel'; runId: number }
  /** Finish the current run's in-flight work, then exit. */
  | { type: 'close' };

/** Every message carries the stats accumulated since the previous one. */
export type FromThread =
  | { type: 'batch'; runId: number; batch: RawBatch; stats: DataStats }
  | { type: 'end'; runId: number; stats: DataStats }
  | { type: 'error'; runId: number; message: string; name: string; stack?: string; stats: DataStats };
