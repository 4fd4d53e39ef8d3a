/**
 * Google Drive: list a shared folder from its HTML page and download its files, passing the large-file
 * confirmation step. Drive gives no checksum in these pages, so files are verified by size at best;
 * resume works as for any URL (the confirmed URL accepts Range), and the confirmation is redone for
 * every attempt because its token is short-lived.
 */
import path from 'node:path';
import { CookieJar } from '../cookie-jar';
import { DownloadError, httpStatusError } from '../errors';
import { fetchText, type FetchTextOptions } from '../fetch-text';
import { openGet } from '../http-get';
import type { DownloadSpec } from '../types';
import { driveIdFrom, type DriveEndpoints } from './gdrive-endpoints';
import { DRIVE_FOLDER_MIME, interpretDriveDownloadPage, parseDriveFolderPage, type DriveItem, type DrivePageVerdict } from './gdrive-page';

const MAX_PAGE_BYTES = 4 * 1024 * 1024;

function folderIdOrThrow(folder: string): string {
  const id = driveIdFrom(folder);
  if (!id) throw new DownloadError('invalid', `"${folder}" is not a Google Drive folder id or link; it looks like https://drive.google.com/drive/folders/<id>.`);
  return id;
}

export interface DriveFolderListing {
  folderId: string;
  files: DriveItem[];
  /** Sub-folders are listed, not descended into. */
  folders: DriveItem[];
}

export async function listDriveFolder(folder: string, endpoints: DriveEndpoints, options: FetchTextOptions = {}): Promise<DriveFolderListing> {
  const folderId = folderIdOrThrow(folder);
  const pages = [`${endpoints.drive}/drive/folders/${folderId}?hl=en`, `${endpoints.drive}/embeddedfolderview?id=${folderId}`];
  let lastStatus = 0;
  for (const url of pages) {
    const res = await fetchText(url, { ...options, maxBytes: 32 * 1024 * 1024 });
    lastStatus = res.status;
    if (res.status === 404) continue;
    if (res.status !== 200) throw httpStatusError(res.status, url, { hint: 'Google Drive refused the folder page: check that the folder is shared as "Anyone with the link".' });
    if (/ServiceLogin|accounts\.google\.com\/v3\/signin/.test(res.url) || (/<title>Sign in/i.test(res.text) && !/_DRIVE_ivd/.test(res.text))) {
      throw new DownloadError('refused', `Google Drive asks for a sign-in to see folder ${folderId}: it is not shared publicly. Ask its owner to share it as "Anyone with the link", or download it in a browser.`, { url });
    }
    const items = parseDriveFolderPage(res.text);
    if (items === null) continue;
    const safe = items.filter((i) => /^[\w-]{10,}$/.test(i.id));
    return {
      folderId,
      files: safe.filter((i) => i.mimeType !== DRIVE_FOLDER_MIME),
      folders: safe.filter((i) => i.mimeType === DRIVE_FOLDER_MIME),
    };
  }
  throw new DownloadError(
    'html',
    `Could not read the file list of Google Drive folder ${folderId} (HTTP ${lastStatus}): the page layout may have changed, or the folder is not shared. Download the files in a browser and point the workbench at the folder.`,
    { url: pages[0] ?? null },
  );
}

/** The URL that delivers the file's bytes right now, after the confirmation step if Drive wants one. */
export async function resolveDriveFileUrl(
  fileId: string,
  endpoints: DriveEndpoints,
  options: { cookies?: CookieJar; signal?: AbortSignal; name?: string } = {},
): Promise<string> {
  const cookies = options.cookies ?? new CookieJar();
  const url = `${endpoints.usercontent}/download?id=${encodeURIComponent(fileId)}&export=download`;
  const label = options.name ? `"${options.name}" (${fileId})` : fileId;
  const res = await openGet(url, { cookies, ...(options.signal ? { signal: options.signal } : {}), headers: { 'accept-encoding': 'identity' } });
  const isHtml = /text\/html/i.test(String(res.headers['content-type'] ?? ''));
  if (res.status === 200 && !isHtml) {
    // Data straight away (a small file): the download itself fetches it again, with Range and hashing.
    res.body.destroy();
    return res.url;
  }
  const html = await readLimited(res.body);
  if (res.status === 401 || res.status === 403) throw refused('access', label, res.url);
  if (res.status === 404) throw new DownloadError('http', `Google Drive file ${label} does not exist (HTTP 404). Check the id.`, { url: res.url, status: 404 });
  if (res.status !== 200) throw httpStatusError(res.status, res.url);
  const verdict = interpretDriveDownloadPage(html, res.url, cookies.find(res.url, 'download_warning')?.value ?? null);
  // Not fetched here: the download itself requests the confirmed URL (a second request would cost a
  // connection per attempt and might spend a one-time token); a page there goes to explainDrivePage.
  if (verdict.kind === 'confirm') return verdict.url;
  throw verdictError(verdict, label, res.url);
}

/** The error for an HTML page met where Drive should have sent the file's data. */
export function explainDrivePage(html: string, url: string, label: string): DownloadError {
  const verdict = interpretDriveDownloadPage(html, url);
  return verdict.kind === 'confirm'
    ? new DownloadError('html', `Google Drive asked again to confirm the download of ${label}; it is retried.`, { url, retryable: true })
    : verdictError(verdict, label, url);
}

function verdictError(verdict: Exclude<DrivePageVerdict, { kind: 'confirm' }>, label: string, url: string): DownloadError {
  switch (verdict.kind) {
    case 'quota':
      return refused('quota', label, url);
    case 'sign-in':
      return refused('access', label, url);
    case 'not-found':
      return new DownloadError('http', `Google Drive file ${label} does not exist. Check the id.`, { url, status: 404 });
    default:
      return new DownloadError('html', `Google Drive answered file ${label} with an HTML page ("${verdict.title ?? 'untitled'}") instead of the data. Open ${url} in a browser to see why.`, { url });
  }
}

function refused(kind: 'quota' | 'access', label: string, url: string): DownloadError {
  return kind === 'quota'
    ? new DownloadError(
        'refused',
        `Google Drive refuses to serve ${label}: its download quota is exceeded (too many downloads in the last 24 hours). Try again later, or add the file to your own Drive ("Make a copy") and download the copy.`,
        { url },
      )
    : new DownloadError(
        'refused',
        `Google Drive denies access to ${label}: it is not shared publicly. Ask its owner to share it as "Anyone with the link".`,
        { url, status: 403 },
      );
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > MAX_PAGE_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A spec for one Drive file: its URL is resolved (confirmation included) before every attempt. */
export function driveFileSpec(file: DriveItem, destDir: string, endpoints: DriveEndpoints, options: { expectedSize?: number; sha256?: string } = {}): DownloadSpec {
  const name = safeName(file.name, file.id);
  const cookies = new CookieJar();
  return {
    url: `${endpoints.drive}/uc?id=${file.id}&export=download`,
    dest: path.join(destDir, name),
    resumeKey: `gdrive:${file.id}`,
    rejectHtml: true,
    explainHtml: (html, url) => explainDrivePage(html, url, `"${file.name}" (${file.id})`),
    cookies,
    ...(options.expectedSize !== undefined ? { expectedSize: options.expectedSize } : {}),
    ...(options.sha256 !== undefined ? { sha256: options.sha256 } : {}),
    resolve: async (signal) => ({ url: await resolveDriveFileUrl(file.id, endpoints, { cookies, name: file.name, ...(signal ? { signal } : {}) }) }),
  };
}

/** Specs for every file of a shared folder (sub-folders are reported, not followed). */
export async function driveFolderSpecs(
  folder: string,
  destDir: string,
  endpoints: DriveEndpoints,
  options: FetchTextOptions & { include?: (name: string) => boolean } = {},
): Promise<{ listing: DriveFolderListing; specs: DownloadSpec[] }> {
  const listing = await listDriveFolder(folder, endpoints, options);
  const include = options.include ?? (() => true);
  const specs = listing.files.filter((f) => include(f.name)).map((f) => driveFileSpec(f, destDir, endpoints));
  return { listing, specs };
}

function safeName(name: string, id: string): string {
  const cleaned = name.replace(/[/\\\0]/g, '_').trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? id : cleaned;
}
