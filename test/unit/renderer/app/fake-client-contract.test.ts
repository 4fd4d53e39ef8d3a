/**
 * The dev fake client answers every method of the API contract (its handler table's type requires
 * one per method; this calls each with a request the contract accepts and checks the answer's shape).
 */
import { describe, expect, it } from 'vitest';
import { API, type ApiInput, type ApiMethod } from '../../../../src-shared/api/contract';
import { createFakeClient } from '../../../../src-renderer/dev/fake-client';

/** One valid request per method; the mapped type makes leaving a method out a type error. */
const REQUESTS: { [M in ApiMethod]: ApiInput<M> } = {
  'system.info': {}, 'gpu.snapshot': {}, 'system.stats': {}, 'options.list': {}, 'tasks.list': {},
  'runs.list': {}, 'runs.get': { id: 'fake-baseline' }, 'runs.validate': { config: { lr: 1e-3 } }, 'runs.checkTrainData': { value: 'builtin:fashion-mnist' },
  'runs.create': { config: { lr: 1e-3 }, name: 'made', tags: ['t'] }, 'runs.update': { id: 'fake-baseline', notes: 'n' },
  'runs.cancel': { id: 'fake-distill' }, 'runs.pause': { id: 'fake-distill' }, 'runs.resume': { id: 'fake-distill' }, 'runs.delete': { id: 'fake-distill' },
  'runs.series': { runId: 'fake-baseline', key: 'train/loss', maxPoints: 100 }, 'runs.logs': { runId: 'fake-baseline' },
  'runs.evaluate': { runId: 'fake-baseline', tasks: ['fashion_mnist'] }, 'evals.table': {},
  'evals.evaluateFile': { checkpoint: '/tmp/fake/model.safetensors', tasks: ['fashion_mnist'] }, 'export.csv': { kind: 'runs' },
  'queue.status': {}, 'queue.resume': {},
  'datasets.list': {}, 'datasets.add': { path: '/data/shards', type: 'train' }, 'datasets.scan': { id: 1, count: true }, 'datasets.remove': { id: 1 },
  'datasets.buildBuiltin': { name: 'fashion-mnist' },
  'downloads.list': {}, 'downloads.start': { source: 'model', repo: 'openai/clip-vit-base-patch32' }, 'downloads.pause': { id: 1 }, 'downloads.resume': { id: 1 }, 'downloads.cancel': { id: 1 },
  'models.list': {},
};

describe('fake client', () => {
  it('has a request for every API method here, each one the contract accepts', () => {
    expect(Object.keys(REQUESTS).sort()).toEqual(Object.keys(API).sort());
    for (const m of Object.keys(API) as ApiMethod[]) expect(API[m].safeParse(REQUESTS[m]).success, m).toBe(true);
  });

  it('answers every method of the contract', async () => {
    const api = createFakeClient({ longRunPoints: 500, tickMs: 0 });
    const added = await api.call('datasets.add', REQUESTS['datasets.add']);
    const download = await api.call('downloads.start', REQUESTS['downloads.start']);
    const ids: Partial<Record<ApiMethod, { id: number }>> = {
      'datasets.scan': { id: added.dataset.id }, 'datasets.remove': { id: added.dataset.id },
      'downloads.pause': { id: download.ids[0]! }, 'downloads.resume': { id: download.ids[0]! }, 'downloads.cancel': { id: download.ids[0]! },
    };
    for (const m of Object.keys(API) as ApiMethod[]) {
      const out = await api.call(m, { ...REQUESTS[m], ...ids[m] } as never);
      expect(out, m).toBeTypeOf('object');
    }
    const runs = await api.call('runs.list', {});
    expect(runs.runs.some((r) => r.name === 'made')).toBe(true);
    expect(runs.runs.some((r) => r.id === 'fake-distill')).toBe(false);
    const file = await api.call('evals.evaluateFile', REQUESTS['evals.evaluateFile']);
    expect(file).toMatchObject({ checkpoint: '/tmp/fake/model.safetensors', pulled: null });
    const { datasets } = await api.call('datasets.list', {});
    expect(datasets.find((d) => d.kind === 'builtin' && d.type === 'train')?.scan).toMatchObject({ trainData: 'builtin:fashion-mnist' });
    const csv = await api.call('export.csv', { kind: 'evals' });
    expect(csv.content.startsWith('run_id,checkpoint_id,step,task,metric,value\r\n')).toBe(true);
  });
});
