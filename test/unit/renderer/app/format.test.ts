import { describe, expect, it } from 'vitest';
import {
  MISSING, formatAgo, formatBytes, formatDuration, formatEta, formatMiB, formatNumber, formatPercent, formatProgress, formatThroughput, formatValue,
} from '../../../../src-renderer/components/format';

describe('formatBytes', () => {
  it('uses binary units with one decimal above bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 2 ** 30)).toBe('5.0 GiB');
    expect(formatBytes(-2048)).toBe('-2.0 KiB');
  });
  it('shows missing values as a dash, never as 0', () => {
    expect(formatBytes(null)).toBe(MISSING);
    expect(formatBytes(undefined)).toBe(MISSING);
    expect(formatBytes(Number.NaN)).toBe(MISSING);
    expect(formatMiB(null)).toBe(MISSING);
  });
  it('converts nvidia-smi MiB', () => {
    expect(formatMiB(24564)).toBe('24.0 GiB');
    expect(formatMiB(512)).toBe('512.0 MiB');
  });
});

describe('formatDuration and formatEta', () => {
  it('is compact at every scale', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.4)).toBe('59s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3720)).toBe('1h 02m');
    expect(formatDuration(2 * 86_400 + 3 * 3600 + 59)).toBe('2d 03h');
  });
  it('has no ETA while the rate is unknown or negative', () => {
    expect(formatEta(null)).toBe(MISSING);
    expect(formatEta(-5)).toBe(MISSING);
    expect(formatEta(Infinity)).toBe(MISSING);
    expect(formatEta(90)).toBe('1m 30s');
  });
});

describe('formatNumber', () => {
  it('writes learning rates and tiny values in exponent form', () => {
    expect(formatNumber(2e-4)).toBe('2e-4');
    expect(formatNumber(1.2346e-5)).toBe('1.235e-5');
    expect(formatNumber(3.5e7)).toBe('3.5e7');
  });
  it('keeps integers whole and trims trailing zeros', () => {
    expect(formatNumber(1200)).toBe('1200');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(12.3456, 3)).toBe('12.3');
    expect(formatNumber(0.002)).toBe('0.002');
  });
  it('names non-finite values instead of hiding them', () => {
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(Infinity)).toBe('∞');
    expect(formatNumber(-Infinity)).toBe('-∞');
    expect(formatNumber(null)).toBe(MISSING);
    expect(formatNumber(0)).toBe('0');
  });
});

describe('other formats', () => {
  it('percent, throughput, progress, ago', () => {
    expect(formatPercent(0.8173)).toBe('81.7%');
    expect(formatThroughput(275.4)).toBe('275/s');
    expect(formatThroughput(12.34)).toBe('12.3/s');
    expect(formatThroughput(1500)).toBe('1.5k/s');
    expect(formatProgress(1200, 5000)).toBe('1,200 / 5,000');
    expect(formatProgress(3, 0)).toBe('3 / ?');
    expect(formatAgo(1_000_000, 1_000_000 + 10_000)).toBe('just now');
    expect(formatAgo(0, 5 * 60_000)).toBe('5 min ago');
  });
  it('formats config values for tables', () => {
    expect(formatValue(null)).toBe('null');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(['a', 'b'])).toBe('["a","b"]');
    expect(formatValue('ViT-B-32')).toBe('ViT-B-32');
    expect(formatValue(undefined)).toBe('');
  });
});
