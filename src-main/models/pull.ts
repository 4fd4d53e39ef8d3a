/**
 * `clipwb models pull <org/name>`: resolves the revision to a commit, downloads the chosen files into
 * `<dataDir>/models/<org>/<name>/` (resume and checksums through the download manager), then writes
 * the manifest. Running it again resumes an interrupted pull and skips files already complete.
 */
import path from 'node:path';
import { DownloadManager, type DownloadStatus } from '../downloads/manager';
import { hubConfigFromEnv, hubDownloadSpecs, listHubFiles, resolveHubRevision, validateRepoId, type HubConfig } from '../downloads/sources/hf-hub';
import type { RetryPolicy } from '../downloads/backoff';
import { DownloadError } from '../downloads/errors';
import { chooseModelFiles } from './choose-files';
import { modelDir, writeModelManifest, type ModelManifest } from './manifest';

export interface PullProgress {
  file: string;
  fileBytesDone: number;
  fileBytesTotal: number | null;
  bytesDone: number;
  bytesTotal: number;
  rateBytesPerSec: number | null;
  etaSeconds: number | null;
}

export interface PullModelOptions {
  /** Branch, tag or commit. Default "main". */
  rev?: string;
  /** The weights file to take (a path in the repository), e.g. one checkpoint of a repository of .pt files. */
  file?: string;
  dataDir: string;
  onProgress?: (p: PullProgress) => void;
  /** Default: from HF_ENDPOINT / HF_TOKEN. */
  hub?: HubConfig;
  env?: NodeJS.ProcessEnv;
  /** Reuse an application-wide manager (its concurrency limit then covers pulls too). */
  manager?: DownloadManager;
  retry?: RetryPolicy;
  signal?: AbortSignal;
}

export interface PulledModel {
  dir: string;
  manifest: ModelManifest;
}

export async function pullModel(repo: string, options: PullModelOptions): Promise<PulledModel> {
  validateRepoId(repo);
  const hub = options.hub ?? hubConfigFromEnv(options.env);
  const revision = options.rev ?? 'main';
  const fetchOpts = options.signal ? { signal: options.signal } : {};
  const commit = await resolveHubRevision({ repo, revision }, hub, fetchOpts);
  // Pin every file to the commit: a push to the branch during the pull cannot mix two versions.
  const ref = { repo, revision: commit };
  const choice = chooseModelFiles(repo, await listHubFiles(ref, hub, fetchOpts), options.file !== undefined ? { file: options.file } : {});
  const dir = modelDir(options.dataDir, repo);
  const specs = hubDownloadSpecs(ref, choice.files, dir, hub);

  const manager = options.manager ?? new DownloadManager({ concurrency: 2, ...(options.retry ? { retry: options.retry } : {}) });
  const totalBytes = choice.files.reduce((s, f) => s + f.size, 0);
  const done = new Map<string, number>();
  const ids = new Set<string>();
  const onProgress = (s: DownloadStatus) => {
    if (!ids.has(s.id)) return;
    done.set(s.id, s.bytesDone);
    const bytesDone = [...done.values()].reduce((a, b) => a + b, 0);
    const rate = [...ids].map((id) => manager.status(id).rateBytesPerSec ?? 0).reduce((a, b) => a + b, 0);
    options.onProgress?.({
      file: path.relative(dir, s.dest),
      fileBytesDone: s.bytesDone,
      fileBytesTotal: s.bytesTotal,
      bytesDone,
      bytesTotal: totalBytes,
      rateBytesPerSec: rate > 0 ? rate : null,
      etaSeconds: rate > 0 ? Math.max(0, totalBytes - bytesDone) / rate : null,
    });
  };
  manager.on('progress', onProgress);
  // An interrupted pull pauses (parts stay on disk) so that running it again resumes.
  let onAbort = () => undefined as void;
  const interrupted = new Promise<never>((_resolve, reject) => {
    onAbort = () =>
      void Promise.all([...ids].map((id) => manager.pause(id).catch(() => undefined))).then(() =>
        reject(new DownloadError('cancelled', `Pull of ${repo} interrupted; run it again to resume.`)),
      );
  });
  interrupted.catch(() => undefined);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (const spec of specs) ids.add(manager.add(spec));
    const results = await Promise.race([Promise.allSettled([...ids].map((id) => manager.wait(id))), interrupted]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const files = results.map((r, i) => {
      const result = (r as PromiseFulfilledResult<Awaited<ReturnType<DownloadManager['wait']>>>).value;
      return { path: choice.files[i]?.path ?? '', size: result.bytes, sha256: result.sha256 };
    });
    const manifest: ModelManifest = {
      version: 1,
      repo,
      revision,
      commit,
      source: hub.endpoint,
      pulledAt: new Date().toISOString(),
      weights: { file: choice.weights.file.path, format: choice.weights.format },
      files,
    };
    await writeModelManifest(dir, manifest);
    return { dir, manifest };
  } finally {
    manager.off('progress', onProgress);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
