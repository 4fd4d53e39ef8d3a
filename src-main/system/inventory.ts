/**
 * Static system inventory, taken once at start: CPU, memory, OS, and GPUs as systeminformation sees
 * them (static data only: live GPU numbers come from the GPU monitor).
 *
 * The probes run in a short-lived child process. si.graphics() calls nvidia-smi and dmidecode
 * synchronously, so in-process it would block the event loop, and a Promise timeout could not
 * interrupt it; a child can be killed. Whatever did not answer in time is reported, and CPU and
 * memory fall back to Node's os module.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { cpuProbeSchema, graphicsProbeSchema, memProbeSchema, osProbeSchema, probeLineSchema, type ProbeName } from './inventory-schema';

export interface SystemInventory {
  cpu: { model: string; physicalCores: number; logicalCores: number; speedGHz: number | null; source: 'systeminformation' | 'node' };
  memory: { totalBytes: number; availableBytes: number; source: 'systeminformation' | 'node' };
  os: { platform: string; distro: string | null; release: string | null; arch: string; kernel: string | null; hostname: string | null };
  /** null when the graphics probe failed or timed out. */
  gpus: { vendor: string | null; model: string | null; vramMiB: number | null; busAddress: string | null; driverVersion: string | null }[] | null;
  /** Probes that failed or did not answer in time. */
  problems: { probe: ProbeName; message: string }[];
}

export interface InventoryOptions {
  /** Overall limit; the probe child is killed after it. Default 10000 ms. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Skip si.graphics() (the slow one). Default true = include. */
  includeGraphics?: boolean;
}

function probeScript(siPath: string, includeGraphics: boolean): string {
  return `
const si = require(${JSON.stringify(siPath)});
const send = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const run = (probe, f) => f().then((value) => send({ probe, value }), (e) => send({ probe, error: String(e && e.message || e) }));
(async () => {
  await Promise.all([run('cpu', () => si.cpu()), run('mem', () => si.mem()), run('os', () => si.osInfo())]);
  if (${includeGraphics}) await run('graphics', () => si.graphics());
})();
`;
}

export async function collectSystemInventory(options: InventoryOptions = {}): Promise<SystemInventory> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const includeGraphics = options.includeGraphics ?? true;
  const expected: ProbeName[] = includeGraphics ? ['cpu', 'mem', 'os', 'graphics'] : ['cpu', 'mem', 'os'];
  const answers = new Map<ProbeName, { value?: unknown; error?: string }>();
  const siPath = createRequire(import.meta.url).resolve('systeminformation');

  await new Promise<void>((resolve) => {
    // ELECTRON_RUN_AS_NODE lets the same code run from Electron's main process, whose execPath is Electron.
    const child = spawn(process.execPath, ['-e', probeScript(siPath, includeGraphics)], {
      env: { ...(options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const parsed = probeLineSchema.safeParse(JSON.parse(line));
          if (parsed.success) answers.set(parsed.data.probe, parsed.data);
        } catch {
          /* a torn line from a killed child */
        }
      }
      if (expected.every((p) => answers.has(p))) child.kill('SIGKILL');
    });
    child.on('error', () => undefined);
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });

  const problems: SystemInventory['problems'] = [];
  const take = <T>(probe: ProbeName, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }): T | null => {
    const answer = answers.get(probe);
    if (!answer) {
      problems.push({ probe, message: `no answer within ${timeoutMs} ms` });
      return null;
    }
    if (answer.error !== undefined) {
      problems.push({ probe, message: answer.error });
      return null;
    }
    const parsed = schema.safeParse(answer.value);
    if (!parsed.success) {
      problems.push({ probe, message: `unexpected data: ${parsed.error.message.slice(0, 200)}` });
      return null;
    }
    return parsed.data;
  };

  const cpu = take('cpu', cpuProbeSchema);
  const mem = take('mem', memProbeSchema);
  const osInfo = take('os', osProbeSchema);
  const graphics = includeGraphics ? take('graphics', graphicsProbeSchema) : null;
  const nodeCpus = os.cpus();

  return {
    cpu: cpu
      ? {
          model: [cpu.manufacturer, cpu.brand].filter(Boolean).join(' ') || (nodeCpus[0]?.model ?? 'unknown'),
          physicalCores: cpu.physicalCores,
          logicalCores: cpu.cores,
          speedGHz: cpu.speed ? cpu.speed : null, // 0 means unknown (VMs)
          source: 'systeminformation',
        }
      : { model: nodeCpus[0]?.model ?? 'unknown', physicalCores: nodeCpus.length, logicalCores: nodeCpus.length, speedGHz: null, source: 'node' },
    memory: mem
      ? { totalBytes: mem.total, availableBytes: mem.available, source: 'systeminformation' }
      : { totalBytes: os.totalmem(), availableBytes: os.freemem(), source: 'node' },
    os: osInfo
      ? { platform: osInfo.platform, distro: osInfo.distro ?? null, release: osInfo.release ?? null, arch: osInfo.arch, kernel: osInfo.kernel ?? null, hostname: osInfo.hostname ?? null }
      : { platform: process.platform, distro: null, release: os.release(), arch: process.arch, kernel: os.release(), hostname: os.hostname() },
    gpus: graphics
      ? graphics.controllers.map((c) => ({
          vendor: c.vendor ?? null,
          model: c.model ?? null,
          vramMiB: c.memoryTotal ?? c.vram ?? null,
          busAddress: c.pciBus ?? c.busAddress ?? null,
          driverVersion: c.driverVersion ?? null,
        }))
      : null,
    problems,
  };
}
