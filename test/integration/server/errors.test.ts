/**
 * Errors through the real web server: the status follows from the error's kind (a missing run 404, an
 * action the run's state does not allow 409, a bad config 400), and the body carries kind, field and fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWebServer, type WebServer } from '../../../src-main/server/web-server';
import { postApi } from './post-api';

let server: WebServer;
let home: string;
const TOKEN = 'test-token-errors-0123456789';


const request = (method: string, body: unknown) => postApi<unknown>(server.port, TOKEN, method, body);

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-api-errors-'));
  server = await startWebServer({ home, port: 0, token: TOKEN, env: { ...process.env, PATH: '/nonexistent' } });
  // A run that has finished: nothing to pause, nothing to resume, no checkpoint to evaluate.
  server.app.store.runs.create({ id: 'done-run', name: 'done', origin: 'cli', status: 'finished' });
}, 60_000);

afterAll(async () => {
  await server?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('API errors by kind', () => {
  it('answers 404 not-found for a run that does not exist, whichever method names it', async () => {
    for (const [method, body] of [['runs.get', { id: 'no-such-run' }], ['runs.pause', { id: 'no-such-run' }], ['runs.delete', { id: 'no-such-run' }],
      ['runs.series', { runId: 'no-such-run', key: 'train/loss', maxPoints: 100 }], ['runs.logs', { runId: 'no-such-run' }]] as const) {
      const r = await request(method, body);
      expect(r.status, method).toBe(404);
      expect(r.body.error, method).toMatchObject({ status: 404, kind: 'not-found', name: 'StoreError' });
      expect(r.body.error?.message, method).toMatch(/no-such-run/);
    }
  });

  it('answers 409 conflict for an action the run\'s state does not allow', async () => {
    // "only a running run can pause" matched none of the old message patterns: it was a 500.
    const pause = await request('runs.pause', { id: 'done-run' });
    expect(pause.status).toBe(409);
    expect(pause.body.error).toMatchObject({ kind: 'conflict', message: expect.stringMatching(/only a running run can pause/) as unknown });
    const resume = await request('runs.resume', { id: 'done-run' });
    expect(resume.status).toBe(409);
    expect(resume.body.error?.kind).toBe('conflict');
    const evaluate = await request('runs.evaluate', { runId: 'done-run', tasks: ['cifar10'] });
    expect(evaluate.status).toBe(409);
    expect(evaluate.body.error).toMatchObject({ kind: 'conflict', field: 'runId' });
    // Nothing changed.
    expect(server.app.store.runs.require('done-run').status).toBe('finished');
  });

  it('answers 400 invalid for a bad config, with the field and the fix', async () => {
    const r = await request('runs.create', { config: { trainData: 'builtin:fashion-mnist', warp_drive: true } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ status: 400, kind: 'invalid', name: 'ConfigError', field: 'warp_drive' });
    expect(r.body.error?.fix).toEqual(expect.any(String));
    expect(r.body.error?.fix?.length).toBeGreaterThan(5);
    const validated = await request('runs.validate', { config: { trainData: 'builtin:fashion-mnist', warp_drive: true } });
    expect(validated.status).toBe(200);
    expect(validated.body.result).toMatchObject({ ok: false, errors: [{ field: 'warp_drive' }] });
  });

  it('keeps request validation as 400 ValidationError, now with its kind', async () => {
    const r = await request('runs.get', { id: '../../etc/passwd' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ name: 'ValidationError', kind: 'invalid', field: 'id' });
  });
});
