/** Shapes of what the probe child sends back: it crosses a process boundary, so it is validated. */
import { z } from 'zod';

const num = z.number().finite();
const optNum = num.nullable().optional();
const optStr = z.string().nullable().optional();

export const cpuProbeSchema = z.object({
  manufacturer: optStr,
  brand: optStr,
  speed: optNum,
  cores: num,
  physicalCores: num,
});

export const memProbeSchema = z.object({ total: num, available: num });

export const osProbeSchema = z.object({
  platform: z.string(),
  distro: optStr,
  release: optStr,
  arch: z.string(),
  kernel: optStr,
  hostname: optStr,
});

export const graphicsProbeSchema = z.object({
  controllers: z.array(
    z.object({
      vendor: optStr,
      model: optStr,
      vram: optNum,
      busAddress: optStr,
      pciBus: optStr,
      driverVersion: optStr,
      memoryTotal: optNum,
    }),
  ),
});

export const probeLineSchema = z.object({
  probe: z.enum(['cpu', 'mem', 'os', 'graphics']),
  value: z.unknown().optional(),
  error: z.string().optional(),
});

export type ProbeName = z.infer<typeof probeLineSchema>['probe'];
