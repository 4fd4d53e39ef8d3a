/**
 * clipwb as a user drives it: train on generated shards, list / show / export what was recorded,
 * evaluate and embed with the checkpoint, and runs moving between the CLI and the app: resumed,
 * paused from another process, and recovered after the CLI itself was killed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src-main/store';
import { makeImage } from '../../helpers/shards';
import { parseRfc4180 } from '../../unit/export/rfc4180';
import { EVAL_TASK, makeWorkspace, trainArgs, type Workspace } from '../runs/fixture';
import { openHarness, pidAlive, seriesSteps } from '../runs/service-harness';
import { cli, cliEnv, startCli, type CliProcess } from './run-cli';
import { until } from '../../helpers/until';

describe('clipwb train, runs, eval, embed', () => {
  let ws: Workspace;
  let env: NodeJS.ProcessEnv;
  let store: Store;
  let runId = '';
  let sidecar = '';

  const started: CliProcess[] = [];
  const background = (args: string[], o: { group?: boolean } = {}): CliProcess => {
    const p = startCli(args, env, o);
    started.push(p);
    return p;
  };

  beforeAll(async () => {
    ws = await makeWorkspace();
    env = cliEnv(ws.root, ws.home);
    store = openStore({ file: path.join(ws.home, 'clipwb.sqlite') });
  });
  afterAll(() => {
    // A failed assertion must not leave a training process behind.
    for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    store?.close();
    ws?.remove();
  });

  it('train records the run (origin cli) in the store another RunService reads', async () => {
    const r = await cli(['train', ...trainArgs(ws, ['--epochs', '1', '--name', 'cli-run'])], env);
    expect(r.stderr).toMatch(/^run cli-run \(\S+\) -> /m);
    expect(r.code).toBe(0);
    const id = /^run cli-run \((\S+)\): finished$/m.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    runId = id!;
    expect(r.stdout).toContain('Train Epoch: 0 [64/64 (100%)]');

    const h = openHarness(ws, { autoStart: false });
    try {
      const run = h.store.runs.require(runId);
      expect(run).toMatchObject({ origin: 'cli', status: 'finished', name: 'cli-run', devices: ['cpu'], pids: [] });
      expect(seriesSteps(h.store, runId).steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const ckpts = h.store.checkpoints.listForRun(runId);
      expect(ckpts.map((c) => c.step)).toEqual([8]);
      sidecar = ckpts[0]!.path;
      expect(h.service.summary(runId).lastMetrics['train/loss']).toBeTypeOf('number');
    } finally {
      await h.close();
    }
  });

  it('runs list, show and export print what the store holds', async () => {
    const csvFile = path.join(ws.root, 'out', 'series.csv');
    const [list, listJson, show, showJson, runsCsv, seriesCsv] = await Promise.all([
      cli(['runs', 'list'], env),
      cli(['runs', 'list', '--json', '--status', 'finished'], env),
      cli(['runs', 'show', runId], env),
      cli(['runs', 'show', runId, '--json'], env),
      cli(['runs', 'export', 'runs'], env),
      cli(['runs', 'export', 'series', '--runs', runId, '--keys', 'train/loss', '--out', csvFile], env),
    ]);
    for (const r of [list, listJson, show, showJson, runsCsv, seriesCsv]) expect(r.code, r.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${runId}\\s+finished\\s+.*InfoNCE\\s+\\d+\\.\\d{4}\\s+cli-run$`, 'm'));
    expect(JSON.parse(listJson.stdout).map((s: { id: string }) => s.id)).toEqual([runId]);
    expect(show.stdout).toContain('checkpoints (1):');
    expect(show.stdout).toContain(sidecar);
    expect(JSON.parse(showJson.stdout)).toMatchObject({ id: runId, origin: 'cli', checkpoints: [{ step: 8 }] });
    const [header, ...rows] = parseRfc4180(runsCsv.stdout);
    expect(header?.slice(0, 3)).toEqual(['id', 'name', 'status']);
    expect(rows.map((r) => r.slice(0, 3))).toEqual([[runId, 'cli-run', 'finished']]);
    expect(seriesCsv.stderr).toMatch(/^wrote \d+ bytes to .*series\.csv/);
    const series = parseRfc4180(fs.readFileSync(csvFile, 'utf8'));
    expect(series.slice(1).map((r) => r[3])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);

    const missing = await cli(['runs', 'show', 'no-such-run'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no run with id "no-such-run"/);
  });

  it('eval evaluates a checkpoint on a generated eval set, records it, and export evals shows it', async () => {
    const weights = sidecar.replace(/\.json$/, '.safetensors');
    const r = await cli(['eval', '--checkpoint', weights, '--tasks', EVAL_TASK, '--data-dir', ws.evalRoot], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/CIFAR-10/);
    expect(r.stdout).toMatch(/results: .*epoch_1_eval_results\.jsonl \(also recorded in the workbench\)/);
    const ckpt = store.checkpoints.getByPath(sidecar)!;
    expect(store.evaluations.list({ checkpointId: ckpt.id, mainOnly: true }).map((e) => [e.task, e.metric])).toEqual([[EVAL_TASK, 'acc1']]);
    const evals = await cli(['runs', 'export', 'evals', '--runs', runId], env);
    const [header, row] = parseRfc4180(evals.stdout);
    expect(header).toContain(EVAL_TASK);
    expect(Number(row![header!.indexOf(EVAL_TASK)])).toBeGreaterThanOrEqual(0);

    // The run folder means its newest checkpoint: results land in that run's folder and are recorded.
    const runDir = path.dirname(path.dirname(sidecar));
    const byFolder = await cli(['eval', '--checkpoint', runDir, '--tasks', EVAL_TASK, '--data-dir', ws.evalRoot], env);
    expect(byFolder.code, byFolder.stderr).toBe(0);
    expect(byFolder.stdout).toContain(`results: ${path.join(runDir, 'eval_results', 'epoch_1_eval_results.jsonl')} (also recorded in the workbench)`);

    // A task whose data is not on this machine is skipped; when every task is, the command fails.
    const nothing = await cli(['eval', '--checkpoint', sidecar, '--tasks', 'imagenet1k', '--data-dir', ws.evalRoot], env);
    expect(nothing.code).toBe(1);
    expect(nothing.stdout).toMatch(/skipped/);
    expect(nothing.stderr).toMatch(/no task was evaluated/);

    const bad = await cli(['eval', '--checkpoint', sidecar, '--tasks', 'no-such-task'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/tasks: unknown task "no-such-task"/);
  }, 300_000); // three evaluations and a failing one: 57 s of the default 60 under load

  it('embed prints unit-norm embeddings and their cosine similarities as JSON', async () => {
    const img = path.join(ws.root, 'red.png');
    fs.writeFileSync(img, await makeImage(20, 20, 'png', [200, 30, 30]));
    const r = await cli(['embed', '--checkpoint', sidecar, '--image', img, '--text', 'a red cat photo.', '--text', 'a blue ship photo.'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { dim: number; images: { embedding: number[] }[]; texts: { embedding: number[] }[]; similarity: number[][] };
    expect(out.dim).toBe(16);
    const all = [...out.images, ...out.texts].map((e) => e.embedding);
    expect(all).toHaveLength(3);
    for (const e of all) {
      expect(e).toHaveLength(16);
      expect(Math.hypot(...e)).toBeCloseTo(1, 4);
    }
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    expect(out.similarity[0]![0]).toBeCloseTo(dot(all[0]!, all[1]!), 4);
    expect(out.similarity[0]![1]).toBeCloseTo(dot(all[0]!, all[2]!), 4);
    // Different texts, different embeddings.
    expect(dot(all[1]!, all[2]!)).toBeLessThan(0.9999);
    // A file that is not an image: named, with the flag and what to give instead (not the decoder's bare words).
    const notImage = await cli(['embed', '--checkpoint', sidecar, '--image', '/etc/passwd'], env);
    expect(notImage.code).toBe(2);
    expect(notImage.stderr).toMatch(/embed: --image \/etc\/passwd is not an image that can be read \(.*\)\s+Give a JPEG, PNG/);
  });

  it('runs cancel and runs resume work on a run the app created', async () => {
    const h = openHarness(ws, { autoStart: false, origin: 'app' });
    const made = h.service.createRun({ config: trainArgs(ws, ['--epochs', '1']), name: 'app-run' });
    await h.close();
    const cancel = await cli(['runs', 'cancel', made.id], env);
    expect(cancel.stdout).toContain(`run ${made.id}: cancelled`);
    const resume = await cli(['runs', 'resume', made.id], env);
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stdout).toMatch(new RegExp(`run app-run \\(${made.id}\\): finished`));
    const run = store.runs.require(made.id);
    expect(run).toMatchObject({ status: 'finished', origin: 'app' });
    expect(store.events.list({ runId: made.id, kinds: ['resume'] })[0]?.message).toBe('this run has no checkpoint; starting again from step 0');
  });

  it('Ctrl-C pauses a CLI run; another process pauses it; its CLI killed, it is interrupted; it resumes to the end', async () => {
    const stepsPast = (id: string, n: number) => seriesSteps(store, id).steps.length > n;
    // Ctrl-C in a terminal signals the whole foreground process group: clipwb and (unless detached) its workers.
    // Long enough (480 steps of ~30 ms) that a pause requested through the store (picked up at the
    // supervisor's next 2 s tick) always lands before the run finishes, however fast the machine is.
    const train = background(['train', ...trainArgs(ws, ['--epochs', '60', '--save-frequency', '0', '--name', 'long'])], { group: true });
    const run = await until('the run to start', () => store.runs.list({ search: 'long' }).find((r) => r.name === 'long' && r.status === 'running'));
    await until('some steps', () => stepsPast(run.id, 2));
    process.kill(-train.child.pid!, 'SIGINT');
    const interrupted = await train.done;
    expect(interrupted.stderr).toContain('Pausing: writing a checkpoint at the next step');
    expect(interrupted.code).toBe(0);
    expect(interrupted.stdout).toMatch(new RegExp(`resume with: clipwb runs resume ${run.id}`));
    expect(store.runs.require(run.id).status).toBe('paused');
    const ctrlC = store.checkpoints.latestForRun(run.id)!.step;

    const second = background(['runs', 'resume', run.id]);
    await until('the resumed run to train', () => store.runs.require(run.id).status === 'running' && stepsPast(run.id, ctrlC + 2));
    const pause = await cli(['runs', 'pause', run.id], env);
    expect(pause.stdout).toContain(`run ${run.id}: paused`);
    expect(pause.code).toBe(0);
    expect((await second.done).code).toBe(0);
    const pausedAt = store.checkpoints.latestForRun(run.id)!.step;
    expect(pausedAt).toBeGreaterThan(ctrlC);

    const third = background(['runs', 'resume', run.id]);
    const live = await until('the resumed run to train', () => {
      const r = store.runs.require(run.id);
      return r.status === 'running' && stepsPast(run.id, pausedAt + 2) ? r : null;
    });
    const [worker] = live.pids;
    third.child.kill('SIGKILL');
    await third.done;
    // The worker notices that its supervisor is gone and stops by itself.
    await until('the orphaned worker to exit', () => !pidAlive(worker!), 30_000);

    const h = openHarness(ws, { autoStart: false });
    try {
      const orphaned = h.store.runs.require(run.id);
      expect(orphaned.status).toBe('interrupted');
      expect(orphaned.resumable).toBe(true);
    } finally {
      await h.close();
    }
    const last = await cli(['runs', 'resume', run.id], env);
    expect(last.code, last.stderr).toBe(0);
    expect(store.runs.require(run.id).status).toBe('finished');
    expect(seriesSteps(store, run.id).steps).toEqual(Array.from({ length: 480 }, (_, i) => i + 1));
    // Four CLI processes and 480 real steps: a busy CI machine needs far longer than the default 60 s.
  }, 480_000);
  it('train goes on to the end when the reader of its output goes away (clipwb train ... | head -3)', async () => {
    const p = background(['train', ...trainArgs(ws, ['--epochs', '1', '--name', 'piped'])]);
    p.child.stdout?.destroy(); // the reader closes before the first line is written
    const r = await p.done;
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(r.code).toBe(0);
    const run = store.runs.list({ search: 'piped' }).find((x) => x.name === 'piped')!;
    expect(run.status).toBe('finished');
    expect(seriesSteps(store, run.id).steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(store.checkpoints.listForRun(run.id).map((c) => c.step)).toEqual([8]);
  }, 300_000);
  it('train --resume names the flags it ignores (a resumed run keeps the config it started with)', async () => {
    const r = await cli(['train', '--name', 'cli-run', '--resume', 'latest', '--max-steps', '3', '--lr=0.1', ...trainArgs(ws, []).slice(0, 2)], env);
    expect(r.stderr).toMatch(/warning: --max-steps, --lr, --\S+ ignored: --resume continues the run with the config it was started with/);
  }, 120_000);
});
