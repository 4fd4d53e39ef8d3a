/**
 * The built-in dataset is registered by one function (DatasetService.registerBuiltin) whichever front
 * end builds it: `clipwb data build` and the API's datasets.buildBuiltin leave the same rows in a real
 * SQLite store, the training set with its `builtin:` spec (the wizard writes that into --train-data).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMain } from '../cli/run-main';
import { openWorkbenchStore } from '../../../src-main/app/compose';
import { startWebServer } from '../../../src-main/server/web-server';
import type { Dataset } from '../../../src-main/store';
import { until } from '../../helpers/until';

let home: string;

beforeAll(() => { home = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-builtin-reg-')); });
afterAll(() => { fs.rmSync(home, { recursive: true, force: true }); });

const comparable = (rows: Dataset[]) => rows
  .map(({ name, kind, type, path: p, scan }) => ({ name, kind, type, path: p, scan }))
  .sort((a, b) => a.path.localeCompare(b.path));

function rowsAndClear(): ReturnType<typeof comparable> {
  const ws = openWorkbenchStore(home);
  try {
    const rows = comparable(ws.datasets.list());
    for (const d of ws.datasets.list()) ws.datasets.remove(d.id);
    return rows;
  } finally {
    void ws.close();
  }
}

describe('built-in dataset registration', () => {
  it('is the same from the CLI and from the API', async () => {
    const cli = await runMain(['data', 'build', 'fashion-mnist', '--home', home]);
    expect(cli.code, cli.err).toBe(0);
    const fromCli = rowsAndClear();
    expect(fromCli.length).toBeGreaterThan(1);
    const train = fromCli.find((d) => d.type === 'train');
    expect(train).toMatchObject({ name: 'fashion-mnist (train)', kind: 'builtin', path: path.join(home, 'datasets', 'fashion-mnist') });
    expect(train?.scan).toMatchObject({ trainData: 'builtin:fashion-mnist' });
    expect(fromCli.filter((d) => d.type === 'eval').every((d) => d.kind === 'builtin')).toBe(true);

    // The same folder, built again (verified and reused) through the API.
    const server = await startWebServer({ home, port: 0, env: { ...process.env, PATH: '/nonexistent' } });
    try {
      expect(await server.app.call('datasets.buildBuiltin', { name: 'fashion-mnist' })).toEqual({ started: true });
      await until('the API build to register the dataset', () => server.app.store.datasets.list().length === fromCli.length, 120_000);
    } finally {
      await server.close();
    }
    expect(rowsAndClear()).toEqual(fromCli);
  }, 300_000);
});
