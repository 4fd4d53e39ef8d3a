import type { Command } from '../command';
import { parseArgs, formatFlagHelp, str, type FlagSpec } from '../args';
import { HOME_FLAG } from '../context';
import { resolveDataDir, dataLayout } from '../../paths';
import { runGpuDoctor, renderGpuDoctorReport } from '../../gpu/doctor';
import { initBackend, formatBackendReport, parseBackendPreference } from '../../../src-worker/backend/select';

const FLAGS: FlagSpec[] = [
  { name: 'backend', type: 'string', help: 'Check one backend only (tensorflow, webgpu, wasm, cpu)', default: 'auto' },
  { name: 'json', type: 'bool', help: 'Print the report as JSON' },
  HOME_FLAG,
];

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check whether this machine can train on its GPUs',
  usage: `usage: clipwb doctor [options]\n\nReports the compute backend (and why others were skipped), the NVIDIA driver and GPUs (name, memory,\ncompute capability), the CUDA 11 / cuDNN 8 libraries tfjs-node-gpu needs, the CUDA JIT cache, and the\nroute each GPU would take (tensorflow with CUDA 11, or webgpu through Vulkan) and why.\n\n${formatFlagHelp(FLAGS)}`,
  async run(argv) {
    const { flags } = parseArgs(argv, FLAGS, 'doctor');
    const dataDir = resolveDataDir({ flag: str(flags.home) });
    const cudaCacheDir = dataLayout(dataDir).cudaCache;
    const [backend, gpu] = await Promise.all([
      initBackend(parseBackendPreference(str(flags.backend))).catch((err: Error) => err),
      runGpuDoctor({ cudaCacheDir }),
    ]);
    const gpuTraining = !(backend instanceof Error) && backend.gpu && gpu.ok;
    const verdict = gpuTraining
      ? { trainsOn: 'gpu' as const, text: 'this machine can train on its GPU(s).' }
      : {
        trainsOn: 'cpu' as const,
        text: `training runs on the CPU (${backend instanceof Error ? 'no backend' : backend.name}). ${backend instanceof Error || backend.provider !== 'tfjs-node-gpu'
          ? 'For GPUs, install @tensorflow/tfjs-node-gpu (npm install with internet access) and the CUDA 11 / cuDNN 8 libraries listed above.'
          : 'Fix the failed checks above.'}`,
      };
    if (flags.json) {
      console.log(JSON.stringify({ backend: backend instanceof Error ? { error: backend.message } : backend, gpu, dataDir, verdict }, null, 2));
    } else {
      console.log(backend instanceof Error ? `backend: FAILED: ${backend.message}` : formatBackendReport(backend));
      console.log('');
      console.log(renderGpuDoctorReport(gpu));
      console.log('');
      console.log(`verdict: ${verdict.text}`);
    }
    return 0;
  },
};
