/**
 * `clipwb runs list` / `runs show` after the supervising process and the workers of a run died (kill -9
 * of the CLI, a reboot): the run is shown as interrupted, not running, as the next run service would
 * mark it; a run whose log was written a moment ago is left alone (its supervisor may be recording
 * how it ended).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src-main/store';
import { makeWorkspace, trainArgs, type Workspace } from '../runs/fixture';
import { openHarness } from '../runs/service-harness';
import { runMain } from './run-main';

describe('runs list and show with dead runs', () => {
  let ws: Workspace;
  beforeAll(async () => { ws = await makeWorkspace(); });
  afterAll(() => ws?.remove());

  /**
   * Runs the store says are running, whose worker (a process that has exited) logged `ageMs` ago; made
   * together, because a run service opened after one is marked would recover it.
   */
  const deadRuns = async (runs: { name: string; ageMs: number }[]): Promise<string[]> => {
    const store = openStore({ file: path.join(ws.home, 'clipwb.sqlite') });
    const h = openHarness(ws, { autoStart: false }, store);
    const made = runs.map((r) => h.service.createRun({ config: trainArgs(ws), name: r.name }));
    await h.service.close();
    made.forEach((run, i) => {
      fs.mkdirSync(run.outDir!, { recursive: true });
      const log = path.join(run.outDir!, 'out.log');
      fs.writeFileSync(log, 'step 1\n');
      const t = (Date.now() - runs[i]!.ageMs) / 1000;
      fs.utimesSync(log, t, t);
      store.runs.setStatus(run.id, 'running');
      store.runs.update(run.id, { pids: [spawnSync(process.execPath, ['-e', '0']).pid!] });
    });
    store.close();
    return made.map((r) => r.id);
  };

  it('shows a run whose workers are gone and whose log went quiet as interrupted, and leaves a fresh one', async () => {
    const [dead, fresh] = (await deadRuns([{ name: 'dead-run', ageMs: 60_000 }, { name: 'fresh-run', ageMs: 0 }])) as [string, string];
    const list = await runMain(['runs', 'list', '--home', ws.home]);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(new RegExp(`^${dead}\\s+interrupted\\s`, 'm'));
    expect(list.out).toMatch(new RegExp(`^${fresh}\\s+running\\s`, 'm'));
    const show = await runMain(['runs', 'show', dead, '--home', ws.home]);
    expect(show.out).toMatch(/interrupted/);
    expect(show.out).toMatch(/the process that supervised this run ended without recording an outcome/);
  }, 120_000);
});
