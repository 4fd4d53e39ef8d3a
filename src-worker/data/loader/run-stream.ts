/** Starts the stream a spec describes; the same code runs in a worker thread or inline. */
import type { DataStats } from '../stats';
import { evalStream } from './eval-stream';
import type { RawBatch, StreamSpec } from './stream-types';
import { trainStream } from './train-stream';

export function openStream(spec: StreamSpec, stats: DataStats): AsyncGenerator<RawBatch> {
  return spec.kind === 'train' ? trainStream(spec, stats) : evalStream(spec, stats);
}

/** Buffers a batch owns, to transfer rather than copy across threads. */
export function transferablesOf(batch: RawBatch): ArrayBuffer[] {
  const out = [batch.images.buffer as ArrayBuffer];
  if (batch.kind === 'train') out.push(batch.keys.buffer as ArrayBuffer);
  else if (batch.labels) out.push(batch.labels.buffer as ArrayBuffer);
  return out;
}
