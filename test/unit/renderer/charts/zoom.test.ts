import { describe, expect, it } from 'vitest';
import { dragToRange, stepRangeFor } from '../../../../src-renderer/charts/zoom';

const px = (p: number) => p * 10;

describe('dragToRange', () => {
  it('maps a drag in either direction to an ordered range', () => {
    expect(dragToRange(10, 50, px)).toEqual({ min: 100, max: 500 });
    expect(dragToRange(50, 10, px)).toEqual({ min: 100, max: 500 });
  });
  it('treats a short drag as a click', () => {
    expect(dragToRange(10, 14, px)).toBeNull();
    expect(dragToRange(10, Number.NaN, px)).toBeNull();
  });
});

describe('stepRangeFor', () => {
  it('uses the range itself on the step axis, rounded outwards', () => {
    expect(stepRangeFor({ min: 10.4, max: 99.2 }, 'step', [])).toEqual({ fromStep: 10, toStep: 100 });
    expect(stepRangeFor({ min: -5, max: 3 }, 'step', [])).toEqual({ fromStep: 0, toStep: 3 });
  });
  it('maps a time range to the steps of the drawn points, one point wider each side', () => {
    const pts = [0, 1, 2, 3, 4, 5].map((i) => ({ x: 1000 * i, step: 10 * i }));
    expect(stepRangeFor({ min: 1500, max: 3500 }, 'wall', pts)).toEqual({ fromStep: 10, toStep: 40 });
    expect(stepRangeFor({ min: 0, max: 5000 }, 'relative', pts)).toEqual({ fromStep: 0, toStep: 50 });
  });
  it('gives up (visual zoom only) when points carry no step or the range misses them', () => {
    expect(stepRangeFor({ min: 0, max: 10 }, 'wall', [{ x: 1 }, { x: 2 }])).toBeNull();
    expect(stepRangeFor({ min: 100, max: 200 }, 'wall', [{ x: 1, step: 1 }])).toBeNull();
  });
});
