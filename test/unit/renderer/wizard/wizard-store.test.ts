import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { ValidationResult } from '../../../../src-shared/api/types';
import { ConfigError, toCommandLine, validateTrainConfig } from '../../../../src-shared/config/train-config';
import { installClient } from '../../../../src-renderer/stores/client';
import { VALIDATE_DEBOUNCE_MS, useWizardStore } from '../../../../src-renderer/stores/wizard';
import { apiError, fakeApi, type FakeApi } from '../data/fake-api';
import { optionInfos, presetInfos } from './options-fixture';

/** runs.validate as the server answers it (src-main/app/handlers.ts): the real validation, first error only. */
function serverValidate(config: Record<string, unknown>): ValidationResult {
  try {
    const v = validateTrainConfig(config);
    return { ok: true, errors: [], warnings: v.warnings, command: toCommandLine(v.config) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { ok: false, errors: [{ field: err.field, message: err.message }], warnings: [], command: null };
  }
}

let api: FakeApi;

beforeEach(() => {
  vi.useFakeTimers();
  setActivePinia(createPinia());
  api = fakeApi({
    'options.list': () => ({ options: optionInfos, presets: presetInfos, defaults: {} }),
    'datasets.list': () => ({ datasets: [] }),
    'models.list': () => ({ models: [] }),
    'tasks.list': () => ({ tasks: [] }),
    'gpu.snapshot': () => ({ state: 'no-gpu', reason: 'nvidia-smi not found', gpus: [] }),
    'runs.validate': (i) => serverValidate(i.config),
  });
  installClient(api);
});
afterEach(() => { vi.useRealTimers(); });

/** A loaded wizard with training data chosen (the one field a new run must have). */
async function loaded() {
  const w = useWizardStore();
  await w.load();
  w.setField('trainData', 'builtin:fashion-mnist');
  await vi.runAllTimersAsync();
  return w;
}
const DATA = '--train-data builtin:fashion-mnist';

describe('the wizard store', () => {
  it('validates the whole config once typing pauses, not on every keystroke', async () => {
    const w = await loaded();
    const before = api.callsOf('runs.validate').length;
    for (const v of ['0', '0.', '0.0', '0.00', '0.002']) w.setField('lr', v);
    await vi.advanceTimersByTimeAsync(VALIDATE_DEBOUNCE_MS - 1);
    expect(api.callsOf('runs.validate').length).toBe(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.callsOf('runs.validate').slice(before)).toEqual([{ config: { trainData: 'builtin:fashion-mnist', lr: 0.002 } }]);
    expect(w.preview.state).toBe('current');
    expect(w.preview.command).toBe(`clipwb train \\\n  ${DATA} \\\n  --lr 0.002`);
  });

  it('shows a local error at once, with its step, before the server answers', async () => {
    const w = await loaded();
    w.setField('batchSize', '0');
    expect(w.fieldErrors.batchSize).toBe('must be at least 1, got 0');
    expect(w.stepErrors.optim).toBe(1);
    expect(w.preview.state).toBe('invalid');
  });

  it('puts a cross-field error of the server next to its field', async () => {
    const w = await loaded();
    w.setUseTeacher(true);
    w.setField('distillMode', '');
    await vi.runAllTimersAsync();
    expect(w.fieldErrors.distillMode).toBe('is required with a teacher. Choose feature, cross_entropy, kl or interactive');
    expect(w.stepErrors.reference).toBe(1);
    w.setField('distillMode', 'kl');
    await vi.runAllTimersAsync();
    expect(w.fieldErrors).toEqual({});
  });

  it('ignores an answer to a config that has changed since', async () => {
    const w = await loaded();
    let release: (() => void) | null = null;
    api.handlers['runs.validate'] = (i) => {
      const answer = serverValidate(i.config);
      if (i.config.epochs === 0) return new Promise((resolve) => { release = () => resolve(answer); });
      return answer;
    };
    w.setField('epochs', '0');
    await vi.advanceTimersByTimeAsync(VALIDATE_DEBOUNCE_MS);
    w.setField('epochs', '2');
    await vi.advanceTimersByTimeAsync(VALIDATE_DEBOUNCE_MS);
    release!();
    await vi.runAllTimersAsync();
    expect(w.fieldErrors).toEqual({});
    expect(w.preview).toEqual({ command: `clipwb train \\\n  ${DATA} \\\n  --epochs 2`, state: 'current' });
  });

  it('creates the demo preset with a lowered budget exactly as set', async () => {
    api.handlers['runs.create'] = () => ({ run: { id: 'r1' } as never, command: '', warnings: [] });
    const w = await loaded();
    w.applyPreset('demo');
    w.setField('epochs', '1');
    w.setField('trainNumSamples', '2048');
    w.setField('maxSteps', '16');
    w.runTags = 'smoke, e2e';
    expect(await w.create()).toBe('r1');
    const sent = api.callsOf('runs.create')[0] as { config: Record<string, unknown>; tags: string[] };
    expect(sent.tags).toEqual(['smoke', 'e2e']);
    expect(sent.config).toMatchObject({ trainData: 'builtin:fashion-mnist', epochs: 1, trainNumSamples: 2048, maxSteps: 16, fastclip: true, multiplyTau: true, evalTasks: ['fashion_mnist'] });
  });

  it('sends the user to the field a failed create names', async () => {
    api.handlers['runs.create'] = () => { throw apiError('batch-size: the global batch (128 x 1 workers) is larger than an epoch of 64 samples', 'batch-size'); };
    const w = await loaded();
    w.goTo('review');
    expect(await w.create()).toBeNull();
    expect(w.step).toBe('optim');
    expect(w.fieldErrors.batchSize).toBe('the global batch (128 x 1 workers) is larger than an epoch of 64 samples');
  });

  it('does not create a run while a field is wrong, and opens that field\'s step', async () => {
    api.handlers['runs.create'] = () => { throw new Error('must not be called'); };
    const w = await loaded();
    w.setField('model', 'ViT-B-99');
    w.goTo('review');
    expect(await w.create()).toBeNull();
    expect(w.step).toBe('model');
    expect(w.fieldErrors.model).toMatch(/^unknown model "ViT-B-99"/);
    expect(api.callsOf('runs.create')).toEqual([]);
  });
});

describe('the wizard a new user meets', () => {
  it('shows no "required" error on an untouched form, but does once the field is edited or on review', async () => {
    const w = useWizardStore();
    await w.load();
    await vi.runAllTimersAsync();
    expect(w.config.trainData).toBeUndefined();
    expect(w.fieldErrors.trainData).toBeUndefined();
    expect(w.stepErrors.data).toBe(0);
    w.setField('trainData', '');
    expect(w.fieldErrors.trainData).toMatch(/^required/);
    setActivePinia(createPinia());
    const fresh = useWizardStore();
    await fresh.load();
    fresh.goTo('review');
    expect(fresh.fieldErrors.trainData).toMatch(/^required/);
  });

  it('forgets the name, tags and notes of the run it just created', async () => {
    api.handlers['runs.create'] = () => ({ run: { id: 'r1' } as never, command: '', warnings: [] });
    const w = await loaded();
    w.setField('name', 'first run');
    w.runTags = 'a, b';
    w.runNotes = 'try lr';
    expect(await w.create()).toBe('r1');
    expect((api.callsOf('runs.create')[0] as { config: Record<string, unknown> }).config.name).toBe('first run');
    expect(w.draft.fields.name).toBeUndefined();
    expect([w.runTags, w.runNotes]).toEqual(['', '']);
    // The rest of the configuration stays, for a similar next run.
    expect(w.draft.fields.trainData).toBe('builtin:fashion-mnist');
  });

  it('says next to the field, as it is typed, that the training data does not exist', async () => {
    api.handlers['runs.checkTrainData'] = (i) => ({ problem: i.value.startsWith('/missing') ? `${i.value} does not exist: give an existing shard file` : null });
    const w = await loaded();
    w.setField('trainData', '/missing/shards/{000..009}.tar');
    await vi.runAllTimersAsync();
    expect(w.fieldErrors.trainData).toBe('/missing/shards/{000..009}.tar does not exist: give an existing shard file');
    expect(w.stepErrors.data).toBe(1);
    w.setField('trainData', '/data/shards');
    // The old answer is about another value: it does not stick to the new one.
    expect(w.fieldErrors.trainData).toBeUndefined();
    await vi.runAllTimersAsync();
    expect(w.fieldErrors.trainData).toBeUndefined();
    expect(api.callsOf('runs.checkTrainData')).toEqual([{ value: '/missing/shards/{000..009}.tar' }, { value: '/data/shards' }]);
  });
});

describe('cloning a run', () => {
  it('starts from the stored config under a new name, without resuming the original', async () => {
    const stored = validateTrainConfig({ trainData: '/data/dfn', lr: 1e-3, name: 'original', resume: 'latest', distillModel: 'ViT-B-32', distillPretrained: 'openai', distillMode: 'kl', distillWeight: 0.3 }).config;
    api.handlers['runs.get'] = () => ({ config: { ...stored } }) as never;
    const w = useWizardStore();
    await w.load({ from: 'r0' });
    await vi.runAllTimersAsync();
    expect(w.draft.useTeacher).toBe(true);
    expect(w.config).toEqual({ trainData: '/data/dfn', lr: 0.001, distillModel: 'ViT-B-32', distillPretrained: 'openai', distillMode: 'kl', distillWeight: 0.3 });
    expect(w.fieldErrors).toEqual({});
  });
});

describe('creating a run', () => {
  it('makes one run when Create is pressed twice in a row', async () => {
    api.handlers['runs.create'] = () => ({ run: { id: 'r1' } as never, command: '', warnings: [] });
    const w = await loaded();
    const [a, b] = await Promise.all([w.create(), w.create()]);
    expect([a, b]).toEqual(['r1', null]);
    expect(api.callsOf('runs.create')).toHaveLength(1);
  });
});
