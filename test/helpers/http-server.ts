/**
 * A real HTTP server on 127.0.0.1 (random port) for tests of anything that downloads. It serves files
 * from memory or from a folder, honours Range / If-Range, and misbehaves on request: drops the
 * connection part-way through a body (per path, per attempt), answers 500 (or any status) for the
 * first N attempts, stalls until released, ignores Range, redirects. It can also pretend to be the
 * Hugging Face hub (resolve URLs, tree and revision API, LFS files redirected to a CDN on another
 * origin) and Google Drive (folder page, large-file confirmation interstitial, refusals).
 *
 *   const server = await TestHttpServer.start();
 *   server.addFile('/a.bin', bytes, { drop: { afterBytes: 1000, attempts: [1] } });
 *   ... download `${server.url}/a.bin` ...
 *   await server.close();
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface RouteOptions {
  contentType?: string;
  /** Sent as ETag and checked against If-Range. Default: a hash of the body. Null: no ETag. */
  etag?: string | null;
  headers?: Record<string, string>;
  /** Answer 200 with the whole body even when a Range is asked for. */
  ignoreRange?: boolean;
  /** Write `afterBytes` of the body, then destroy the socket, on these attempts (1-based; default [1]). */
  drop?: { afterBytes: number; attempts?: number[] };
  /** Answer `status` (default 500) to the first `count` attempts. */
  failFirst?: { count: number; status?: number; headers?: Record<string, string> };
  /** Write `afterBytes`, then wait for release(path) (or the client going away) before the rest. */
  stall?: { afterBytes: number; attempts?: number[] };
  /** Pause this long between 16 KiB chunks (to make transfers last long enough to observe). */
  chunkDelayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** 1-based count of requests to this path so far. */
  attempt: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, attempt: number) => Promise<void> | void;

interface FileRoute {
  kind: 'file';
  body: () => Promise<Buffer>;
  options: RouteOptions;
}

interface HandlerRoute {
  kind: 'handler';
  handler: Handler;
}

type Route = FileRoute | HandlerRoute;

export interface HubFile {
  path: string;
  content: Buffer | string;
  /** Stored through LFS: listed with lfs.oid (sha256) and size, served by a redirect to the CDN. */
  lfs?: boolean;
}

export interface HubRepoOptions {
  repo: string;
  type?: 'model' | 'dataset';
  revision?: string;
  /** 40-hex commit id the revision resolves to. Default: derived from the repo name. */
  commit?: string;
  files: HubFile[];
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Per-path route options (drops, 500s...) applied where the file's bytes are served. */
  fileOptions?: Record<string, RouteOptions>;
}

export interface DriveFileOptions {
  id: string;
  name: string;
  content: Buffer | string;
  /** Large files get the "can't scan for viruses" interstitial before the data. */
  large?: boolean;
  /**
   * Drive refuses: `quota` (an HTML page saying too many downloads), `access` (a sign-in redirect),
   * `quota-after-confirm` (the interstitial passes, the confirmed request gets the quota page).
   */
  refuse?: 'quota' | 'access' | 'quota-after-confirm';
  /** Applied where the bytes are served; `attempts` count this file's data requests, release() takes `/download/<id>`. */
  options?: RouteOptions;
}

export class TestHttpServer {
  readonly requests: RecordedRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly routes = new Map<string, Route>();
  private readonly attempts = new Map<string, number>();
  private readonly stalled = new Map<string, (() => void)[]>();
  private readonly released = new Set<string>();
  private cdn: TestHttpServer | null = null;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<TestHttpServer> {
    let self: TestHttpServer | null = null;
    const server = http.createServer((req, res) => {
      void self?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new TestHttpServer(server, `http://127.0.0.1:${port}`);
    return self;
  }

  async close(): Promise<void> {
    for (const path of this.stalled.keys()) this.release(path);
    await this.cdn?.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addFile(urlPath: string, content: Buffer | string, options: RouteOptions = {}): void {
    const body = Buffer.isBuffer(content) ? content : Buffer.from(content);
    this.routes.set(urlPath, { kind: 'file', body: async () => body, options });
  }

  /** Serves every file under `dir` at `<prefix>/<relative path>`, read at request time. */
  serveFolder(prefix: string, dir: string, options: RouteOptions = {}): void {
    this.routes.set(`${prefix.replace(/\/$/, '')}/*`, {
      kind: 'handler',
      handler: async (req, res, url, attempt) => {
        const rel = decodeURIComponent(url.pathname.slice(prefix.replace(/\/$/, '').length + 1));
        const file = path.resolve(dir, rel);
        if (!file.startsWith(path.resolve(dir) + path.sep)) return sendStatus(res, 403);
        try {
          if (!(await stat(file)).isFile()) return sendStatus(res, 404);
        } catch {
          return sendStatus(res, 404);
        }
        await this.sendFile(req, res, url.pathname, attempt, await readFile(file), options);
      },
    });
  }

  /** Any custom answer; `urlPath` may end in `/*` to match a prefix. */
  addHandler(urlPath: string, handler: Handler): void {
    this.routes.set(urlPath, { kind: 'handler', handler });
  }

  redirect(from: string, to: string, status = 302): void {
    this.addHandler(from, (_req, res) => {
      res.writeHead(status, { location: to });
      res.end();
    });
  }

  /** Lets stalled responses on `urlPath` send the rest of their body (and future ones not stall). */
  release(urlPath: string): void {
    this.released.add(urlPath);
    for (const resume of this.stalled.get(urlPath) ?? []) resume();
    this.stalled.delete(urlPath);
  }

  /** Requests for one path. */
  requestsFor(urlPath: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === urlPath);
  }

  /** Resolves once `count` requests for `urlPath` are stalled (waiting for release). */
  async waitForStalled(urlPath: string, count = 1): Promise<void> {
    while ((this.stalled.get(urlPath)?.length ?? 0) < count) await new Promise((r) => setTimeout(r, 5));
  }

  /** Emulates a Hugging Face hub repository at this server's URL (use it as HF_ENDPOINT). */
  async addHubRepo(options: HubRepoOptions): Promise<{ commit: string }> {
    const cdn = this.cdn ?? (this.cdn = await TestHttpServer.start());
    const type = options.type ?? 'model';
    const revision = options.revision ?? 'main';
    const commit = options.commit ?? createHash('sha1').update(`${options.repo}@${revision}`).digest('hex');
    const repoPrefix = `${type === 'dataset' ? '/datasets' : ''}/${options.repo}`;
    const apiPrefix = `/api/${type}s/${options.repo}`;
    const files = options.files.map((f) => {
      const content = Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content);
      return { ...f, content, sha256: createHash('sha256').update(content).digest('hex'), blob: createHash('sha1').update(content).digest('hex') };
    });
    for (const f of files) {
      if (f.lfs) cdn.addFile(`/lfs/${f.sha256}`, f.content, { ...(options.fileOptions?.[f.path] ?? {}), etag: `"${f.sha256}"` });
    }
    const knownRev = (rev: string) => rev === revision || rev === commit;
    const authorised = (req: IncomingMessage) => !options.token || req.headers.authorization === `Bearer ${options.token}`;
    const deny = (res: ServerResponse) => hubError(res, 401, 'RepoNotFound', 'Repository not found');

    this.addHandler(`${apiPrefix}/*`, (req, res, url) => {
      if (!authorised(req)) return deny(res);
      const rest = url.pathname.slice(apiPrefix.length + 1);
      const revisionMatch = /^revision\/(.+)$/.exec(rest);
      if (revisionMatch) {
        const rev = decodeURIComponent(revisionMatch[1] ?? '');
        if (!knownRev(rev)) return hubError(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
        return sendJson(res, { id: options.repo, sha: commit, siblings: files.map((f) => ({ rfilename: f.path })) });
      }
      const treeMatch = /^tree\/([^/]+)(?:\/(.*))?$/.exec(rest);
      if (!treeMatch) return hubError(res, 404, 'EntryNotFound', 'Unknown API path');
      const rev = decodeURIComponent(treeMatch[1] ?? '');
      if (!knownRev(rev)) return hubError(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      const under = treeMatch[2] ? decodeURIComponent(treeMatch[2]).replace(/\/$/, '') : '';
      const recursive = url.searchParams.get('recursive') === 'true' || url.searchParams.get('recursive') === '1';
      const entries = treeEntries(files, under, recursive);
      // Paginate like the hub: a cursor in a Link header, two entries per page so tests see several pages.
      const cursor = Number(url.searchParams.get('cursor') ?? '0');
      const page = entries.slice(cursor, cursor + 2);
      const headers: Record<string, string> = {};
      if (cursor + 2 < entries.length) {
        const next = new URL(url.href, this.url);
        next.searchParams.set('cursor', String(cursor + 2));
        headers.link = `<${this.url}${next.pathname}${next.search}>; rel="next"`;
      }
      return sendJson(res, page, headers);
    });

    this.addHandler(`${repoPrefix}/resolve/*`, async (req, res, url, attempt) => {
      if (!authorised(req)) return deny(res);
      const rest = url.pathname.slice(`${repoPrefix}/resolve/`.length);
      const slash = rest.indexOf('/');
      const rev = decodeURIComponent(rest.slice(0, slash));
      const filePath = rest
        .slice(slash + 1)
        .split('/')
        .map(decodeURIComponent)
        .join('/');
      if (!knownRev(rev)) return hubError(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      const file = files.find((f) => f.path === filePath);
      if (!file) return hubError(res, 404, 'EntryNotFound', `${filePath} does not exist on "${rev}"`);
      const common = { 'x-repo-commit': commit, 'x-linked-size': String(file.content.length) };
      if (file.lfs) {
        res.writeHead(302, { ...common, 'x-linked-etag': `"${file.sha256}"`, location: `${cdn.url}/lfs/${file.sha256}?X-Amz-Signature=${randomBytes(8).toString('hex')}` });
        res.end();
        return;
      }
      await this.sendFile(req, res, url.pathname, attempt, file.content, { ...(options.fileOptions?.[file.path] ?? {}), etag: `"${file.blob}"`, headers: common });
    });
    return { commit };
  }

  /** The CDN that hub LFS files redirect to (another origin), to inspect its requests. */
  get hubCdn(): TestHttpServer | null {
    return this.cdn;
  }

  /**
   * Emulates a shared Google Drive folder and its files. The same server answers for drive.google.com
   * (folder page, /uc) and drive.usercontent.google.com (/download), so point both base URLs here.
   */
  addDriveFolder(folderId: string, files: DriveFileOptions[], options: { title?: string } = {}): void {
    const items = files.map((f) => [f.id, [folderId], f.name, 'application/x-tar', 0, null, 0, 0, 0, Buffer.byteLength(f.content)]);
    const ivd = jsSingleQuoted(JSON.stringify([items, null, null, null, [], 1]));
    this.addHandler(`/drive/folders/${folderId}`, (_req, res) => {
      sendHtml(res, `<!DOCTYPE html><html><head><title>${options.title ?? 'dataset'} - Google Drive</title></head><body><script nonce="x">window['_DRIVE_ivd'] = '${ivd}';if (window['_DRIVE_ivdc']) {window['_DRIVE_ivdc']();}</script></body></html>`);
    });
    const tokens = new Map<string, string>();
    const byId = new Map(files.map((f) => [f.id, f]));
    this.addHandler('/uc', (_req, res, url) => {
      // drive.google.com/uc now forwards to drive.usercontent.google.com/download.
      res.writeHead(303, { location: `${this.url}/download?id=${url.searchParams.get('id') ?? ''}&export=download` });
      res.end();
    });
    this.addHandler('/ServiceLogin', (_req, res) => sendHtml(res, '<html><head><title>Sign in - Google Accounts</title></head><body>Sign in to continue to Google Drive</body></html>'));
    const dataAttempts = new Map<string, number>();
    this.addHandler('/download', async (req, res, url) => {
      const id = url.searchParams.get('id') ?? '';
      const file = byId.get(id);
      if (!file) return sendHtml(res, '<html><title>Google Drive - Page Not Found</title><body>Sorry, the file you have requested does not exist.</body></html>', 404);
      if (file.refuse === 'access') {
        res.writeHead(302, { location: `${this.url}/ServiceLogin?continue=${encodeURIComponent(url.href)}` });
        res.end();
        return;
      }
      const confirmed = url.searchParams.get('confirm') === 't' && tokens.get(id) === url.searchParams.get('uuid');
      if (file.refuse === 'quota' || (file.refuse === 'quota-after-confirm' && confirmed)) {
        return sendHtml(
          res,
          '<html><head><title>Google Drive - Quota exceeded</title></head><body><p>Sorry, you can\'t view or download this file at this time.</p><p>Too many users have viewed or downloaded this file recently. Please try accessing the file again later.</p></body></html>',
        );
      }
      if ((file.large || file.refuse === 'quota-after-confirm') && !confirmed) {
        const uuid = randomBytes(8).toString('hex');
        tokens.set(id, uuid);
        res.setHeader('set-cookie', `download_warning_13058876669334088843_${id}=${uuid}; Domain=127.0.0.1; Path=/; HttpOnly`);
        return sendHtml(
          res,
          `<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title></head><body><div class="uc-main"><div id="uc-text"><p class="uc-warning-caption">Google Drive can't scan this file for viruses.</p><p class="uc-warning-subcaption"><span class="uc-name-size"><a href="/open?id=${id}">${file.name}</a> (${Buffer.byteLength(file.content)})</span> is too large for Google to scan for viruses. Would you still like to download this file?</p><form id="download-form" action="${this.url}/download" method="get"><input type="submit" id="uc-download-link" class="goog-inline-block jfk-button jfk-button-action" value="Download anyway"/><input type="hidden" name="id" value="${id}"><input type="hidden" name="export" value="download"><input type="hidden" name="confirm" value="t"><input type="hidden" name="uuid" value="${uuid}"></form></div></div></body></html>`,
        );
      }
      const content = Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content);
      // Drops and stalls count the data requests of this file, not every request to /download.
      const dataAttempt = (dataAttempts.get(id) ?? 0) + 1;
      dataAttempts.set(id, dataAttempt);
      await this.sendFile(req, res, `/download/${id}`, dataAttempt, content, {
        contentType: 'application/octet-stream',
        headers: { 'content-disposition': `attachment; filename="${file.name}"` },
        ...(file.options ?? {}),
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const attempt = (this.attempts.get(url.pathname) ?? 0) + 1;
    this.attempts.set(url.pathname, attempt);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, url: `${url.pathname}${url.search}`, headers: req.headers, attempt });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let counted = true;
    const done = () => {
      if (counted) this.inFlight--;
      counted = false;
    };
    res.on('close', done);
    try {
      const route = this.findRoute(url.pathname);
      if (!route) return sendStatus(res, 404);
      if (route.kind === 'handler') await route.handler(req, res, url, attempt);
      else await this.sendFile(req, res, url.pathname, attempt, await route.body(), route.options);
    } catch (err) {
      if (!res.headersSent) sendStatus(res, 500, String(err));
      else res.destroy();
    }
  }

  private findRoute(pathname: string): Route | undefined {
    const exact = this.routes.get(pathname);
    if (exact) return exact;
    let best: [string, Route] | undefined;
    for (const [key, route] of this.routes) {
      if (key.endsWith('/*') && pathname.startsWith(key.slice(0, -1)) && (!best || key.length > best[0].length)) best = [key, route];
    }
    return best?.[1];
  }

  private async sendFile(req: IncomingMessage, res: ServerResponse, urlPath: string, attempt: number, body: Buffer, options: RouteOptions): Promise<void> {
    if (options.failFirst && attempt <= options.failFirst.count) {
      return sendStatus(res, options.failFirst.status ?? 500, 'injected failure', options.failFirst.headers);
    }
    const etag = options.etag === undefined ? `"${createHash('sha1').update(body).digest('hex')}"` : options.etag;
    const headers: Record<string, string> = {
      'content-type': options.contentType ?? 'application/octet-stream',
      'accept-ranges': options.ignoreRange ? 'none' : 'bytes',
      ...(etag ? { etag } : {}),
      ...(options.headers ?? {}),
    };
    let start = 0;
    let end = body.length - 1;
    let status = 200;
    const range = req.headers.range;
    const ifRange = req.headers['if-range'];
    const rangeApplies = range && !options.ignoreRange && (!ifRange || ifRange === etag);
    if (rangeApplies) {
      const m = /^bytes=(\d+)-(\d*)$/.exec(range);
      if (!m) return sendStatus(res, 400, 'bad range');
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` });
        res.end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${body.length}`;
    }
    const slice = body.subarray(start, end + 1);
    headers['content-length'] = String(slice.length);
    res.writeHead(status, headers);

    const dropAt = options.drop && (options.drop.attempts ?? [1]).includes(attempt) ? options.drop.afterBytes : null;
    const stallAt = options.stall && (options.stall.attempts ?? [1]).includes(attempt) && !this.released.has(urlPath) ? options.stall.afterBytes : null;
    const chunk = 16 * 1024;
    let sent = 0;
    while (sent < slice.length) {
      if (res.destroyed) return;
      let next = Math.min(slice.length, sent + chunk);
      if (dropAt !== null && next > dropAt) next = Math.max(sent, dropAt);
      if (stallAt !== null && sent < stallAt && next > stallAt) next = stallAt;
      if (next > sent) await write(res, slice.subarray(sent, next));
      sent = next;
      if (dropAt !== null && sent >= dropAt) {
        // The bytes are with the OS; a short pause lets them reach the client before the cut.
        await new Promise((r) => setTimeout(r, 20));
        res.socket?.destroy();
        return;
      }
      if (stallAt !== null && sent === stallAt) {
        await new Promise<void>((resume) => {
          if (this.released.has(urlPath)) return resume();
          this.stalled.set(urlPath, [...(this.stalled.get(urlPath) ?? []), resume]);
          res.once('close', resume);
        });
      }
      if (options.chunkDelayMs) await new Promise((r) => setTimeout(r, options.chunkDelayMs));
    }
    res.end();
  }
}

/** Resolves once the bytes are handed to the OS (or the client is gone), so a drop right after cuts exactly there. */
function write(res: ServerResponse, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      res.off('close', finish);
      resolve();
    };
    res.on('close', finish);
    res.write(data, () => finish());
  });
}

function sendStatus(res: ServerResponse, status: number, text = http.STATUS_CODES[status] ?? '', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(text);
}

function sendJson(res: ServerResponse, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

function sendHtml(res: ServerResponse, html: string, status = 200): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
}

function hubError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-error-code': code, 'x-error-message': message });
  res.end(JSON.stringify({ error: message }));
}

/** Tree API entries: files and the folders above them, directly under `under` or (recursive) below it. */
function treeEntries(files: { path: string; content: Buffer; lfs?: boolean; sha256: string; blob: string }[], under: string, recursive: boolean): unknown[] {
  const prefix = under === '' ? '' : `${under}/`;
  const dirs = new Set<string>();
  const out: unknown[] = [];
  for (const f of files) {
    if (!f.path.startsWith(prefix)) continue;
    const rest = f.path.slice(prefix.length).split('/');
    for (let i = 1; i < rest.length; i++) {
      if (!recursive && i > 1) break;
      dirs.add(prefix + rest.slice(0, i).join('/'));
    }
    if (!recursive && rest.length > 1) continue;
    out.push({
      type: 'file',
      oid: f.blob,
      size: f.content.length,
      path: f.path,
      ...(f.lfs ? { lfs: { oid: f.sha256, size: f.content.length, pointerSize: 134 } } : {}),
    });
  }
  const dirEntries = [...dirs].sort().map((d) => ({ type: 'directory', oid: createHash('sha1').update(d).digest('hex'), size: 0, path: d }));
  return [...dirEntries, ...out];
}

/** JSON as Google embeds it in a single-quoted JS string: quotes, brackets and slashes as \xNN. */
function jsSingleQuoted(text: string): string {
  return text.replace(/[\\'"[\]{}/<>&=]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
