/**
 * A run's config crosses into the worker once, checked at the message boundary with the same validator
 * that made it: the worker gets a typed TrainConfig (defaults from the option table filled in) and
 * never reads raw fields; a config that does not validate is refused as a bad message, naming the flag.
 */
import { describe, expect, it } from 'vitest';
import { MainToWorker, parseMessage } from '../../../src-worker/protocol';
import { defaultConfig } from '../../../src-shared/config/train-config';

const start = (config: Record<string, unknown>) => ({
  type: 'start', job: { kind: 'train', runId: 'r1', outDir: '/tmp/r1', dataDir: '/tmp', config, resumeFrom: null },
});

describe('the train job at the worker boundary', () => {
  it('arrives as a validated TrainConfig, defaults filled, webgpu a backend like the option table says', () => {
    const msg = parseMessage(MainToWorker, start({ trainData: '/data/{0..1}.tar', backend: 'webgpu', batchSize: 16 }), 'main → worker');
    if (msg.type !== 'start' || msg.job.kind !== 'train') throw new Error('expected a train job');
    expect(msg.job.config).toEqual({ ...defaultConfig(), trainData: '/data/{0..1}.tar', backend: 'webgpu', batchSize: 16 });
  });

  it('refuses a config that does not validate, naming the flag', () => {
    expect(() => parseMessage(MainToWorker, start({ trainData: 'x.tar', lr: -1 }), 'main → worker'))
      .toThrow('invalid main → worker message (type "start"): job.config: --lr: must be greater than 0, got -1');
    expect(() => parseMessage(MainToWorker, start({ trainData: 'x.tar', backend: 'cuda' }), 'main → worker')).toThrow(/job\.config: --backend: "cuda" is not one of auto, tensorflow, webgpu, wasm, cpu/);
  });
});
