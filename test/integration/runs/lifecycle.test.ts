/**
 * One real run from config to CSV: a worker process trains a tiny CLIP on generated shards, the service
 * records metrics, checkpoints and per-epoch evaluations in SQLite; then checkpoints are evaluated in
 * evaluation workers (one, then a whole run), and everything exports to CSV that parses back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvToString, evaluationsLongCsv, evaluationsWideCsv, runsCsv, seriesCsv } from '../../../src-main/export';
import { parseRfc4180 } from '../../unit/export/rfc4180';
import { EVAL_TASK, makeWorkspace, trainArgs, type Workspace } from './fixture';
import { openHarness, seriesSteps, type Harness } from './service-harness';

function table(text: string): Record<string, string>[] {
  const [header, ...rows] = parseRfc4180(text);
  if (!header) throw new Error('no header');
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

describe('run service: create, train, record, evaluate, export', () => {
  let ws: Workspace;
  let h: Harness;
  let runId = '';

  beforeAll(async () => {
    ws = await makeWorkspace();
    h = openHarness(ws);
  });
  afterAll(async () => {
    await h?.close();
    ws?.remove();
  });

  it('rejects unknown keys and bad values with the field and the fix, before anything is stored', () => {
    expect(() => h.service.createRun({ config: { trainData: ws.shards.pattern, batchSiz: 8 } })).toThrow(/batchSiz: is not a training option\. Did you mean "batchSize"/);
    expect(() => h.service.createRun({ config: { trainData: ws.shards.pattern, lr: -1 } })).toThrow(/lr: must be greater than 0/);
    expect(() => h.service.createRun({ config: trainArgs(ws, ['--epochs', 'two']) })).toThrow(/epochs: expected a number, got "two"/);
    expect(() => h.service.createRun({ config: trainArgs(ws, ['--resume', 'latest']) })).toThrow(/resume: continues an existing run.*runs resume/);
    expect(h.store.runs.list({})).toHaveLength(0);
  });

  it('queues a run, starts it, and records metrics, checkpoints and per-epoch evaluations as they arrive', async () => {
    const run = h.service.createRun({
      config: trainArgs(ws, ['--epochs', '2', '--eval-tasks', EVAL_TASK, '--eval-every', '2', '--datacomp-path', path.relative(process.cwd(), ws.evalRoot)]),
      tags: ['lifecycle'],
    });
    runId = run.id;
    expect(run.status).toBe('queued');
    expect(run.origin).toBe('app');
    // Named after the model file, not the folder holding it.
    expect(run.name).toBe('clip-micro-infonce');
    // A relative path in the config is made absolute: the run must resume from any folder.
    expect(run.config.datacompPath).toBe(ws.evalRoot);

    const ended = await h.service.waitForRun(runId);
    expect(ended.error).toBeNull();
    expect(ended.status).toBe('finished');
    expect(h.statuses(runId)).toEqual(['queued', 'starting', 'running', 'finished']);
    expect(ended.devices).toEqual(['cpu']);
    expect(ended.pids).toEqual([]);
    expect(ended.resumable).toBe(false);

    // 64 samples, batch 8: 8 steps per epoch, logged every step.
    const loss = seriesSteps(h.store, runId);
    expect(loss.steps).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const lossInfo = h.store.metrics.getSeries(runId, 'train/loss');
    expect(Number.isFinite(lossInfo?.lastValue)).toBe(true);
    expect(h.store.metrics.getSeries(runId, 'train/lr')?.pointCount).toBe(16);

    const ckpts = h.store.checkpoints.listForRun(runId);
    expect(ckpts.map((c) => [c.epoch, c.step, path.basename(c.path)])).toEqual([[1, 8, 'epoch_1.json'], [2, 16, 'epoch_2.json']]);
    for (const c of ckpts) expect(c.sizeBytes).toBeGreaterThan(0);
    expect(h.events.filter((e) => e.type === 'checkpoint')).toHaveLength(2);

    const perEpoch = h.store.evaluations.list({ runIds: [runId], mainOnly: true });
    expect(perEpoch.map((e) => [e.checkpointId, e.task, e.metric])).toEqual([[ckpts[1]!.id, EVAL_TASK, 'acc1']]);
    expect(perEpoch[0]!.value).toBeGreaterThanOrEqual(0);
    expect(h.notifications()).toContain('Run finished: clip-micro-infonce');
    const logs = h.store.events.list({ runId, kinds: ['log'] }).map((e) => e.message);
    expect(logs.some((m) => m.startsWith('Train Epoch: 1 [64/64 (100%)]'))).toBe(true);
  });

  it('evaluates one checkpoint in a worker and stores the results under that checkpoint', async () => {
    const first = h.store.checkpoints.listForRun(runId)[0]!;
    expect(h.store.evaluations.list({ checkpointId: first.id })).toHaveLength(0);
    const { job, done } = h.service.evaluate(first.id, [EVAL_TASK], { datacompPath: ws.evalRoot });
    expect(job).toMatchObject({ checkpointId: first.id, runId, status: 'running', tasks: [EVAL_TASK] });
    const result = await done;
    expect(result.error).toBeNull();
    expect(result.status).toBe('done');
    const rows = h.store.evaluations.list({ checkpointId: first.id });
    expect(rows.map((r) => r.metric).sort()).toContain('acc1');
    const main = rows.filter((r) => r.isMain);
    expect(main.map((r) => [r.task, r.metric, r.epoch, r.step])).toEqual([[EVAL_TASK, 'acc1', 1, 8]]);
    expect(fs.existsSync(path.join(h.store.runs.require(runId).outDir!, 'eval_results', 'epoch_1_eval_results.jsonl'))).toBe(true);
    // The notice names the step and the result, not just the task.
    const value = Number(main[0]!.value!.toPrecision(4));
    expect(h.notifications()).toContain(`Evaluation finished: clip-micro-infonce at step 8: ${EVAL_TASK} acc1 ${value}`);
    const jobEvents = h.events.flatMap((e) => (e.type === 'eval-job' && e.job.id === job.id ? [e.job.status] : []));
    expect(jobEvents[0]).toBe('running');
    expect(jobEvents[jobEvents.length - 1]).toBe('done');
  });

  it('evaluates every checkpoint of a run, one worker after the other', async () => {
    const ckpts = h.store.checkpoints.listForRun(runId);
    const from = h.events.length;
    const { jobs, done } = h.service.evaluateRun(runId, [EVAL_TASK], { datacompPath: ws.evalRoot });
    expect(jobs.map((j) => j.checkpointId)).toEqual(ckpts.map((c) => c.id));
    const results = await done;
    expect(results.map((r) => r.status)).toEqual(['done', 'done']);
    for (const c of ckpts) expect(h.store.evaluations.list({ checkpointId: c.id, mainOnly: true }).map((e) => e.task)).toEqual([EVAL_TASK]);
    // The second job started only after the first ended.
    const order = h.events.slice(from).flatMap((e) => (e.type === 'eval-job' && (e.job.status !== 'running' || e.message.startsWith('evaluating')) ? [`${e.job.id}:${e.job.status}`] : []));
    const [a, b] = jobs.map((j) => j.id);
    expect(order.indexOf(`${a}:done`)).toBeLessThan(order.indexOf(`${b}:running`));
  });

  it('refuses bad evaluation requests clearly, and reports a failing evaluation worker', async () => {
    const first = h.store.checkpoints.listForRun(runId)[0]!;
    expect(() => h.service.evaluate(first.id, ['not-a-task'])).toThrow(/tasks: unknown task "not-a-task"/);
    expect(() => h.service.evaluate(first.id, [])).toThrow(/tasks: no evaluation task given/);
    expect(() => h.service.evaluatePath(path.join(ws.root, 'nope.json'), [EVAL_TASK])).toThrow(/checkpoint: .*nope\.json does not exist/);
    // runs.evaluate names one checkpoint of the run: another run's is refused, naming the field.
    const other = h.store.runs.create({ id: 'other-run', name: 'other', origin: 'cli', status: 'finished' });
    expect(() => h.service.evaluateRun(other.id, [EVAL_TASK], {}, first.id)).toThrow(/checkpointId: checkpoint \d+ belongs to run .*, not other-run/);
    expect(() => h.service.evaluateRun(other.id, [EVAL_TASK])).toThrow(/has no checkpoint on disk to evaluate/);
    h.store.runs.delete(other.id);

    const broken = path.join(ws.root, 'broken.safetensors');
    fs.writeFileSync(broken, 'this is not a safetensors file');
    const { done } = h.service.evaluatePath(broken, [EVAL_TASK], { model: ws.modelFile, vocab: ws.vocabDir, datacompPath: ws.evalRoot, resultsDir: ws.root });
    const result = await done;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/broken\.safetensors/);
    expect(h.notifications().some((n) => n.startsWith('Evaluation failed: ') && n.includes('broken.safetensors'))).toBe(true);
  });

  it('exports runs, series and evaluations to CSV that parses back', () => {
    const runs = table(csvToString(runsCsv(h.store, { runIds: [runId] })));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: runId, name: 'clip-micro-infonce', status: 'finished', origin: 'app' });

    const series = table(csvToString(seriesCsv(h.store, { runIds: [runId], keys: ['train/loss'] })));
    expect(series.map((r) => Number(r.step))).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    for (const r of series) {
      expect(r.run_id).toBe(runId);
      expect(Number.isFinite(Number(r.value))).toBe(true);
    }

    const ckpts = h.store.checkpoints.listForRun(runId);
    const wide = table(csvToString(evaluationsWideCsv(h.store, { runIds: [runId] })));
    expect(wide.map((r) => [Number(r.checkpoint_id), Number(r.step)])).toEqual(ckpts.map((c) => [c.id, c.step]));
    for (const r of wide) expect(Number(r[EVAL_TASK])).toBeGreaterThanOrEqual(0);
    const long = table(csvToString(evaluationsLongCsv(h.store, { runIds: [runId] })));
    expect(long.filter((r) => r.is_main === 'true' || r.is_main === '1')).toHaveLength(2);
  });

  it('refuses to evaluate checkpoints whose files were deleted, and marks them deleted', () => {
    const ckpts = h.store.checkpoints.listForRun(runId);
    fs.rmSync(ckpts[0]!.path);
    expect(() => h.service.evaluate(ckpts[0]!.id, [EVAL_TASK])).toThrow(/checkpoint #\d+ \(.*epoch_1\.json\) is no longer on disk/);
    expect(h.store.checkpoints.require(ckpts[0]!.id).fileDeletedAt).not.toBeNull();
    // A weights file cut short is as good as gone.
    const weights = ckpts[1]!.path.replace(/\.json$/, '.safetensors');
    fs.truncateSync(weights, 100);
    expect(() => h.service.evaluateRun(runId, [EVAL_TASK])).toThrow(/has no checkpoint on disk to evaluate/);
    expect(h.store.checkpoints.require(ckpts[1]!.id).fileDeletedAt).not.toBeNull();
    // Their evaluations stay.
    expect(h.store.evaluations.list({ runIds: [runId], mainOnly: true })).toHaveLength(2);
  });
});
