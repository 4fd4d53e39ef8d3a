/**
 * Downloads as the Data page shows them: the list kept current from `download` events, progress as a
 * fraction, and which actions a download's status allows.
 */
import type { DownloadInfo } from '../../../src-shared/api/types';

/** Replaces the download with the same id (events carry the whole record) or adds it; newest first. */
export function upsertDownload(list: readonly DownloadInfo[], d: DownloadInfo): DownloadInfo[] {
  const i = list.findIndex((x) => x.id === d.id);
  if (i < 0) return [d, ...list].sort((a, b) => b.id - a.id);
  const next = [...list];
  next[i] = d;
  return next;
}

/** 0..1, or null while the size is unknown (indeterminate bar). A finished download is full. */
export function downloadFraction(d: DownloadInfo): number | null {
  if (d.status === 'done') return 1;
  if (d.totalBytes === null || d.totalBytes <= 0) return null;
  return Math.min(1, d.doneBytes / d.totalBytes);
}

export interface DownloadActions { pause: boolean; resume: boolean; cancel: boolean }

export function downloadActions(status: DownloadInfo['status']): DownloadActions {
  return {
    pause: status === 'running' || status === 'queued',
    // A failed download resumes from its partial file, like a paused one.
    resume: status === 'paused' || status === 'failed',
    cancel: status === 'running' || status === 'queued' || status === 'paused' || status === 'failed',
  };
}

/** The last part of a path, for a compact label (the full path is shown beside it). */
export function baseName(p: string): string {
  const parts = p.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? p;
}

/** The file name a URL would be saved under (the server puts it inside its downloads folder). */
export function destFromUrl(url: string): string {
  try {
    const u = new URL(url);
    const last = decodeURIComponent(u.pathname.split('/').filter(Boolean).pop() ?? '');
    const safe = last.replace(/[^\w.@+-]+/g, '_').replace(/^\.+/, '');
    return safe;
  } catch {
    return '';
  }
}
