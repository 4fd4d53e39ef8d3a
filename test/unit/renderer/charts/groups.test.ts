import { describe, expect, it } from 'vitest';
import { groupMetricKeys, keyLabel } from '../../../../src-renderer/charts/groups';

describe('groupMetricKeys', () => {
  const keys = [
    'train/batch_time', 'train/data_time', 'train/samples_per_second', 'train/samples_per_second_per_gpu', 'train/scale', 'train/lr_tau', 'train/lr',
    'train/gamma', 'train/distill_loss', 'train/contrastive_loss', 'train/loss', 'val/fashion_mnist/acc1', 'val/fashion_mnist/acc5', 'val/cifar10/acc1', 'custom_thing',
  ];
  const groups = groupMetricKeys(keys);
  const byId = Object.fromEntries(groups.map((g) => [g.id, g.keys]));

  it('puts the losses together, the total first', () => {
    expect(byId.loss).toEqual(['train/loss', 'train/contrastive_loss', 'train/distill_loss']);
  });
  it('shares charts only between keys of one unit', () => {
    expect(byId.lr).toEqual(['train/lr', 'train/lr_tau']);
    expect(byId.temperature).toEqual(['train/scale']);
    expect(byId.gamma).toEqual(['train/gamma']);
    expect(byId.throughput).toEqual(['train/samples_per_second', 'train/samples_per_second_per_gpu']);
    expect(byId.timing).toEqual(['train/data_time', 'train/batch_time']);
  });
  it('groups evaluation metrics per task and gives unknown keys their own chart', () => {
    expect(byId['eval:val/fashion_mnist']).toEqual(['val/fashion_mnist/acc1', 'val/fashion_mnist/acc5']);
    expect(byId['eval:val/cifar10']).toEqual(['val/cifar10/acc1']);
    expect(byId['key:custom_thing']).toEqual(['custom_thing']);
  });
  it('orders charts: training groups first, then evaluations, then the rest; every key exactly once', () => {
    expect(groups.map((g) => g.id).slice(0, 6)).toEqual(['loss', 'lr', 'temperature', 'gamma', 'throughput', 'timing']);
    expect(groups[groups.length - 1]!.id).toBe('key:custom_thing');
    expect(groups.flatMap((g) => g.keys).sort()).toEqual([...keys].sort());
  });
  it('ignores duplicate keys and handles none', () => {
    expect(groupMetricKeys(['train/loss', 'train/loss'])[0]!.keys).toEqual(['train/loss']);
    expect(groupMetricKeys([])).toEqual([]);
  });
  it('labels keys briefly inside a chart', () => {
    expect(keyLabel('train/contrastive_loss')).toBe('contrastive_loss');
    expect(keyLabel('val/cifar10/acc1')).toBe('val/cifar10/acc1');
  });
});
