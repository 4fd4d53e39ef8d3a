import { describe, expect, it } from 'vitest';
import type { DownloadInfo } from '../../../../src-shared/api/types';
import { baseName, destFromUrl, downloadActions, downloadFraction, upsertDownload } from '../../../../src-renderer/components/data/downloads';

const dl = (id: number, over: Partial<DownloadInfo> = {}): DownloadInfo => ({
  id, url: `https://example.org/${id}.tar`, dest: `downloads/${id}.tar`, status: 'running', totalBytes: 1000, doneBytes: 250, bytesPerSecond: 100, etaSeconds: 7.5, error: null, ...over,
});

describe('downloads on the Data page', () => {
  it('replace a download by id from its event and keep the newest first', () => {
    let list = upsertDownload([], dl(1));
    list = upsertDownload(list, dl(3));
    list = upsertDownload(list, dl(2));
    expect(list.map((d) => d.id)).toEqual([3, 2, 1]);
    list = upsertDownload(list, dl(2, { status: 'paused', doneBytes: 600 }));
    expect(list.map((d) => [d.id, d.status, d.doneBytes])).toEqual([[3, 'running', 250], [2, 'paused', 600], [1, 'running', 250]]);
  });

  it('show progress as a fraction, indeterminate while the size is unknown, full when done', () => {
    expect(downloadFraction(dl(1))).toBe(0.25);
    expect(downloadFraction(dl(1, { totalBytes: null }))).toBeNull();
    expect(downloadFraction(dl(1, { totalBytes: 0 }))).toBeNull();
    expect(downloadFraction(dl(1, { status: 'done', totalBytes: null }))).toBe(1);
    expect(downloadFraction(dl(1, { doneBytes: 2000 }))).toBe(1);
  });

  it('offer only the actions the status allows', () => {
    expect(downloadActions('running')).toEqual({ pause: true, resume: false, cancel: true });
    expect(downloadActions('paused')).toEqual({ pause: false, resume: true, cancel: true });
    expect(downloadActions('failed')).toEqual({ pause: false, resume: true, cancel: true });
    expect(downloadActions('done')).toEqual({ pause: false, resume: false, cancel: false });
    expect(downloadActions('cancelled')).toEqual({ pause: false, resume: false, cancel: false });
  });

  it('suggest a file name from the URL, and label a download by its file', () => {
    expect(destFromUrl('https://host/a/b/00000001.tar?x=1')).toBe('00000001.tar');
    expect(destFromUrl('https://host/dir/my%20file.tar')).toBe('my_file.tar');
    expect(destFromUrl('https://host/dir/..')).toBe('');
    expect(baseName('/home/u/.local/share/clip-workbench/downloads/a.tar')).toBe('a.tar');
    expect(baseName('models/openai/clip-vit-base-patch32/')).toBe('clip-vit-base-patch32');
    expect(destFromUrl('https://host/')).toBe('');
    expect(destFromUrl('not a url')).toBe('');
  });
});
