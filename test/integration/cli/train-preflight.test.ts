/**
 * `clipwb train` checks its whole config once, before a run exists: a config that cannot run is refused
 * with the flag as the user typed it and the fix, and leaves no failed run behind (which would offer a
 * `clipwb runs resume` that fails again). What only the worker can find (a shard's keys) fails the run
 * in set-up with a message that says to start a new run, not to resume.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src-main/store';
import { RunService } from '../../../src-main/runs/service';
import { CONFIG_FAILURE_NOTE } from '../../../src-main/runs/active-run';
import { ConfigError } from '../../../src-shared/config/train-config';
import { makeWorkspace, trainArgs, type Workspace } from '../runs/fixture';
import { runMain } from './run-main';

let ws: Workspace;
beforeAll(async () => { ws = await makeWorkspace(); });
afterAll(() => ws?.remove());

/** trainArgs with one flag's value replaced (or the flag dropped, for null). */
function withFlag(args: string[], flag: string, value: string | null): string[] {
  const i = args.indexOf(`--${flag}`);
  const rest = i < 0 ? args : [...args.slice(0, i), ...args.slice(i + 2)];
  return value === null ? rest : [...rest, `--${flag}`, value];
}

function runCount(home: string): number {
  const file = path.join(home, 'clipwb.sqlite');
  if (!fs.existsSync(file)) return 0;
  const store = openStore({ file });
  try { return store.runs.list({}).length; } finally { store.close(); }
}

describe('clipwb train: the pre-flight refuses a config that cannot run, before a run exists', () => {
  it('names the flag as typed and the fix, exits 2, and creates no run', async () => {
    const home = path.join(ws.root, 'home-preflight');
    const teacherConfig = path.join(ws.root, 'teacher-wide.json');
    fs.writeFileSync(teacherConfig, JSON.stringify({
      embed_dim: 32,
      vision_cfg: { image_size: 16, layers: 1, width: 16, head_width: 8, patch_size: 8 },
      text_cfg: { context_length: 12, vocab_size: 600, width: 16, heads: 2, layers: 1 },
    }));
    const teacherWeights = path.join(ws.root, 'teacher.safetensors');
    fs.writeFileSync(teacherWeights, 'not read by the pre-flight');
    const nowhere = path.join(ws.root, 'nowhere');
    const base = trainArgs(ws);
    const cases: [string, string[], RegExp][] = [
      // #13 defect 1: a wrong --train-data path.
      ['missing shard file', withFlag(base, 'train-data', path.join(nowhere, 'shard.tar')),
        /^error: --train-data: .*nowhere\/shard\.tar does not exist: give an existing shard file, a pattern like/m],
      ['missing shard range', withFlag(base, 'train-data', path.join(ws.root, 'shards', '{00000000..00000005}.tar')),
        /^error: --train-data: .*00000005\.tar does not exist: check the shard range/m],
      // #13 defect 2: a file that is not a tar shard says so (it said "Lower --batch-size").
      ['not a tar shard', withFlag(base, 'train-data', '/etc/passwd'),
        /^error: --train-data: \/etc\/passwd is not a tar shard \(it does not start with a tar header\); expected webdataset \.tar shards/m],
      // #13 defect 3: --data_size below the built-in set's 60,000 samples (it trained on 10 of them).
      ['data_size below the built-in set', ['--train-data', 'builtin:fashion-mnist', '--fastclip', '--data_size', '10'],
        /^error: --data_size: is 10, but builtin:fashion-mnist holds 60000 samples \(keys 0 to 59999\): every sample with a key of 10 or more would be skipped\. Leave --data_size out for builtin:fashion-mnist \(it uses 60000\), or give at least 60000/m],
      // #13 defect 4: checks that ran only in the worker, each leaving a failed run.
      ['missing vocabulary', withFlag(base, 'vocab', path.join(nowhere, 'vocab.txt.gz')), /^error: --vocab: .*nowhere\/vocab\.txt\.gz: no such file or folder\. Give --vocab/m],
      ['no vocabulary for the model', withFlag(base, 'vocab', null), /^error: --vocab: no tokenizer vocabulary given, and .*clip-micro\.json \(vocab_size 600\) has no default/m],
      ['missing model config', withFlag(base, 'model', path.join(nowhere, 'model.json')), /^error: --model: .*nowhere\/model\.json/m],
      ['unknown model name', withFlag(base, 'model', 'ViT-Q-99'), /^error: --model: model config "ViT-Q-99" is unknown/m],
      ['missing --pretrained', [...base, '--pretrained', path.join(nowhere, 'w.safetensors')], /^error: --pretrained: .*nowhere\/w\.safetensors: no such file or folder\. Give 'openai'/m],
      ['missing --init-checkpoint', [...base, '--init-checkpoint', path.join(nowhere, 'c.json')], /^error: --init-checkpoint: .*nowhere\/c\.json: no such file or folder/m],
      ['--pretrained of a model not pulled', [...base, '--pretrained', 'openai'], /^error: --pretrained: openai\/clip-vit-base-patch32 \("openai" means openai\/clip-vit-base-patch32\) is not pulled: .* does not exist\. Run `clipwb models pull openai\/clip-vit-base-patch32` first/m],
      ['missing --distill-pretrained', [...base, '--distill-model', ws.modelFile, '--distill-pretrained', path.join(nowhere, 't.safetensors'), '--distill-mode', 'feature', '--distill-weight', '0.5'],
        /^error: --distill-pretrained: .*nowhere\/t\.safetensors: no such file or folder/m],
      ['teacher of another embedding width', [...base, '--distill-model', teacherConfig, '--distill-pretrained', teacherWeights, '--distill-mode', 'feature', '--distill-weight', '0.5'],
        /^error: --distill-model: teacher .*teacher-wide\.json has embed_dim 32, the student .*clip-micro\.json has 16/m],
      ['a GPU that does not exist', withFlag(base, 'devices', '7'), /^error: --devices: GPU "7" is not on this machine \(GPUs: none\)\. Give GPU indices of this machine/m],
      ['--resume of a missing checkpoint', [...base, '--resume', path.join(nowhere, 'ckpt.json')], /^error: --resume: .*nowhere\/ckpt\.json is not a checkpoint of a run in this store\. Start a new run from its weights with --init-checkpoint/m],
      ['--fastclip without --data_size on shards', withFlag([...base, '--fastclip'], 'data_size', null), /^error: --data_size: is required with --fastclip for this dataset/m],
      ['an unknown eval task', [...base, '--eval-tasks', 'no_such_task'], /^error: --eval-tasks: /m],
      ['a missing --datacomp-path', [...base, '--eval-tasks', 'cifar10', '--datacomp-path', path.join(nowhere, 'evalsets')], /^error: --datacomp-path: .*nowhere\/evalsets does not exist/m],
      ['an eval task with no data (no --datacomp-path)', [...base, '--eval-tasks', 'imagenet1k'],
        /^error: --eval-tasks: no data for imagenet1k \(no --datacomp-path given\)\. Download it \(clipwb data download evalsets --tasks imagenet1k\) and give the folder with --datacomp-path/m],
      ['an eval task with no data under --datacomp-path', [...base, '--eval-tasks', 'cifar10', '--datacomp-path', ws.root],
        /^error: --eval-tasks: no data for cifar10 under .*\. Download it/m],
      // #13 defect 5: the flag as typed, never the internal key.
      ['a bad --batch-size', withFlag(base, 'batch-size', '0'), /^error: --batch-size: must be at least 1, got 0$/m],
      ['a --data_size too large to allocate', withFlag(base, 'data_size', '1e11'), /^error: --data_size: must be at most 1000000000, got 100000000000$/m],
    ];
    const failures: string[] = [];
    for (const [name, args, expected] of cases) {
      const r = await runMain(['train', ...args, '--home', home]);
      if (r.code !== 2 || !expected.test(r.err) || /dataSize|batchSize/.test(r.err)) failures.push(`${name}: exit ${r.code}\n${r.err}\n${r.out}`);
      if (/runs resume/.test(r.out + r.err)) failures.push(`${name}: suggests resume`);
    }
    expect(failures).toEqual([]);
    expect(runCount(home)).toBe(0);
  }, 120_000);

  it('from the run API, the error field is the option key and the message names the flag', () => {
    const store = openStore({ file: path.join(ws.root, 'api-store.sqlite') });
    const service = new RunService({ store, dataDir: path.join(ws.root, 'home-api'), autoStart: false });
    try {
      const err = (() => { try { service.validate({ trainData: ws.shards.pattern, trainNumSamples: ws.samples, dataSize: 1e11 }); } catch (e) { return e; } return null; })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe('dataSize');
      expect((err as ConfigError).message).toBe('--data_size: must be at most 1000000000, got 100000000000');
      expect(() => service.createRun({ config: { trainData: '/etc/passwd', trainNumSamples: 64, batchSize: 8 } })).toThrow(/^--train-data: \/etc\/passwd is not a tar shard/);
      expect(store.runs.list({}).length).toBe(0);
    } finally {
      void service.close();
      store.close();
    }
  });
});

describe('the stored config is read back through the same validator', () => {
  it('a run whose stored config no longer validates fails at start, naming the flag, without starting a worker', () => {
    const store = openStore({ file: path.join(ws.root, 'stored-store.sqlite') });
    const service = new RunService({ store, dataDir: path.join(ws.root, 'home-stored'), autoStart: false });
    try {
      const run = service.createRun({ config: trainArgs(ws) });
      // As a store written by another version might hold it.
      store.runs.update(run.id, { config: { ...run.config, lr: -1 } });
      expect(service.startRun(run.id)).toEqual({ started: false, reason: `config: the stored config of run ${run.id} no longer validates (--lr: must be greater than 0, got -1). Start a new run with a valid config` });
      expect(store.runs.require(run.id).status).toBe('failed');
      expect(service.activeRunIds()).toEqual([]);
    } finally {
      void service.close();
      store.close();
    }
  });
});

describe('clipwb train: a config problem only the worker can find', () => {
  it('fails the run in set-up, says to start a new run, and offers no resume', async () => {
    const home = path.join(ws.root, 'home-setup');
    // Keys of the first shard run to 31: --data_size 10 is found only when the worker reads them.
    const r = await runMain(['train', ...withFlag(trainArgs(ws, ['--name', 'keys-beyond']), 'data_size', '10'), '--home', home]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^run keys-beyond \(\S+\): failed$/m);
    expect(r.out).toContain('--data_size: is 10, but sample');
    expect(r.out).toContain(CONFIG_FAILURE_NOTE);
    expect(r.out).toMatch(/^fix the configuration and start a new run; this run's command was:\nclipwb train/m);
    expect(r.out).not.toMatch(/runs resume/);
    const store = openStore({ file: path.join(home, 'clipwb.sqlite') });
    try {
      const [run] = store.runs.list({});
      expect(run?.status).toBe('failed');
      expect(run?.error).toContain(CONFIG_FAILURE_NOTE);
    } finally {
      store.close();
    }
  }, 120_000);

  it('prints and records each config warning once (the worker no longer repeats them)', async () => {
    const home = path.join(ws.root, 'home-warn');
    const r = await runMain(['train', ...trainArgs(ws, ['--precision', 'amp', '--max-steps', '1', '--name', 'warned']), '--home', home]);
    expect(r.code).toBe(0);
    const printed = `${r.out}\n${r.err}`.split('\n').filter((l) => l.includes('TensorFlow.js trains in float32'));
    expect(printed).toEqual(['warning: --precision amp: TensorFlow.js trains in float32 here']);
    const store = openStore({ file: path.join(home, 'clipwb.sqlite') });
    try {
      const [run] = store.runs.list({});
      const recorded = store.events.list({ runId: run!.id }).filter((e) => e.message.includes('TensorFlow.js trains in float32'));
      expect(recorded.length).toBe(1);
    } finally {
      store.close();
    }
  }, 120_000);
});
