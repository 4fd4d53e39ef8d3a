/**
 * A plain list of URLs to download, one per line:
 *
 *   # comment
 *   https://example.org/shards/{00000..00139}.tar
 *   https://example.org/model.bin  sha256:<64 hex>  size:1234  name:weights/model.bin
 *
 * `{a..b}` expands to every number from a to b, zero-padded to a's width (webdataset shard lists).
 * The file name defaults to the URL's last path segment.
 */
import path from 'node:path';
import { DownloadError } from '../errors';
import { parseHttpUrl } from '../http-get';
import type { DownloadSpec } from '../types';

export interface UrlListEntry {
  url: string;
  name: string;
  sha256: string | null;
  size: number | null;
}

const MAX_EXPANSION = 100_000;

export function expandNumericBraces(pattern: string): string[] {
  const m = /\{(\d+)\.\.(\d+)\}/.exec(pattern);
  if (!m || m[1] === undefined || m[2] === undefined) return [pattern];
  const [from, to] = [Number(m[1]), Number(m[2])];
  if (to < from) throw new DownloadError('invalid', `Range {${m[1]}..${m[2]}} in "${pattern}" counts down; write the smaller number first.`);
  if (to - from + 1 > MAX_EXPANSION) throw new DownloadError('invalid', `Range {${m[1]}..${m[2]}} in "${pattern}" expands to more than ${MAX_EXPANSION} URLs.`);
  const width = m[1].length;
  const out: string[] = [];
  for (let i = from; i <= to; i++) {
    const expanded = pattern.slice(0, m.index) + String(i).padStart(width, '0') + pattern.slice(m.index + m[0].length);
    out.push(...expandNumericBraces(expanded));
  }
  return out;
}

export function parseUrlList(text: string): UrlListEntry[] {
  const entries: UrlListEntry[] = [];
  const names = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `line ${i + 1}`;
    const [urlPattern, ...opts] = line.split(/\s+/);
    let sha256: string | null = null;
    let size: number | null = null;
    let name: string | null = null;
    for (const opt of opts) {
      const [key, ...rest] = opt.split(':');
      const value = rest.join(':');
      if (key === 'sha256' && /^[0-9a-fA-F]{64}$/.test(value)) sha256 = value.toLowerCase();
      else if (key === 'size' && /^\d+$/.test(value)) size = Number(value);
      else if (key === 'name' && value !== '') name = value;
      else throw new DownloadError('invalid', `URL list ${where}: cannot read "${opt}"; use sha256:<64 hex>, size:<bytes> or name:<file name>.`);
    }
    const urls = expandNumericBraces(urlPattern ?? '');
    if (urls.length > 1 && (sha256 !== null || size !== null || name !== null)) {
      throw new DownloadError('invalid', `URL list ${where}: sha256/size/name apply to one file, not to a {a..b} range.`);
    }
    for (const url of urls) {
      const parsed = parseHttpUrl(url);
      const fileName = name ?? decodeURIComponent(parsed.pathname.split('/').pop() ?? '');
      if (fileName === '' || fileName.split('/').some((s) => s === '..' || s === '') || path.isAbsolute(fileName)) {
        throw new DownloadError('invalid', `URL list ${where}: no usable file name for ${url}; add name:<file name>.`);
      }
      const seen = names.get(fileName);
      if (seen !== undefined) throw new DownloadError('invalid', `URL list ${where}: "${fileName}" is also the file name of line ${seen}; add name:<other name>.`);
      names.set(fileName, i + 1);
      entries.push({ url, name: fileName, sha256, size });
    }
  });
  return entries;
}

export function urlListSpecs(entries: UrlListEntry[], destDir: string): DownloadSpec[] {
  return entries.map((e) => ({ url: e.url, dest: path.join(destDir, ...e.name.split('/')), sha256: e.sha256, expectedSize: e.size }));
}
