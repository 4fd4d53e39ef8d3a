/**
 * The API's path policy: places the workbench writes (run folders, download destinations) stay inside
 * the data folder, symlinks included; inputs may live anywhere but in /proc, /sys or /dev; and no error
 * message quotes the contents of a file the client named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWebServer, type WebServer } from '../../../src-main/server/web-server';
import { postApi } from './post-api';

const TOKEN = 'test-token-0123456789abcdef';
let server: WebServer;
let root: string;
let home: string;


const call = (method: string, body: unknown) => postApi(server.port, TOKEN, method, body);

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-paths-'));
  home = path.join(root, 'home');
  fs.mkdirSync(path.join(home, 'downloads'), { recursive: true });
  fs.mkdirSync(path.join(root, 'outside'));
  fs.symlinkSync(path.join(root, 'outside'), path.join(home, 'downloads', 'escape'));
  fs.writeFileSync(path.join(root, 'secret.json'), 'SECRET-CONTENTS do not show me');
  server = await startWebServer({ home, port: 0, token: TOKEN, env: { ...process.env, PATH: '/nonexistent' } });
}, 60_000);

afterAll(async () => {
  await server?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('API path policy', () => {
  it('refuses download destinations outside the downloads folder, through symlinks too, with 400 naming dest', async () => {
    for (const dest of ['.', '', 'escape/file.bin', '../clipwb.sqlite']) {
      const r = await call('downloads.start', { source: 'url', url: 'http://127.0.0.1:1/x', dest });
      expect(r.status, dest).toBe(400);
      expect(r.body.error?.field, dest).toBe('dest');
    }
    expect(fs.readdirSync(path.join(root, 'outside'))).toEqual([]);
    expect((await call('downloads.list', {})).body.result?.downloads).toEqual([]);
  });

  it('refuses run folders (logs) outside the data folder, and creates nothing', async () => {
    const elsewhere = path.join(root, 'outside', 'runs');
    const config = { trainData: 'builtin:fashion-mnist', logs: elsewhere };
    const created = await call('runs.create', { config });
    expect(created.status).toBe(400);
    expect(created.body.error?.field).toBe('logs');
    const validated = await call('runs.validate', { config });
    expect(validated.status).toBe(200);
    expect(validated.body.result?.ok).toBe(false);
    expect((validated.body.result?.errors as { field: string }[])[0]?.field).toBe('logs');
    expect(fs.existsSync(elsewhere)).toBe(false);
    expect((await call('runs.list', {})).body.result?.runs).toEqual([]);
  });

  it('refuses data sets in /proc, /sys or /dev', async () => {
    for (const p of ['/proc/self', '/sys/kernel', '/dev']) {
      const r = await call('datasets.add', { path: p, type: 'train' });
      expect(r.status, p).toBe(400);
      expect(r.body.error?.field).toBe('path');
    }
    expect((await call('datasets.list', {})).body.result?.datasets).toEqual([]);
  });

  it('never quotes a named file in an error message', async () => {
    const r = await call('runs.validate', { config: { trainData: 'builtin:fashion-mnist', model: path.join(root, 'secret.json') } });
    const text = JSON.stringify(r.body);
    expect(text).toMatch(/not valid JSON/);
    expect(text).not.toContain('SECRET');
    const passwd = await call('runs.validate', { config: { trainData: 'builtin:fashion-mnist', model: '/proc/self/environ' } });
    expect(JSON.stringify(passwd.body)).toMatch(/proc/);
    expect(passwd.body.result?.ok ?? false).toBe(false);
  });
});
