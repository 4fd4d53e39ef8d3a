/**
 * The web transport's boundary: token, origin and Host checks, body limits, validation with the field
 * named, and that a refused request changes nothing. A real server on 127.0.0.1 over a real store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { WebSocket } from 'ws';
import { startWebServer, type WebServer } from '../../../src-main/server/web-server';
import { encodeHeader } from '../../../src-worker/data/tar/header';

let server: WebServer;
let home: string;
const TOKEN = 'test-token-0123456789abcdef';

interface Reply { status: number; body: { result?: unknown; error?: { name: string; message: string; field?: string; status: number } } }

function request(method: string, body: unknown, o: { token?: string | null; headers?: Record<string, string>; raw?: string; httpMethod?: string } = {}): Promise<Reply> {
  const text = o.raw ?? JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: server.port, path: `/api/${method}`, method: o.httpMethod ?? 'POST',
      headers: {
        'content-type': 'application/json',
        ...(o.token === null ? {} : { authorization: `Bearer ${o.token ?? TOKEN}` }),
        ...o.headers,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const s = Buffer.concat(chunks).toString('utf8');
        try { resolve({ status: res.statusCode ?? 0, body: JSON.parse(s) as Reply['body'] }); } catch { resolve({ status: res.statusCode ?? 0, body: {} }); }
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-api-'));
  // No GPU here: an empty PATH entry first makes sure no nvidia-smi is found.
  server = await startWebServer({ home, port: 0, token: TOKEN, env: { ...process.env, PATH: '/nonexistent' } });
}, 60_000);

afterAll(async () => {
  await server?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('web API boundary', () => {
  it('answers a valid call', async () => {
    const r = await request('runs.list', {});
    expect(r.status).toBe(200);
    expect(r.body.result).toEqual({ runs: [] });
  });

  it('refuses calls without the token, or with a wrong one, with 401', async () => {
    expect((await request('runs.list', {}, { token: null })).status).toBe(401);
    const wrong = await request('runs.list', {}, { token: 'x'.repeat(TOKEN.length) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.message).toMatch(/token/);
  });

  it('refuses other origins and other Host names (DNS rebinding) with 403', async () => {
    expect((await request('runs.list', {}, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await request('runs.list', {}, { headers: { host: 'evil.example:80' } })).status).toBe(403);
    expect((await request('runs.list', {}, { headers: { origin: server.origin } })).status).toBe(200);
  });

  it('rejects malformed requests with 4xx, naming the field, and changes nothing', async () => {
    const before = (await request('runs.list', {})).body.result;
    const cases: [string, unknown, number, string | undefined][] = [
      ['runs.list', { bogus: 1 }, 400, 'bogus'],
      ['runs.list', { limit: 'ten' }, 400, 'limit'],
      ['runs.create', { config: { lr: -1, trainData: 'x.tar' } }, 400, 'lr'],
      ['runs.create', { config: { batch_size: 0 } }, 400, 'batchSize'],
      ['runs.create', { config: { warp_drive: true } }, 400, 'warp_drive'],
      // Known before the first step: an unknown eval task (found only at the first evaluation before) and a
      // per-sample state too large to allocate (a bare "Invalid typed array length" before).
      ['runs.create', { config: { trainData: 'builtin:fashion-mnist', evalTasks: ['fashion_mnist', 'no_such_task'] } }, 400, 'eval-tasks'],
      ['runs.create', { config: { trainData: 'builtin:fashion-mnist', fastclip: true, dataSize: 1e11 } }, 400, 'dataSize'],
      ['runs.get', { id: '../../etc/passwd' }, 400, 'id'],
      ['runs.get', { id: 'no-such-run' }, 404, undefined],
      ['datasets.add', { path: '../../etc', type: 'train' }, 400, 'path'],
      ['datasets.add', { path: '/definitely/not/here', type: 'train' }, 400, 'path'],
      ['downloads.start', { source: 'url', url: 'http://127.0.0.1:1/x', dest: '../../outside' }, 400, 'dest'],
      ['downloads.start', { source: 'url', url: 'file:///etc/passwd', dest: 'x' }, 400, 'url'],
      ['runs.series', { runId: 'r', key: 'train/loss', maxPoints: 10_000_000 }, 400, 'maxPoints'],
      ['no.such.method', {}, 404, undefined],
    ];
    for (const [method, body, status, field] of cases) {
      const r = await request(method, body);
      expect(r.status, `${method} ${JSON.stringify(body)}`).toBe(status);
      expect(r.body.error?.message.length).toBeGreaterThan(5);
      if (field) expect(r.body.error?.field, `${method} field`).toBe(field);
    }
    expect((await request('runs.list', {})).body.result).toEqual(before);
    expect(fs.existsSync(path.join(home, 'downloads'))).toBe(false);
  });

  it('deletes a run through the run service: its folder only with deleteFiles and only inside the data folder', async () => {
    const inside = path.join(server.app.layout.runs, 'to-delete');
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-outside-run-'));
    fs.mkdirSync(inside, { recursive: true });
    server.app.store.runs.create({ id: 'to-delete', name: 'to delete', origin: 'cli', status: 'finished', outDir: inside });
    server.app.store.runs.create({ id: 'kept-files', name: 'kept files', origin: 'cli', status: 'finished', outDir: outside });
    expect((await request('runs.delete', { id: 'to-delete', deleteFiles: true })).status).toBe(200);
    expect((await request('runs.delete', { id: 'kept-files', deleteFiles: true })).status).toBe(200);
    expect(fs.existsSync(inside)).toBe(false);
    expect(fs.existsSync(outside)).toBe(true);
    expect(server.app.store.runs.get('to-delete')).toBeUndefined();
    expect((await request('runs.delete', { id: 'to-delete' })).status).toBe(404);
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('rejects bodies that are not JSON, too large, or not POST', async () => {
    expect((await request('runs.list', null, { raw: '{not json' })).status).toBe(400);
    const huge = JSON.stringify({ config: { notes: 'x'.repeat(2 * 1024 * 1024) } });
    expect((await request('runs.validate', null, { raw: huge })).status).toBe(413);
    expect((await request('runs.list', null, { raw: '', httpMethod: 'GET' })).status).toBe(405);
    expect((await request('runs.list', {}, { headers: { 'content-type': 'text/plain' } })).status).toBe(415);
  });

  it('streams batched events over the WebSocket only with the token', async () => {
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events?token=wrong`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(refused).toBe(401);

    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events?token=${TOKEN}`);
    await new Promise((r) => ws.on('open', r));
    const received: { type: string; run?: { status: string } }[] = [];
    ws.on('message', (m) => received.push(...(JSON.parse(String(m)) as typeof received)));
    // A run whose shard exists (the pre-flight refuses missing ones) but holds no usable sample: it is
    // created, started, and fails in its worker with the reason.
    const shards = path.join(home, 'empty-shards');
    fs.mkdirSync(shards, { recursive: true });
    fs.writeFileSync(path.join(shards, '0.tar'), Buffer.concat([encodeHeader({ name: 'x.txt', size: 0 }), Buffer.alloc(1024)]));
    fs.writeFileSync(path.join(shards, 'vocab.json'), '{}');
    const created = await request('runs.create', { config: { trainData: path.join(shards, '0.tar'), trainNumSamples: 100, batchSize: 4, vocab: path.join(shards, 'vocab.json') } });
    expect(created.status).toBe(200);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !received.some((e) => e.type === 'run' && e.run?.status === 'failed')) await new Promise((r) => setTimeout(r, 200));
    ws.close();
    expect(received.some((e) => e.type === 'run' && e.run?.status === 'failed')).toBe(true);
    expect(received.some((e) => e.type === 'notification')).toBe(true);
    const runs = (await request('runs.list', {})).body.result as { runs: { status: string; error: string }[] };
    expect(runs.runs[0]?.status).toBe('failed');
    expect(runs.runs[0]?.error).toMatch(/--batch-size: the shards hold 0 usable sample/);
    expect(runs.runs[0]?.error).toMatch(/train-data/);
  }, 90_000);
});
