/**
 * Downloads the user asked for in the app, recorded in the store: one row per file (eval-set files,
 * URLs) or per model pull, with progress pushed as events. After a restart, rows that were running
 * are marked paused; resuming re-adds them and the manager continues from the .part file.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Store, Download } from '../store';
import type { DownloadInfo, ApiEvent } from '../../src-shared/api/types';
import { DownloadManager, type DownloadStatus } from '../downloads/manager';
import type { DownloadSpec } from '../downloads/types';
import { hubConfigFromEnv, hubAuthHeaders } from '../downloads/sources/hf-hub';
import { evalsetDownloadSpecs } from '../downloads/sources/hf-evalsets';
import { pullModel } from '../models/pull';
import { resolveEvalsetTasks } from '../datasets/evalsets';
import { requireInside } from './path-policy';
import { WorkbenchError } from '../../src-shared/errors';
import type { DatasetService } from '../datasets/service';

interface Live { managerId: string | null; spec: DownloadSpec | null; rate: number | null; eta: number | null; abort: AbortController | null }

export class DownloadsService extends EventEmitter<{ event: [ApiEvent] }> {
  private readonly live = new Map<number, Live>();
  private readonly byManagerId = new Map<string, number>();

  constructor(private readonly store: Store, private readonly dataDir: string, private readonly manager: DownloadManager, private readonly datasets: DatasetService) {
    super();
    for (const d of store.downloads.list({ statuses: ['queued', 'running'] })) store.downloads.update(d.id, { status: 'paused', error: 'the app stopped during the download; resume to continue' });
    manager.on('progress', (s) => this.onStatus(s));
    manager.on('state', (s) => this.onStatus(s));
  }

  list(): DownloadInfo[] {
    return this.store.downloads.list().map((d) => this.info(d));
  }

  /** Eval sets into <data>/datasets/datacomp/wds_<task>_test/ (the DataComp layout). */
  async startEvalsets(tasks: string[]): Promise<number[]> {
    const hub = hubConfigFromEnv();
    const root = path.join(this.dataDir, 'datasets', 'datacomp');
    const ids: number[] = [];
    for (const task of resolveEvalsetTasks(tasks)) {
      const { specs, dir } = await evalsetDownloadSpecs(task.key, root, hub);
      for (const spec of specs) ids.push(this.startSpec(spec));
      this.datasets.registerDownloadedEvalset(task.name, dir);
    }
    return ids;
  }

  startUrl(url: string, rel: string, sha256?: string): number {
    const root = path.join(this.dataDir, 'downloads');
    // Links are followed: a symlink inside the downloads folder must not lead the file out of it.
    const dest = requireInside(root, path.join(root, rel), 'dest', 'the file to download to (a name relative to the downloads folder)');
    return this.startSpec({ url, dest, sha256: sha256 ?? null });
  }

  startModel(repo: string): number {
    const hub = hubConfigFromEnv();
    const row = this.store.downloads.create({ url: `${hub.endpoint.replace(/\/$/, '')}/${repo}`, dest: path.join(this.dataDir, 'models', repo), status: 'running' });
    const abort = new AbortController();
    this.live.set(row.id, { managerId: null, spec: null, rate: null, eta: null, abort });
    this.emitRow(row.id);
    pullModel(repo, {
      dataDir: this.dataDir, manager: this.manager, hub, signal: abort.signal,
      onProgress: (p) => {
        const l = this.live.get(row.id);
        if (l) { l.rate = p.rateBytesPerSec; l.eta = p.etaSeconds; }
        this.store.downloads.setProgress(row.id, p.bytesDone, p.bytesTotal);
        this.emitRow(row.id);
      },
    }).then(
      () => { this.store.downloads.update(row.id, { status: 'done', error: null }); this.emitRow(row.id); this.notify('info', 'Model pulled', repo); },
      (err: Error) => {
        this.store.downloads.update(row.id, { status: abort.signal.aborted ? 'cancelled' : 'failed', error: err.message });
        this.emitRow(row.id);
        if (!abort.signal.aborted) this.notify('error', 'Model pull failed', `${repo}: ${err.message}`);
      },
    );
    return row.id;
  }

  private startSpec(spec: DownloadSpec): number {
    const row = this.store.downloads.create({ url: spec.url, dest: spec.dest, totalBytes: spec.expectedSize ?? null, sha256: spec.sha256 ?? null, status: 'queued' });
    this.add(row.id, spec);
    return row.id;
  }

  private add(rowId: number, spec: DownloadSpec): void {
    const managerId = this.manager.add(spec);
    this.live.set(rowId, { managerId, spec, rate: null, eta: null, abort: null });
    this.byManagerId.set(managerId, rowId);
    this.manager.wait(managerId).then(() => undefined, () => undefined);
    this.emitRow(rowId);
  }

  async pause(id: number): Promise<void> {
    const l = this.live.get(id);
    if (!l?.managerId) throw new WorkbenchError(`download ${id} is not running (model pulls can be cancelled and started again; they resume)`, { kind: 'conflict', field: 'id' });
    await this.manager.pause(l.managerId);
  }

  resume(id: number): void {
    const d = this.store.downloads.require(id);
    const l = this.live.get(id);
    if (l?.managerId) { this.manager.resume(l.managerId); return; }
    if (d.status === 'done') return;
    if (d.url.includes('://') && !d.dest.includes(`${path.sep}models${path.sep}`)) {
      // The .part file and its sidecar let the manager continue where it stopped.
      const hub = hubConfigFromEnv();
      const headers = d.url.startsWith(hub.endpoint) ? hubAuthHeaders(hub) : undefined;
      this.add(id, { url: d.url, dest: d.dest, expectedSize: d.totalBytes, sha256: d.sha256, ...(headers ? { headers } : {}) });
    } else throw new WorkbenchError(`download ${id} cannot be resumed here; start the model pull again (it resumes from its part files)`, { kind: 'conflict', field: 'id' });
  }

  async cancel(id: number): Promise<void> {
    const l = this.live.get(id);
    if (l?.managerId) await this.manager.cancel(l.managerId);
    else if (l?.abort) l.abort.abort();
    this.store.downloads.update(id, { status: 'cancelled' });
    this.emitRow(id);
  }

  private onStatus(s: DownloadStatus): void {
    const rowId = this.byManagerId.get(s.id);
    if (rowId === undefined) return;
    const l = this.live.get(rowId);
    if (l) { l.rate = s.rateBytesPerSec; l.eta = s.etaSeconds; }
    const status = s.state === 'active' ? 'running' : s.state;
    this.store.downloads.update(rowId, { status, doneBytes: s.bytesDone, totalBytes: s.bytesTotal, error: s.error?.message ?? null });
    this.emitRow(rowId);
    if (s.state === 'failed') this.notify('error', 'Download failed', `${path.basename(s.dest)}: ${s.error?.message ?? ''}`);
  }

  private info(d: Download): DownloadInfo {
    const l = this.live.get(d.id);
    return { id: d.id, url: d.url, dest: d.dest, status: d.status, totalBytes: d.totalBytes, doneBytes: d.doneBytes, bytesPerSecond: l?.rate ?? null, etaSeconds: l?.eta ?? null, error: d.error };
  }

  private emitRow(id: number): void {
    const d = this.store.downloads.get(id);
    if (d) this.emit('event', { type: 'download', download: this.info(d) });
  }

  private notify(level: 'info' | 'error', title: string, body: string): void {
    this.emit('event', { type: 'notification', level, title, body });
  }

  async close(): Promise<void> {
    await this.manager.close();
  }
}
