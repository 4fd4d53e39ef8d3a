/**
 * CSV export, for every page (UI engineer 2's too): `await exportCsv({ kind: 'evals', runIds })` asks
 * the API for the file and hands it to the browser as a download. In Electron the same download goes
 * through the session's will-download handler, which shows the native save dialog; the renderer never
 * writes files itself (it has no file system access, by design).
 */
import type { ApiInput } from '../../src-shared/api/contract';
import { client } from '../stores/client';

/** A file name any OS accepts: no path separators or reserved characters, not empty, not too long. */
export function safeFilename(name: string, fallback = 'export.csv'): string {
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').replace(/^[.\s]+/, '').trim().slice(0, 180);
  return cleaned.length > 0 ? cleaned : fallback;
}

/** Starts a browser download of `content`. */
export function saveTextFile(filename: string, content: string, mime = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([content], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = safeFilename(filename);
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Fetches an export and downloads it; returns the file name. Errors propagate to the caller's toast. */
export async function exportCsv(input: ApiInput<'export.csv'>): Promise<string> {
  const { filename, content } = await client().call('export.csv', input);
  const name = safeFilename(filename, `${input.kind}.csv`);
  saveTextFile(name, content);
  return name;
}
