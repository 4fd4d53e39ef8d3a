/**
 * Web mode: the app's API over HTTP (POST /api/<method>) and its events over a WebSocket (/events),
 * plus the built renderer, on 127.0.0.1 by default. Every API and event request needs the token printed
 * in the URL; other origins, other Host names (DNS rebinding) and oversized bodies are refused before
 * anything runs.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { WorkbenchApp, type AppOptions } from '../app/app';
import { toApiError } from '../app/api-error';
import { composeWorkbench } from '../app/compose';
import { ApiError } from '../../src-shared/api/contract';
import { WorkbenchError } from '../../src-shared/errors';

export const MAX_BODY_BYTES = 1 << 20;

export interface WebServerOptions extends AppOptions {
  host?: string;
  port?: number;
  token?: string;
  /** Folder of the built renderer (default out/renderer). */
  staticDir?: string;
  /** An app already started (tests, Electron's fallback); otherwise one is started and owned. */
  app?: WorkbenchApp;
}

export interface WebServer {
  url: string;
  origin: string;
  port: number;
  token: string;
  app: WorkbenchApp;
  /** Whether the built app (index.html) is there to serve; the API works either way. */
  appBuilt: boolean;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
};
const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' };

function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...SECURITY_HEADERS });
  res.end(text);
}

function sendError(res: http.ServerResponse, err: ApiError): void {
  sendJson(res, err.status, { error: err.toBody() });
}

/** The last resort for a handler that threw: a 500 if nothing was sent yet, else drop the connection. */
function failRequest(res: http.ServerResponse, err: unknown): void {
  if (res.headersSent || res.destroyed) { res.destroy(); return; }
  try { sendError(res, toApiError(err)); } catch { res.destroy(); }
}

function parseRequestUrl(raw: string | undefined): URL | null {
  try { return new URL(raw ?? '/', 'http://localhost'); } catch { return null; }
}

/**
 * The file a static path names, if it is a regular file inside `root` once every symlink is resolved;
 * null otherwise (the caller serves index.html, the single-page app's fallback).
 */
export async function staticFileInside(root: string, rel: string): Promise<string | null> {
  try {
    const realRoot = await fs.promises.realpath(root);
    const real = await fs.promises.realpath(path.resolve(root, `.${rel}`));
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
    return (await fs.promises.stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

export async function startWebServer(o: WebServerOptions = {}): Promise<WebServer> {
  const host = o.host ?? '127.0.0.1';
  const token = o.token ?? crypto.randomBytes(24).toString('base64url');
  if (token.length < 16) throw new WorkbenchError('--token must be at least 16 characters', { kind: 'invalid', field: 'token' });
  const staticDir = o.staticDir ?? path.resolve(here, '..', '..', 'out', 'renderer');
  const ownsApp = !o.app;
  const app = o.app ?? WorkbenchApp.start(await composeWorkbench({ ...o, origin: 'app' }), { env: o.env });
  let origin = '';
  let allowedHosts = new Set<string>();

  const checkRequestOrigin = (req: http.IncomingMessage): ApiError | null => {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(hostHeader)) return new ApiError(403, `Host "${hostHeader}" is not this server; open ${origin}`, undefined, 'Forbidden');
    const reqOrigin = req.headers.origin;
    if (reqOrigin !== undefined && !allowedHosts.has(reqOrigin.replace(/^https?:\/\//, '').toLowerCase())) {
      return new ApiError(403, `requests from origin ${reqOrigin} are refused`, undefined, 'Forbidden');
    }
    return null;
  };

  const server = http.createServer((req, res) => {
    // A client that goes away mid-request (a dropped SSH tunnel) must cost us nothing but its socket.
    req.on('error', () => req.destroy());
    res.on('error', () => res.destroy());
    const url = parseRequestUrl(req.url);
    if (!url) { sendError(res, new ApiError(400, 'the request URL cannot be parsed')); return; }
    const bad = checkRequestOrigin(req);
    if (bad) { sendError(res, bad); return; }
    const handled = url.pathname.startsWith('/api/')
      ? handleApi(req, res, url)
      : req.method !== 'GET' && req.method !== 'HEAD'
        ? Promise.resolve(sendError(res, new ApiError(405, `${req.method} is not allowed here`)))
        : serveStatic(url.pathname, res);
    handled.catch((err: unknown) => failRequest(res, err));
  });
  // Malformed HTTP (bad request lines, oversized headers): answer 400 where the socket still takes it.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });

  const handleApi = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    if (req.method !== 'POST') { sendError(res, new ApiError(405, 'API calls are POST requests with a JSON body')); return; }
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7) : (req.headers['x-clipwb-token'] as string | undefined);
    if (!tokenMatches(given, token)) { sendError(res, new ApiError(401, 'missing or wrong token: open the URL that `clipwb serve` printed', undefined, 'Unauthorized')); return; }
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('application/json')) { sendError(res, new ApiError(415, 'send the request body as application/json')); return; }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) { sendError(res, new ApiError(413, `request body over ${MAX_BODY_BYTES} bytes`)); req.resume(); return; }
    let method: string;
    try { method = decodeURIComponent(url.pathname.slice('/api/'.length)); } catch {
      sendError(res, new ApiError(400, 'the API method in the URL is not valid percent-encoding')); req.resume(); return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    try {
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) { tooBig = true; break; }
        chunks.push(chunk as Buffer);
      }
    } catch {
      // The client closed before sending the body it announced: nobody is left to answer.
      res.destroy();
      return;
    }
    if (tooBig) { sendError(res, new ApiError(413, `request body over ${MAX_BODY_BYTES} bytes`)); req.destroy(); return; }
    let body: unknown = {};
    if (size > 0) {
      try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { sendError(res, new ApiError(400, 'the request body is not valid JSON')); return; }
    }
    try {
      sendJson(res, 200, { result: await app.call(method, body) });
    } catch (err) {
      sendError(res, toApiError(err));
    }
  };

  const serveStatic = async (pathname: string, res: http.ServerResponse): Promise<void> => {
    const index = path.join(staticDir, 'index.html');
    if (!fs.existsSync(index)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end('The app is not built yet: run `npm run build:web` in the workbench folder, then reload. The API is available at /api/.');
      return;
    }
    let rel: string;
    try { rel = decodeURIComponent(pathname); } catch { sendError(res, new ApiError(400, 'bad path')); return; }
    const target = (await staticFileInside(staticDir, rel)) ?? index;
    res.writeHead(200, { 'content-type': MIME[path.extname(target)] ?? 'application/octet-stream', ...SECURITY_HEADERS });
    const stream = fs.createReadStream(target);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = parseRequestUrl(req.url);
    const bad = checkRequestOrigin(req);
    const reject = (status: number, text: string) => { if (socket.writable) socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n\r\n`); socket.destroy(); };
    if (!url) { reject(400, 'Bad Request'); return; }
    if (bad) { reject(403, 'Forbidden'); return; }
    if (url.pathname !== '/events') { reject(404, 'Not Found'); return; }
    if (!tokenMatches(url.searchParams.get('token'), token)) { reject(401, 'Unauthorized'); return; }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // Protocol violations (an unmasked frame, a frame over maxPayload) close this socket, not the server.
      ws.on('error', () => { sockets.delete(ws); ws.terminate(); });
      // The renderer only listens; anything it sends is ignored.
      ws.on('message', () => undefined);
    });
  });
  const unsubscribe = app.subscribe((events) => {
    const text = JSON.stringify(events, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 7860, host, () => resolve());
    });
  } catch (err) {
    // A busy port, say: release what was started for this server before reporting it.
    unsubscribe();
    wss.close();
    if (ownsApp) await app.close();
    throw err;
  }
  const port = (server.address() as { port: number }).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  origin = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${host}:${port}`]);
  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    origin,
    port,
    token,
    app,
    appBuilt: fs.existsSync(path.join(staticDir, 'index.html')),
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.close();
      wss.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
      if (ownsApp) await app.close();
    },
  };
}
