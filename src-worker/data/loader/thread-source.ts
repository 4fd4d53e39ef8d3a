/**
 * A loader stream in its own worker thread (see stream-thread.ts). The thread is started once and
 * reused for every epoch (the reference paper's persistent_workers); the prefetch bound is enforced by credits:
 * the thread may be at most `prefetch` batches ahead of what the consumer has taken.
 */
import { Worker } from 'node:worker_threads';
// sharp must be loaded by the main thread before any worker thread loads it (lovell/sharp#2263:
// otherwise its shared libraries are unloaded when the first worker exits, and the process crashes).
import sharp from 'sharp';
import type { BatchSource, StatsSink } from './batch-source';
import { Signal } from './signal';
import type { FromThread, ToThread } from './thread-protocol';
import type { RawBatch, StreamSpec } from './stream-types';
import { WorkbenchError } from '../../../src-shared/errors';

void sharp.versions;

/** Under tsx or vitest this module is .ts and the thread body is too; in a build both are .js. */
const MODULE_EXT = new URL(import.meta.url).pathname.endsWith('.ts') ? '.ts' : '.js';
const BOOTSTRAP_URL = new URL('./thread-bootstrap.mjs', import.meta.url);
const ENTRY_URL = new URL(`./stream-thread${MODULE_EXT}`, import.meta.url);
const CLOSE_TIMEOUT_MS = 30_000;

export class StreamThreadError extends WorkbenchError {
  constructor(message: string, readonly threadName: string, readonly originalName: string, readonly originalStack?: string) {
    super(message, { kind: 'internal' });
    this.name = originalName && originalName !== 'Error' ? originalName : 'StreamThreadError';
  }
}

export class ThreadBatchSource implements BatchSource {
  private readonly worker: Worker;
  private runId = 0;
  private active = false;
  private queue: RawBatch[] = [];
  private failure: Error | undefined;
  private readonly changed = new Signal();
  private exited = false;

  constructor(
    private readonly name: string,
    private readonly onStats: StatsSink,
    private readonly prefetch: number,
  ) {
    this.worker = new Worker(BOOTSTRAP_URL, { workerData: { entry: ENTRY_URL.href }, name });
    this.worker.unref();
    this.worker.on('message', (msg: FromThread) => this.onMessage(msg));
    this.worker.on('error', (err) => {
      this.failure = new StreamThreadError(`loader thread ${name} crashed: ${err.message}`, name, err.name, err.stack);
      this.active = false;
      this.changed.notify();
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (this.active && !this.failure) this.failure = new StreamThreadError(`loader thread ${name} exited (code ${code}) during a run`, name, 'Error');
      this.active = false;
      this.changed.notify();
    });
  }

  private send(msg: ToThread): void {
    if (!this.exited) this.worker.postMessage(msg);
  }

  private onMessage(msg: FromThread): void {
    this.onStats(msg.stats);
    if (msg.runId !== this.runId) return; // a cancelled run's leftovers
    if (msg.type === 'batch') this.queue.push(msg.batch);
    else {
      if (msg.type === 'error') this.failure = new StreamThreadError(msg.message, this.name, msg.name, msg.stack);
      this.active = false;
      this.worker.unref();
    }
    this.changed.notify();
  }

  start(spec: StreamSpec): void {
    if (this.active) throw new Error(`loader thread ${this.name}: start while a run is active; cancel it first`);
    if (this.exited) throw new Error(`loader thread ${this.name} has exited`);
    this.runId++;
    this.queue = [];
    this.failure = undefined;
    this.active = true;
    // Keep the process alive only while a run is in progress.
    this.worker.ref();
    this.send({ type: 'run', runId: this.runId, spec, credits: this.prefetch });
  }

  async next(): Promise<RawBatch | undefined> {
    for (;;) {
      const batch = this.queue.shift();
      if (batch) {
        this.send({ type: 'credit', runId: this.runId });
        return batch;
      }
      if (this.failure) throw this.failure;
      if (!this.active) return undefined;
      await this.changed.wait();
    }
  }

  async cancel(): Promise<void> {
    if (this.active) {
      this.send({ type: 'cancel', runId: this.runId });
      while (this.active) await this.changed.wait();
    }
    this.queue = [];
  }

  async close(): Promise<void> {
    if (this.exited) return;
    this.send({ type: 'close' });
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    const timer = setTimeout(() => void this.worker.terminate(), CLOSE_TIMEOUT_MS);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
