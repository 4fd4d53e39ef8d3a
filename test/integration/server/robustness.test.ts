/**
 * The web server never dies on a request. Each case below once killed `clipwb serve` (and orphaned the
 * runs it supervised): a malformed percent-encoding in the API path, a body shorter than its
 * Content-Length (a dropped SSH tunnel), a WebSocket frame over the size limit, an unmasked frame. Then a
 * bounded fuzz: a few thousand malformed requests and frames from a seeded generator, after which the
 * server must still answer. Static files never follow a symlink out of their folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { startWebServer, type WebServer } from '../../../src-main/server/web-server';
import { Rng } from '../../../src-worker/data/rng';

const TOKEN = 'test-token-0123456789abcdef';
let server: WebServer;
let home: string;
let staticDir: string;

/** Writes raw bytes on a fresh connection, then waits for the server's answer or close (bounded). */
function rawExchange(data: Buffer | string, o: { waitMs?: number; keepOpenMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(server.port, '127.0.0.1');
    const done = () => { clearTimeout(timer); socket.destroy(); resolve(Buffer.concat(chunks).toString('latin1')); };
    const timer = setTimeout(done, o.waitMs ?? 1000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => {
      socket.write(data);
      if (o.keepOpenMs !== undefined) setTimeout(() => socket.destroy(), o.keepOpenMs);
    });
  });
}

const headers = () => `Host: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\n`;

function listRuns(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: '/api/runs.list', method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

function wsHandshake(): string {
  const key = crypto.randomBytes(16).toString('base64');
  return `GET /events?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
}

/** One WebSocket frame; `mask` false makes the protocol violation a client must never send. */
function wsFrame(payload: Buffer, o: { mask: boolean; opcode?: number; declaredLength?: number }): Buffer {
  const len = o.declaredLength ?? payload.length;
  const head: number[] = [0x80 | (o.opcode ?? 1)];
  const maskBit = o.mask ? 0x80 : 0;
  if (len < 126) head.push(maskBit | len);
  else if (len < 65536) head.push(maskBit | 126, len >> 8, len & 0xff);
  else { head.push(maskBit | 127, 0, 0, 0, 0, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff); }
  if (!o.mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = crypto.randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-robust-'));
  staticDir = path.join(home, 'renderer');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>index</title>');
  fs.writeFileSync(path.join(home, 'secret.txt'), 'SECRET-OUTSIDE-THE-STATIC-FOLDER');
  fs.symlinkSync(path.join(home, 'secret.txt'), path.join(staticDir, 'escape.txt'));
  fs.symlinkSync(home, path.join(staticDir, 'up'));
  server = await startWebServer({ home, port: 0, token: TOKEN, staticDir, env: { ...process.env, PATH: '/nonexistent' } });
}, 60_000);

afterAll(async () => {
  await server?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('web server under malformed input', () => {
  it('answers 400 to an API path with broken percent-encoding', async () => {
    const reply = await rawExchange(`POST /api/%E0%A4%A HTTP/1.1\r\n${headers()}Content-Length: 2\r\nConnection: close\r\n\r\n{}`);
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(reply).toMatch(/percent-encoding/);
    expect(await listRuns()).toBe(200);
  });

  it('survives a client that closes before sending the body it announced', async () => {
    for (let i = 0; i < 5; i++) {
      await rawExchange(`POST /api/runs.list HTTP/1.1\r\n${headers()}Content-Length: 1000\r\n\r\n0123456789`, { keepOpenMs: 20, waitMs: 200 });
    }
    expect(await listRuns()).toBe(200);
  });

  it('closes a WebSocket that sends a frame over the limit or an unmasked frame, and keeps serving', async () => {
    const oversized = wsFrame(Buffer.alloc(70 * 1024, 0x61), { mask: true });
    const unmasked = wsFrame(Buffer.from('hello'), { mask: false });
    const declaredHuge = wsFrame(Buffer.alloc(16), { mask: true, declaredLength: 2 ** 31 });
    for (const frame of [oversized, unmasked, declaredHuge]) {
      const reply = await rawExchange(Buffer.concat([Buffer.from(wsHandshake()), frame]), { waitMs: 1500 });
      expect(reply).toMatch(/^HTTP\/1\.1 101/);
    }
    expect(await listRuns()).toBe(200);
  });

  it('never serves a file that a symlink leads out of the static folder', async () => {
    for (const p of ['/escape.txt', '/up/secret.txt', '/%2e%2e/secret.txt', '/../secret.txt']) {
      const reply = await rawExchange(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`);
      expect(reply, p).not.toContain('SECRET-OUTSIDE');
    }
    const index = await rawExchange(`GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`);
    expect(index).toContain('<title>index</title>');
  });

  it('still answers after a few thousand fuzzed requests and frames', async () => {
    const seeded = new Rng(20261203); // seeded, so that a failing case can be replayed
    const random = () => seeded.float();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD', 'BREW', ''];
    const paths = ['/api/runs.list', '/api/%', '/api/%ZZ', '/api/%E0%A4%A', '/api/runs.get', '/api/', '/events', '/%00', '//x', '/' + 'a'.repeat(5000), '/assets/../../etc/passwd', '*', 'http://[::1', '/api/runs.create'];
    const bodies = ['{}', '{', 'null', '[]', '"x"', '{"id":{"$gt":""}}', '{"config":{"batchSize":"x"}}', '\u0000\u0001', ''];
    const cases = 2400;
    const deadline = Date.now() + 120_000; // bounded in time as well as in count; nothing asserts on speed
    let sent = 0;
    const batch = 16;
    for (let i = 0; i < cases && Date.now() < deadline; i += batch) {
      const jobs: Promise<string>[] = [];
      for (let j = 0; j < batch; j++) {
        const kind = Math.floor(random() * 6);
        let data: Buffer | string;
        if (kind === 0) data = bytes(1 + Math.floor(random() * 200));
        else if (kind === 1) {
          const body = pick(bodies);
          const declared = random() < 0.3 ? body.length + Math.floor(random() * 100) : body.length;
          data = `${pick(methods)} ${pick(paths)} HTTP/1.1\r\n${headers()}Content-Length: ${declared}\r\n\r\n${body}`;
        } else if (kind === 2) data = `POST /api/runs.list HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n${bytes(40).toString('latin1')}\r\n\r\n`;
        else if (kind === 3) data = Buffer.concat([Buffer.from(wsHandshake()), wsFrame(bytes(Math.floor(random() * 300)), { mask: random() < 0.5, opcode: Math.floor(random() * 16) })]);
        else if (kind === 4) data = Buffer.concat([Buffer.from(wsHandshake()), bytes(1 + Math.floor(random() * 64))]);
        else data = `POST /api/runs.list HTTP/1.1\r\n${headers()}Transfer-Encoding: chunked\r\n\r\n${pick(['zz\r\n', '5\r\nab', 'ffffffffff\r\n', '0\r\n\r\n'])}`;
        jobs.push(rawExchange(data, { waitMs: 300, keepOpenMs: random() < 0.5 ? 5 : undefined }));
      }
      await Promise.all(jobs);
      sent += batch;
      if (sent % 400 === 0) expect(await listRuns(), `after ${sent} fuzz cases`).toBe(200);
    }
    expect(sent).toBeGreaterThanOrEqual(400);
    expect(await listRuns()).toBe(200);
  }, 240_000);
});
