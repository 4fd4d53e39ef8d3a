import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempStores } from './temp-store';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function runChild(file: string, runId: string, key: string, batches: number, startAt: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.mjs'), path.join(import.meta.dirname, 'append-child.ts'), file, runId, key, String(batches), String(startAt)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}

describe('two processes writing the same database', () => {
  const stores = useTempStores();

  it('both commit every batch: writers wait for the lock instead of failing', async () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'shared', origin: 'cli' });
    store.close();
    const startAt = Date.now() + 3000;
    await Promise.all([runChild(stores.file(), run.id, 'a', 400, startAt), runChild(stores.file(), run.id, 'b', 400, startAt)]);
    const check = stores.open();
    expect(check.metrics.listSeries(run.id).map((s) => [s.key, s.pointCount, s.lastStep])).toEqual([
      ['a', 8000, 7999],
      ['b', 8000, 7999],
    ]);
    expect(check.events.list({ runId: run.id, limit: 1000 })).toHaveLength(800);
  });
});
