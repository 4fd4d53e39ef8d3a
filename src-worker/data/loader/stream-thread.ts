/**
 * Body of a loader worker thread: runs one stream spec at a time and posts its batches, never more
 * than `credits` ahead of the consumer (the bounded prefetch queue). Reading tars, shuffling and the
 * JavaScript part of decoding all happen here, so they continue while the training thread is busy in
 * a synchronous TensorFlow.js step. The thread exits by closing its port, never by being terminated
 * mid-decode (sharp work cut off by terminate() can crash the process).
 */
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { emptyStats, takeStats } from '../stats';
import { openStream, transferablesOf } from './run-stream';
import { Signal } from './signal';
import type { FromThread, ToThread } from './thread-protocol';
import type { StreamSpec } from './stream-types';

interface Run {
  runId: number;
  spec: StreamSpec;
  credits: number;
  cancelled: boolean;
  wake: Signal;
}

const port = parentPort;
if (!port) throw new Error('stream-thread.ts must run in a worker thread (started by the data loader)');

// Every input buffer is new; libvips' operation cache would only hold on to memory.
sharp.cache(false);

const queue: Run[] = [];
let current: Run | undefined;
let closing = false;
let busy = false;

function post(message: FromThread, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

async function execute(run: Run): Promise<void> {
  const stats = emptyStats();
  const stream = openStream(run.spec, stats);
  try {
    for (;;) {
      while (run.credits <= 0 && !run.cancelled) await run.wake.wait();
      if (run.cancelled) break;
      const next = await stream.next();
      if (next.done) break;
      run.credits--;
      post({ type: 'batch', runId: run.runId, batch: next.value, stats: takeStats(stats) }, transferablesOf(next.value));
    }
    await stream.return(undefined);
    post({ type: 'end', runId: run.runId, stats: takeStats(stats) });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    await stream.return(undefined).catch(() => undefined);
    post({ type: 'error', runId: run.runId, message: e.message, name: e.name, stack: e.stack, stats: takeStats(stats) });
  }
}

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    while (queue.length > 0) {
      current = queue.shift();
      if (current) await execute(current);
      current = undefined;
    }
  } finally {
    busy = false;
  }
  if (closing) port?.close();
}

port.on('message', (msg: ToThread) => {
  switch (msg.type) {
    case 'run':
      queue.push({ runId: msg.runId, spec: msg.spec, credits: msg.credits, cancelled: false, wake: new Signal() });
      void drain();
      break;
    case 'credit':
      if (current?.runId === msg.runId) {
        current.credits++;
        current.wake.notify();
      }
      break;
    case 'cancel':
      for (const run of [current, ...queue]) {
        if (run?.runId === msg.runId) {
          run.cancelled = true;
          run.wake.notify();
        }
      }
      break;
    case 'close':
      closing = true;
      for (const run of [current, ...queue]) {
        if (run) {
          run.cancelled = true;
          run.wake.notify();
        }
      }
      if (!busy) port.close();
      break;
  }
});
