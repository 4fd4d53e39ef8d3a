import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-worker/data/rng';
import { OPENAI_MEAN, OPENAI_STD, transformImageInto } from '../../../src-worker/data/transform/image-transform';
import { makeImage } from '../../helpers/shards';

const expected = (v: number, c: number) => (v / 255 - (OPENAI_MEAN[c] as number)) / (OPENAI_STD[c] as number);

async function gradient(width: number, height: number): Promise<Buffer> {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = 3 * (y * width + x);
      px[i] = (x * 255) / (width - 1);
      px[i + 1] = (y * 255) / (height - 1);
      px[i + 2] = 128;
    }
  return sharp(px, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

describe('image transforms', () => {
  it('writes size*size*3 normalised floats at the given offset and nothing else', async () => {
    const img = await makeImage(50, 30, 'png', [200, 100, 50], false, false);
    const out = new Float32Array(2 * 8 * 8 * 3).fill(99);
    await transformImageInto(img, { size: 8, augment: true }, new Rng(1), out, 8 * 8 * 3);
    expect(out.subarray(0, 8 * 8 * 3).every((v) => v === 99)).toBe(true);
    const row = out.subarray(8 * 8 * 3);
    for (let p = 0; p < 64; p++) {
      expect(row[3 * p]).toBeCloseTo(expected(200, 0), 5);
      expect(row[3 * p + 1]).toBeCloseTo(expected(100, 1), 5);
      expect(row[3 * p + 2]).toBeCloseTo(expected(50, 2), 5);
    }
  });

  it('turns grayscale (1 channel) and grayscale + alpha into three equal channels', async () => {
    const gray = await sharp(Buffer.alloc(20 * 20, 77), { raw: { width: 20, height: 20, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    expect((await sharp(gray).metadata()).channels).toBe(1);
    const ga = Buffer.alloc(20 * 20 * 2);
    for (let i = 0; i < 400; i++) {
      ga[2 * i] = 77;
      ga[2 * i + 1] = i % 2 ? 0 : 255; // alpha varies: it must be dropped, not blended, as PIL's convert('RGB')
    }
    const grayAlpha = await sharp(ga, { raw: { width: 20, height: 20, channels: 2 } }).toColourspace('b-w').png().toBuffer();
    for (const img of [gray, grayAlpha]) {
      const out = new Float32Array(6 * 6 * 3);
      await transformImageInto(img, { size: 6, augment: false }, undefined, out, 0);
      for (let p = 0; p < 36; p++) for (let c = 0; c < 3; c++) expect(out[3 * p + c]).toBeCloseTo(expected(77, c), 5);
    }
  });

  it('random crops are deterministic for a seed and vary across seeds; eval output needs no seed', async () => {
    const img = await gradient(120, 90);
    const run = async (seed: number) => {
      const out = new Float32Array(16 * 16 * 3);
      await transformImageInto(img, { size: 16, augment: true }, new Rng(seed), out, 0);
      return out;
    };
    const a = await run(11);
    expect(await run(11)).toEqual(a);
    const others = await Promise.all([12, 13, 14].map(run));
    expect(others.some((o) => o.some((v, i) => Math.abs(v - (a[i] as number)) > 1e-3))).toBe(true);
    const e1 = new Float32Array(16 * 16 * 3);
    const e2 = new Float32Array(16 * 16 * 3);
    await transformImageInto(img, { size: 16, augment: false }, undefined, e1, 0);
    await transformImageInto(img, { size: 16, augment: false }, undefined, e2, 0);
    expect(e1).toEqual(e2);
  });

  it('eval keeps the centre: the red channel of a horizontal gradient is symmetric about the middle', async () => {
    const img = await gradient(200, 100);
    const out = new Float32Array(10 * 10 * 3);
    await transformImageInto(img, { size: 10, augment: false }, undefined, out, 0);
    const red = (x: number) => (out[3 * (5 * 10 + x)] as number) * (OPENAI_STD[0] as number) + (OPENAI_MEAN[0] as number);
    // Resized to 20x10, centre crop columns 5..14 of 20 = the middle half of the gradient.
    expect(red(0)).toBeGreaterThan(0.25);
    expect(red(9)).toBeLessThan(0.75);
    expect(red(0) + red(9)).toBeCloseTo(1, 1);
  });

  it('throws on bytes that are not an image', async () => {
    await expect(transformImageInto(Buffer.from('not an image'), { size: 8, augment: false }, undefined, new Float32Array(192), 0)).rejects.toThrow();
  });
});
