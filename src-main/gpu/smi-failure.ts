/**
 * Turns an nvidia-smi exit into words. "No devices were found" (exit 6) and "couldn't communicate
 * with the NVIDIA driver" (exit 9) mean this machine has no usable GPU right now: a state, not a crash.
 */
export interface SmiFailure {
  noGpu: boolean;
  message: string;
}

const NO_GPU_PATTERNS: { pattern: RegExp; message: string }[] = [
  { pattern: /No devices were found/i, message: 'nvidia-smi found no NVIDIA GPU on this machine.' },
  {
    pattern: /couldn't communicate with the NVIDIA driver|NVIDIA-SMI has failed/i,
    message:
      'nvidia-smi cannot talk to the NVIDIA driver: the driver is not loaded or does not match the kernel. Check `nvidia-smi` in a terminal; a reboot after a driver update usually fixes it.',
  },
];

export function describeSmiFailure(
  code: number | null,
  signal: NodeJS.Signals | null,
  output: string,
  spawnError: Error | null,
): SmiFailure {
  for (const { pattern, message } of NO_GPU_PATTERNS) if (pattern.test(output)) return { noGpu: true, message };
  const how = spawnError ? `could not start (${spawnError.message})` : signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`;
  const tail = output.trim().split('\n').slice(-3).join(' | ');
  return { noGpu: false, message: `nvidia-smi ${how}${tail ? `: ${tail}` : ''}; restarting it.` };
}
