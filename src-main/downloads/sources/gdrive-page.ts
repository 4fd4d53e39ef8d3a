/**
 * Pure readers for the HTML Google Drive answers with: a shared folder's page (its items are embedded
 * as a JS-escaped JSON string in `window['_DRIVE_ivd']`, or listed as `flip-entry` blocks in the
 * `embeddedfolderview` page), and the pages a download can meet instead of data: the large-file
 * "can't scan for viruses" interstitial (a form to submit, or an older confirm link / cookie), the
 * quota page, a sign-in page.
 */
export interface DriveItem {
  id: string;
  name: string;
  mimeType: string | null;
}

export const DRIVE_FOLDER_MIME = 'application/vnd.google-apps.folder';

/** Decodes a JS single-quoted string literal body (\xNN, \uNNNN, \n, \/, \\, \'). */
export function decodeJsString(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_m, e: string) => {
    if (e[0] === 'x' || e[0] === 'u') return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' } as Record<string, string>)[e] ?? e;
  });
}

function decodeHtmlEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCharCode(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Items of a folder page, or null when the page carries no listing (not a folder page, or not shared). */
export function parseDriveFolderPage(html: string): DriveItem[] | null {
  const ivd = /window\[['"]_DRIVE_ivd['"]\]\s*=\s*'((?:[^'\\]|\\.)*)'/.exec(html);
  if (ivd?.[1] !== undefined) {
    let data: unknown;
    try {
      data = JSON.parse(decodeJsString(ivd[1]));
    } catch {
      return null;
    }
    const rows = Array.isArray(data) && Array.isArray(data[0]) ? (data[0] as unknown[]) : [];
    const items: DriveItem[] = [];
    for (const row of rows) {
      if (!Array.isArray(row) || typeof row[0] !== 'string' || typeof row[2] !== 'string') continue;
      items.push({ id: row[0], name: row[2], mimeType: typeof row[3] === 'string' ? row[3] : null });
    }
    return items;
  }
  if (/class="flip-entry"/.test(html)) {
    const items: DriveItem[] = [];
    const entry = /<div class="flip-entry" id="entry-([\w-]+)"[\s\S]*?<div class="flip-entry-title">([^<]*)<\/div>/g;
    for (let m = entry.exec(html); m; m = entry.exec(html)) {
      const block = m[0];
      const isFolder = /\/drive\/folders\//.test(block);
      items.push({ id: m[1] ?? '', name: decodeHtmlEntities(m[2] ?? '').trim(), mimeType: isFolder ? DRIVE_FOLDER_MIME : null });
    }
    return items;
  }
  return null;
}

export type DrivePageVerdict =
  | { kind: 'confirm'; url: string }
  | { kind: 'quota' }
  | { kind: 'sign-in' }
  | { kind: 'not-found' }
  | { kind: 'unknown'; title: string | null };

/**
 * What an HTML answer to a download request means. `pageUrl` resolves relative links;
 * `warningCookie` is the value of a `download_warning*` cookie, if the page set one.
 */
export function interpretDriveDownloadPage(html: string, pageUrl: string, warningCookie: string | null = null): DrivePageVerdict {
  const form = /<form[^>]*id="download-form"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (form) {
    const action = /action="([^"]+)"/i.exec(form[0])?.[1];
    if (action) {
      const url = new URL(decodeHtmlEntities(action), pageUrl);
      const input = /<input[^>]*type="hidden"[^>]*>/gi;
      for (let m = input.exec(form[1] ?? ''); m; m = input.exec(form[1] ?? '')) {
        const name = /name="([^"]*)"/i.exec(m[0])?.[1];
        const value = /value="([^"]*)"/i.exec(m[0])?.[1] ?? '';
        if (name) url.searchParams.set(name, decodeHtmlEntities(value));
      }
      return { kind: 'confirm', url: url.href };
    }
  }
  const link = /href="([^"]*[?&](?:amp;)?confirm=[\w-]+[^"]*)"/i.exec(html);
  if (link?.[1]) return { kind: 'confirm', url: new URL(decodeHtmlEntities(link[1]), pageUrl).href };
  if (/Quota exceeded|Too many users have viewed or downloaded this file recently/i.test(html)) return { kind: 'quota' };
  if (/ServiceLogin|accounts\.google\.com|<title>Sign in/i.test(html)) return { kind: 'sign-in' };
  if (/Page Not Found|does not exist/i.test(html)) return { kind: 'not-found' };
  if (warningCookie) {
    const url = new URL(pageUrl);
    url.searchParams.set('confirm', warningCookie);
    return { kind: 'confirm', url: url.href };
  }
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1] ?? null;
  return { kind: 'unknown', title: title === null ? null : decodeHtmlEntities(title).trim() };
}
