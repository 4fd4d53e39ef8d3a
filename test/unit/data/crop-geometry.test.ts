import { describe, expect, it } from 'vitest';
import { mixSeed, Rng } from '../../../src-worker/data/rng';
import { evalGeometry, randomResizedCropBox, roundHalfEven } from '../../../src-worker/data/transform/crop-geometry';

describe('RandomResizedCrop geometry', () => {
  it('keeps area and aspect ratio within scale (0.9, 1) and ratio (3/4, 4/3), inside the image', () => {
    const rng = new Rng(mixSeed(2025, 1));
    for (let i = 0; i < 2000; i++) {
      const width = 50 + rng.int(0, 450);
      const height = 50 + rng.int(0, 450);
      const box = randomResizedCropBox(width, height, rng);
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.top).toBeGreaterThanOrEqual(0);
      expect(box.left + box.width).toBeLessThanOrEqual(width);
      expect(box.top + box.height).toBeLessThanOrEqual(height);
      if (!box.fallback) {
        // Rounding w and h to integers moves area and ratio by at most about one pixel per side.
        const area = box.width * box.height;
        expect(area).toBeGreaterThanOrEqual(0.9 * width * height - (box.width + box.height + 1));
        expect(area).toBeLessThanOrEqual(width * height);
        expect(box.width / box.height).toBeGreaterThanOrEqual(3 / 4 - 2 / box.height);
        expect(box.width / box.height).toBeLessThanOrEqual(4 / 3 + 2 / box.height);
      }
    }
  });

  it('is a function of the seed', () => {
    const a = randomResizedCropBox(400, 300, new Rng(5));
    expect(randomResizedCropBox(400, 300, new Rng(5))).toEqual(a);
    const others = [6, 7, 8, 9].map((s) => randomResizedCropBox(400, 300, new Rng(s)));
    expect(others.some((b) => b.left !== a.left || b.top !== a.top || b.width !== a.width)).toBe(true);
  });

  it('falls back to the central crop clamped to the ratio range for extreme shapes', () => {
    // 1000x10 cannot hold 90% of its area at a ratio <= 4/3: torchvision crops 13x10 from the centre.
    const box = randomResizedCropBox(1000, 10, new Rng(1));
    expect(box).toEqual({ left: 493, top: 0, width: 13, height: 10, fallback: true });
    const tall = randomResizedCropBox(10, 1000, new Rng(1));
    expect(tall).toEqual({ left: 0, top: 493, width: 10, height: 13, fallback: true });
  });
});

describe('eval geometry', () => {
  it('resizes the shortest side to size, truncating the long side, then centres the crop', () => {
    expect(evalGeometry(640, 480, 224)).toEqual({ resizeWidth: 298, resizeHeight: 224, crop: { left: 37, top: 0, width: 224, height: 224 } });
    expect(evalGeometry(28, 28, 32)).toEqual({ resizeWidth: 32, resizeHeight: 32, crop: { left: 0, top: 0, width: 32, height: 32 } });
    // 300x500 → 224x373; (373 - 224) / 2 = 74.5 rounds to 74, as Python's round() does.
    expect(evalGeometry(300, 500, 224).crop).toEqual({ left: 0, top: 74, width: 224, height: 224 });
  });

  it('rounds half to even like Python', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3]);
  });
});
