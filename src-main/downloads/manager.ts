/**
 * Queue of downloads with a concurrency limit, pause / resume / cancel, and throttled progress events.
 * Each download is a transferFile() call; pausing aborts it and keeps the `.part`, so resuming (in this
 * process or after a restart, by adding the same spec again) continues from the bytes on disk.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff';
import { DownloadError } from './errors';
import { removePart } from './part-file';
import { ProgressMeter } from './progress';
import { transferFile, validateSpec } from './transfer';
import type { DownloadResult, DownloadSpec } from './types';

export type DownloadState = 'queued' | 'active' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface DownloadStatus {
  id: string;
  url: string;
  dest: string;
  state: DownloadState;
  bytesDone: number;
  bytesTotal: number | null;
  rateBytesPerSec: number | null;
  etaSeconds: number | null;
  /** HTTP requests made so far, retries included. */
  attempts: number;
  error: { code: DownloadError['code']; message: string; status: number | null } | null;
  result: DownloadResult | null;
}

export interface DownloadManagerEvents {
  /** A few times per second per active download, and once when it finishes. */
  progress: [status: DownloadStatus];
  state: [status: DownloadStatus];
  retry: [status: DownloadStatus, info: { failures: number; delayMs: number; message: string }];
}

export interface DownloadManagerOptions {
  /** Downloads transferring at once. Default 3. */
  concurrency?: number;
  retry?: RetryPolicy;
  /** Minimum time between progress events of one download. Default 250 ms. */
  progressIntervalMs?: number;
  idleTimeoutMs?: number;
}

interface Entry {
  spec: DownloadSpec;
  status: DownloadStatus;
  controller: AbortController | null;
  running: Promise<void> | null;
  meter: ProgressMeter;
  waiters: { resolve: (r: DownloadResult) => void; reject: (e: Error) => void }[];
}

const TERMINAL: ReadonlySet<DownloadState> = new Set(['done', 'failed', 'cancelled']);
const PAUSE = Symbol('pause');
const CANCEL = Symbol('cancel');

export class DownloadManager extends EventEmitter<DownloadManagerEvents> {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private active = 0;
  private readonly concurrency: number;
  private closed = false;

  constructor(private readonly options: DownloadManagerOptions = {}) {
    super();
    this.concurrency = options.concurrency ?? 3;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${this.concurrency}`);
  }

  /** Queues a download and returns its id. Throws for an invalid spec or a destination already being downloaded. */
  add(spec: DownloadSpec): string {
    if (this.closed) throw new Error('DownloadManager is closed');
    validateSpec(spec);
    for (const e of this.entries.values()) {
      if (e.spec.dest === spec.dest && !TERMINAL.has(e.status.state)) {
        throw new DownloadError('invalid', `${spec.dest} is already being downloaded (download ${e.status.id}).`, { url: spec.url });
      }
    }
    const id = randomUUID();
    const entry: Entry = {
      spec,
      status: {
        id,
        url: spec.url,
        dest: spec.dest,
        state: 'queued',
        bytesDone: 0,
        bytesTotal: spec.expectedSize ?? null,
        rateBytesPerSec: null,
        etaSeconds: null,
        attempts: 0,
        error: null,
        result: null,
      },
      controller: null,
      running: null,
      meter: new ProgressMeter(5000, this.options.progressIntervalMs ?? 250),
      waiters: [],
    };
    this.entries.set(id, entry);
    this.queue.push(id);
    this.emit('state', { ...entry.status });
    this.pump();
    return id;
  }

  status(id: string): DownloadStatus {
    return { ...this.entry(id).status };
  }

  list(): DownloadStatus[] {
    return [...this.entries.values()].map((e) => ({ ...e.status }));
  }

  /** Resolves when the download is done; rejects when it fails or is cancelled. A pause keeps it pending. */
  wait(id: string): Promise<DownloadResult> {
    const entry = this.entry(id);
    const { state, result, error } = entry.status;
    if (state === 'done' && result) return Promise.resolve(result);
    if (state === 'failed' || state === 'cancelled') return Promise.reject(this.errorOf(entry, error?.message ?? 'cancelled'));
    return new Promise((resolve, reject) => entry.waiters.push({ resolve, reject }));
  }

  /** Stops transferring; the part file stays. No effect on a finished download. */
  async pause(id: string): Promise<void> {
    const entry = this.entry(id);
    if (entry.status.state === 'queued') {
      this.dequeue(id);
      this.setState(entry, 'paused');
    } else if (entry.status.state === 'active') {
      entry.controller?.abort(PAUSE);
      await entry.running;
    }
  }

  resume(id: string): void {
    const entry = this.entry(id);
    if (entry.status.state !== 'paused' && entry.status.state !== 'failed') return;
    entry.status.error = null;
    this.queue.push(id);
    this.setState(entry, 'queued');
    this.pump();
  }

  /** Stops the download and deletes its part file. */
  async cancel(id: string): Promise<void> {
    const entry = this.entry(id);
    if (TERMINAL.has(entry.status.state) && entry.status.state !== 'failed') return;
    if (entry.status.state === 'active') {
      entry.controller?.abort(CANCEL);
      await entry.running;
    } else {
      this.dequeue(id);
      await removePart(entry.spec.dest);
      this.settle(entry, 'cancelled');
    }
  }

  /** Pauses everything that runs (parts stay for a later resume) and refuses new downloads. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await Promise.all([...this.entries.values()].filter((e) => e.status.state === 'active').map((e) => this.pause(e.status.id)));
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`No download with id ${id}`);
    return entry;
  }

  private dequeue(id: string): void {
    const at = this.queue.indexOf(id);
    if (at >= 0) this.queue.splice(at, 1);
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0 && !this.closed) {
      const id = this.queue.shift() as string;
      const entry = this.entries.get(id);
      if (entry && entry.status.state === 'queued') this.start(entry);
    }
  }

  private start(entry: Entry): void {
    this.active++;
    const controller = new AbortController();
    entry.controller = controller;
    this.setState(entry, 'active');
    const attemptsBefore = entry.status.attempts;
    entry.running = transferFile(entry.spec, {
      signal: controller.signal,
      retry: this.options.retry ?? DEFAULT_RETRY,
      ...(this.options.idleTimeoutMs ? { idleTimeoutMs: this.options.idleTimeoutMs } : {}),
      onProgress: (p) => {
        const now = Date.now();
        entry.meter.update(p.bytesDone, p.bytesTotal, p.transferred, now);
        Object.assign(entry.status, entry.meter.figures());
        if (entry.meter.shouldEmit(now)) this.emit('progress', { ...entry.status });
      },
      onRetry: ({ failures, delayMs, error }) => {
        entry.status.attempts++;
        this.emit('retry', { ...entry.status }, { failures, delayMs, message: error.message });
      },
    })
      .then(
        (result) => {
          entry.status.attempts = attemptsBefore + result.attempts;
          Object.assign(entry.status, { bytesDone: result.bytes, bytesTotal: result.bytes, etaSeconds: 0, result });
          this.emit('progress', { ...entry.status });
          this.settle(entry, 'done');
        },
        async (err: unknown) => {
          if (controller.signal.reason === PAUSE) {
            this.setState(entry, 'paused');
          } else if (controller.signal.reason === CANCEL) {
            await removePart(entry.spec.dest);
            this.settle(entry, 'cancelled');
          } else {
            const e = err instanceof DownloadError ? err : new DownloadError('io', (err as Error).message ?? String(err), { url: entry.spec.url, cause: err });
            entry.status.error = { code: e.code, message: e.message, status: e.status };
            this.settle(entry, 'failed', e);
          }
        },
      )
      .finally(() => {
        entry.controller = null;
        entry.running = null;
        this.active--;
        this.pump();
      });
  }

  private setState(entry: Entry, state: DownloadState): void {
    entry.status.state = state;
    if (state !== 'active') {
      entry.status.rateBytesPerSec = null;
      if (state !== 'done') entry.status.etaSeconds = null;
    }
    this.emit('state', { ...entry.status });
  }

  private settle(entry: Entry, state: 'done' | 'failed' | 'cancelled', error?: Error): void {
    this.setState(entry, state);
    const waiters = entry.waiters.splice(0);
    for (const w of waiters) {
      if (state === 'done' && entry.status.result) w.resolve(entry.status.result);
      else w.reject(error ?? this.errorOf(entry, 'cancelled'));
    }
  }

  private errorOf(entry: Entry, message: string): DownloadError {
    const e = entry.status.error;
    return e
      ? new DownloadError(e.code, e.message, { url: entry.spec.url, status: e.status })
      : new DownloadError('cancelled', `Download of ${entry.spec.url} was ${message}.`, { url: entry.spec.url });
  }
}

/** One file, no queue: for scripts and sources that manage their own order. */
export async function downloadOnce(spec: DownloadSpec, options: DownloadManagerOptions & { onProgress?: (s: DownloadStatus) => void } = {}): Promise<DownloadResult> {
  const manager = new DownloadManager({ ...options, concurrency: 1 });
  if (options.onProgress) manager.on('progress', options.onProgress);
  return manager.wait(manager.add(spec));
}
