import { describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../../../../src-shared/api/types';
import { cpuOnly, selectedDevices, toggleDevice } from '../../../../src-renderer/components/wizard/devices';
import { chooseDataset, datasetOf, trainDataValue } from '../../../../src-renderer/components/wizard/dataset-choice';

describe('device picking', () => {
  it('keeps --devices sorted and --nproc at one worker per picked GPU', () => {
    let f: Record<string, string | boolean> = { devices: '', nproc: '1' };
    f = toggleDevice(f, '3');
    f = toggleDevice(f, '1');
    expect(f).toMatchObject({ devices: '1,3', nproc: '2' });
    f = toggleDevice(f, '3');
    expect(f).toMatchObject({ devices: '1', nproc: '1' });
    f = toggleDevice(f, '1');
    expect(f).toMatchObject({ devices: '', nproc: '1' });
  });

  it('drops the CPU choice when a GPU is picked, and picks the CPU alone', () => {
    const cpu = cpuOnly({ devices: '0,1', nproc: '2' });
    expect(selectedDevices(cpu.devices)).toEqual(['cpu']);
    expect(cpu.nproc).toBe('2');
    expect(toggleDevice(cpu, '0').devices).toBe('0');
  });
});

describe('dataset choice', () => {
  // As the server registers it after datasets.buildBuiltin.
  const builtin: DatasetInfo = { id: 1, name: 'fashion-mnist (train)', kind: 'builtin', type: 'train', path: '/data/datasets/fashion-mnist', scan: { samples: 60000, dataSize: 70000, trainData: 'builtin:fashion-mnist' }, addedAt: 0 };
  // Rows the CLI wrote before it registered the spec get it from store migration 3 (test/integration/store).
  const bare: DatasetInfo = { ...builtin, name: 'fashion-mnist', scan: null };
  const folder: DatasetInfo = { id: 2, name: 'dfn', kind: 'folder', type: 'train', path: '/data/dfn', scan: { samples: 1000, dataSizeNeeded: 1400, shards: 3 }, addedAt: 0 };

  it('names the built-in set by its builtin: spec and a folder by its path', () => {
    expect(trainDataValue(builtin)).toBe('builtin:fashion-mnist');
    expect(trainDataValue(bare)).toBe('/data/datasets/fashion-mnist');
    expect(trainDataValue(folder)).toBe('/data/dfn');
    expect(datasetOf(' /data/dfn ', [builtin, folder])?.id).toBe(2);
    expect(datasetOf('./elsewhere/{0..9}.tar', [builtin, folder])).toBeUndefined();
  });

  it('fills the epoch length and data_size from a folder\'s scan only where the user left them empty', () => {
    expect(chooseDataset({ trainData: '', trainNumSamples: '', dataSize: '' }, folder)).toEqual({ trainData: '/data/dfn', trainNumSamples: '1000', dataSize: '1400' });
    expect(chooseDataset({ trainData: '', trainNumSamples: '500', dataSize: '' }, folder)).toMatchObject({ trainNumSamples: '500', dataSize: '1400' });
    expect(chooseDataset({ trainData: 'x', trainNumSamples: '', dataSize: '' }, builtin)).toEqual({ trainData: 'builtin:fashion-mnist', trainNumSamples: '', dataSize: '' });
  });
});
