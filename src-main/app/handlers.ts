/** The API methods, each a thin function over the core services. */
import os from 'node:os';
import { createRequire } from 'node:module';
import type { WorkbenchApp, Handlers } from './app';
import { ApiError, type TaskInfo } from '../../src-shared/api/contract';
import { isWorkbenchError } from '../../src-shared/errors';
import type { CheckpointInfo, DatasetInfo, EvaluationRow, LogLine, RunDetail, SystemInfo } from '../../src-shared/api/types';
import { OPTIONS } from '../../src-shared/config/options';
import { PRESETS } from '../../src-shared/config/presets';
import { defaultConfig, parseTrainArgs, toCommandLine, validateTrainConfig } from '../../src-shared/config/train-config';
import { loadTaskList } from '../../src-worker/eval/task-list';
import { readSeries, listMetricKeys } from '../metrics';
import { runsCsv, seriesCsv, evaluationsWideCsv, evaluationsLongCsv } from '../export';
import { listModels } from '../models/list';
import { evaluateCheckpointTarget, resolveCheckpointTarget } from '../runs/checkpoint-target';
import { checkTrainDataPath } from '../runs/train-data-check';
import type { Checkpoint, Dataset, Evaluation } from '../store';
import { checkConfigPaths, refusePseudoFilesystem } from './path-policy';

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

function checkpointInfo(c: Checkpoint): CheckpointInfo {
  return { id: c.id, runId: c.runId, path: c.path, epoch: c.epoch, step: c.step, sizeBytes: c.sizeBytes, createdAt: c.createdAt };
}

function datasetInfo(d: Dataset): DatasetInfo {
  return { id: d.id, name: d.name, kind: d.kind, type: d.type, path: d.path, scan: (d.scan as Record<string, unknown> | null) ?? null, addedAt: d.addedAt };
}

/** "Debian GNU/Linux 12 (x64)"; where the probe could not name the distribution, the kernel's name and release. */
function osLine(inv: WorkbenchApp['inventory']): string {
  const known = (v: string | null | undefined): v is string => !!v && v.toLowerCase() !== 'unknown';
  if (inv && known(inv.os.distro)) return `${inv.os.distro}${known(inv.os.release) ? ` ${inv.os.release}` : ''} (${inv.os.arch})`;
  return `${os.type()} ${os.release()} (${os.arch()})`;
}

function version(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function createHandlers(app: WorkbenchApp): Handlers {
  const { store, service } = app;
  const evalRows = (runIds?: string[]): EvaluationRow[] => {
    const names = new Map(store.runs.list({}).map((r) => [r.id, r.name]));
    return store.evaluations.list(runIds ? { runIds } : {}).map((e: Evaluation) => ({
      runId: e.runId, runName: names.get(e.runId) ?? e.runId, checkpointId: e.checkpointId, epoch: e.epoch, step: e.step,
      task: e.task, metric: e.metric, value: e.value, isMain: e.isMain,
    }));
  };
  /** Validates a config from an API client, path policy included (run folders stay in the data folder). */
  const validateFromClient = (config: Record<string, unknown> | string[]) => {
    const v = service.validate(config);
    checkConfigPaths(app.dataDir, v.config);
    return v;
  };

  return {
    'system.info': (): SystemInfo => {
      const inv = app.inventory;
      const live = app.system.latest();
      return {
        version: version(), dataDir: app.dataDir,
        cpu: { model: inv?.cpu.model ?? 'unknown', cores: inv?.cpu.logicalCores ?? 0 },
        // Live, not the inventory taken at start (that one never changes).
        memory: { totalBytes: live.memory.totalBytes, usedBytes: live.memory.usedBytes },
        os: osLine(inv),
        gpuAvailable: app.monitor.snapshot().gpus.length > 0,
        gpus: app.gpuSamples(),
      };
    },
    'system.stats': () => app.system.latest(),
    'gpu.snapshot': () => {
      const s = app.monitor.snapshot();
      return { state: s.state, reason: s.reason, gpus: app.gpuSamples() };
    },
    'options.list': () => ({
      options: OPTIONS.map((o) => ({ flag: o.flag, key: o.key, type: o.type, group: o.group, help: o.ignoredBecause ? `${o.help} (no effect: ${o.ignoredBecause})` : o.help, default: o.default ?? null, choices: o.choices, min: o.min, max: o.max, gt: o.gt })),
      presets: PRESETS.map((p) => ({ name: p.name, title: p.title, description: p.description, config: { ...parseTrainArgs(p.args).config } as Record<string, unknown> })),
      defaults: { ...defaultConfig() } as Record<string, unknown>,
    }),
    'tasks.list': () => ({
      tasks: loadTaskList().tasks.map((t): TaskInfo => ({ key: t.key, name: t.name, type: t.type, mainMetric: t.mainMetric, groups: [...t.groups], supported: t.supported, reason: t.reason ?? null })),
    }),

    'runs.list': (i) => ({ runs: store.runs.list({ statuses: i.statuses, tag: i.tag, search: i.search, limit: i.limit }).map((r) => service.summary(r.id)) }),
    'runs.get': (i): RunDetail => {
      const run = store.runs.require(i.id);
      let command = '';
      try { command = toCommandLine(validateTrainConfig(run.config).config); } catch { command = '(the stored config no longer validates)'; }
      return {
        ...service.summary(run.id), config: run.config as Record<string, unknown>, command, outDir: run.outDir,
        checkpoints: store.checkpoints.listForRun(run.id).map(checkpointInfo), evaluations: evalRows([run.id]), metricKeys: listMetricKeys(store, run.id),
      };
    },
    'runs.validate': (i) => {
      try {
        const v = validateFromClient(i.config);
        return { ok: true, errors: [], warnings: v.warnings, command: v.command };
      } catch (err) {
        if (!isWorkbenchError(err) || err.kind !== 'invalid' || !err.field) throw err;
        return { ok: false, errors: [{ field: err.field, message: err.message }], warnings: [], command: null };
      }
    },
    'runs.checkTrainData': (i) => ({ problem: checkTrainDataPath(i.value) }),
    'runs.create': (i) => {
      const v = validateFromClient(i.config);
      // The checked config is what is stored: no second validation.
      const run = service.createRun({ config: v, name: i.name, tags: i.tags, notes: i.notes });
      return { run: service.summary(run.id), command: v.command, warnings: v.warnings };
    },
    'runs.update': (i) => {
      store.runs.update(i.id, { ...(i.name !== undefined ? { name: i.name } : {}), ...(i.tags !== undefined ? { tags: i.tags } : {}), ...(i.notes !== undefined ? { notes: i.notes } : {}) });
      const run = service.summary(i.id);
      app.events.push({ type: 'run', run });
      return { run };
    },
    'runs.cancel': (i) => { service.cancel(i.id); return { ok: true as const }; },
    'runs.pause': (i) => { service.pause(i.id); return { ok: true as const }; },
    'runs.resume': (i) => ({ run: service.summary(service.resume(i.id).id) }),
    'runs.delete': (i) => { service.deleteRun(i.id, { deleteFiles: i.deleteFiles }); return { ok: true as const }; },
    'runs.series': (i) => {
      store.runs.require(i.runId); // a run that does not exist is a 404, not an empty chart
      const r = readSeries(store, { runId: i.runId, key: i.key, fromStep: i.fromStep, toStep: i.toStep, maxPoints: i.maxPoints, x: i.x, smoothing: i.smoothing, method: i.method, includeRaw: i.smoothing > 0 });
      return {
        runId: r.runId, key: r.key, x: r.x, sourceCount: r.pointsInRange, relativeOrigin: r.relativeOrigin,
        points: r.points.map((p) => ({ x: p.x, y: finite(p.y), raw: finite(p.raw), step: p.step, wall: p.wall })),
        rawPoints: (r.rawLine ?? []).map((p) => ({ x: p.x, y: finite(p.raw), step: p.step, wall: p.wall })),
      };
    },
    'runs.logs': (i) => (store.runs.require(i.runId), {
      lines: store.events.list({ runId: i.runId, afterId: i.afterId, limit: i.limit }).map((e): LogLine => ({ id: e.id, runId: e.runId, time: e.time, level: e.level, kind: e.kind, message: e.message })),
    }),
    'runs.evaluate': (i) => {
      const { jobs } = service.evaluateRun(i.runId, i.tasks, { datacompPath: i.datacompPath ?? null }, i.checkpointId);
      return { jobs: jobs.map((j) => j.id) };
    },

    'evals.evaluateFile': (i) => {
      const target = resolveCheckpointTarget(i.checkpoint, store, app.dataDir);
      const { job } = evaluateCheckpointTarget(service, target, i.tasks, { datacompPath: i.datacompPath ?? null, model: i.model ?? null, vocab: i.vocab ?? null });
      return { job: job.id, checkpoint: target.path, pulled: target.pulled };
    },

    'evals.table': (i) => {
      const rows = evalRows(i.runIds);
      const ids = [...new Set(rows.map((r) => r.runId))];
      return { rows, checkpoints: ids.flatMap((id) => store.checkpoints.listForRun(id).map(checkpointInfo)) };
    },
    'export.csv': (i) => {
      const ids = i.runIds ?? store.runs.list({}).map((r) => r.id);
      const chunks = i.kind === 'runs' ? runsCsv(store, { runIds: ids })
        : i.kind === 'series' ? seriesCsv(store, { runIds: ids, keys: i.keys })
          : i.kind === 'evals' ? evaluationsWideCsv(store, { runIds: ids }) : evaluationsLongCsv(store, { runIds: ids });
      let content = '';
      for (const c of chunks) content += c;
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      return { filename: `clipwb-${i.kind}-${stamp}.csv`, content };
    },

    'queue.status': () => queueStatus(app),
    'queue.resume': () => { service.resumeQueue(); return queueStatus(app); },

    'datasets.list': () => ({ datasets: app.datasets.list().map(datasetInfo) }),
    'datasets.add': async (i) => ({
      dataset: datasetInfo(await app.datasets.addFolder({ path: i.path, type: i.type, name: i.name, checkPath: (p) => refusePseudoFilesystem(p, 'path') })),
    }),
    'datasets.scan': async (i) => ({ dataset: datasetInfo(await app.datasets.rescan(i.id, { count: i.count })) }),
    'datasets.remove': (i) => { app.datasets.remove(i.id); return { ok: true as const }; },
    'datasets.buildBuiltin': (i) => {
      // The build goes on after the answer; a second request is refused now, not reported later as a failed build.
      if (app.datasets.isBuilding(i.name)) throw new ApiError(409, 'the built-in dataset is already being built', 'name');
      const push = (done: number, total: number, message: string, finished: boolean, error: string | null) =>
        app.events.push({ type: 'dataset-build', name: i.name, done, total, message, finished, error });
      push(0, 1, 'starting', false, null);
      app.datasets.buildBuiltin(i.name, (p) => push(p.done, p.total, p.phase, false, null)).then(
        (ds) => push(1, 1, `ready at ${ds.dir}`, true, null),
        (err: Error) => push(0, 1, 'failed', true, err.message),
      );
      return { started: true as const };
    },

    'downloads.list': () => ({ downloads: app.downloads.list() }),
    'downloads.start': async (i) => {
      if (i.source === 'evalsets') return { ids: await app.downloads.startEvalsets(i.tasks) };
      if (i.source === 'model') return { ids: [app.downloads.startModel(i.repo)] };
      return { ids: [app.downloads.startUrl(i.url, i.dest, i.sha256)] };
    },
    'downloads.pause': async (i) => { await app.downloads.pause(i.id); return { ok: true as const }; },
    'downloads.resume': (i) => { app.downloads.resume(i.id); return { ok: true as const }; },
    'downloads.cancel': async (i) => { await app.downloads.cancel(i.id); return { ok: true as const }; },

    'models.list': async () => {
      const { models } = await listModels(app.dataDir);
      return { models: models.map((m) => ({ repo: m.manifest.repo, dir: m.dir, format: m.manifest.weights.format, bytes: m.manifest.files.reduce((s, f) => s + f.size, 0), commit: m.manifest.commit, pulledAt: m.manifest.pulledAt })) };
    },
  };
}

function queueStatus(app: WorkbenchApp) {
  return {
    paused: app.service.isQueuePaused,
    queued: app.store.runs.list({ statuses: ['queued'] }).map((r) => r.id),
    running: app.service.activeRunIds(),
  };
}
