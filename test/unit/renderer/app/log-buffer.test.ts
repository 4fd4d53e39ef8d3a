import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../../src-shared/api/types';
import { LogBuffer } from '../../../../src-renderer/stores/log-buffer';

const line = (id: number, level: LogLine['level'] = 'info', message = `line ${id}`): LogLine => ({ id, runId: 'r', time: id, level, kind: 'train', message });

describe('LogBuffer', () => {
  it('merges fetched pages and live events by id, in order, without duplicates', () => {
    const b = new LogBuffer();
    expect(b.add([line(3), line(4)])).toBe(2);
    expect(b.add([line(1), line(2), line(3)])).toBe(2);
    expect(b.add([line(4)])).toBe(0);
    expect(b.all().map((l) => l.id)).toEqual([1, 2, 3, 4]);
    expect(b.lastId).toBe(4);
  });
  it('drops the oldest lines past the cap and counts them', () => {
    const b = new LogBuffer(3);
    b.add([1, 2, 3, 4, 5].map((i) => line(i)));
    expect(b.all().map((l) => l.id)).toEqual([3, 4, 5]);
    expect(b.dropped).toBe(2);
    // A dropped id may come back (e.g. a late event) and is then a new line again, kept only if it fits.
    b.add([line(6)]);
    expect(b.size).toBe(3);
  });
  it('filters by minimum level and text', () => {
    const b = new LogBuffer();
    b.add([line(1, 'debug'), line(2, 'info', 'Train Epoch 1'), line(3, 'warn', 'slow data'), line(4, 'error', 'CUDA out of memory')]);
    expect(b.filter('debug').length).toBe(4);
    expect(b.filter('warn').map((l) => l.id)).toEqual([3, 4]);
    expect(b.filter('info', 'epoch').map((l) => l.id)).toEqual([2]);
    expect(b.filter('info', 'TRAIN').map((l) => l.id)).toEqual([2, 3, 4]);
  });
  it('starts empty with lastId 0 (the API reads forward from it)', () => {
    expect(new LogBuffer().lastId).toBe(0);
  });
});
