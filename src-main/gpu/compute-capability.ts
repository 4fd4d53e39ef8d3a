/**
 * Compute capability facts that matter for TensorFlow 2.9 (libtensorflow under tfjs-node-gpu 4.22).
 * Its binaries carry machine code up to sm_80 and PTX for newer chips: on 8.6 (Ampere consumer / A40),
 * 8.9 (Ada) and 9.0 (Hopper) the driver JIT-compiles that PTX on first use, which takes minutes and is
 * cached in CUDA_CACHE_PATH.
 */

export function parseComputeCapability(cc: string): { major: number; minor: number } | null {
  const m = /^(\d+)\.(\d+)$/.exec(cc.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

/** True above 8.0: TF 2.9 has no machine code for the chip and JIT-compiles PTX. */
export function needsPtxJit(cc: string): boolean {
  const v = parseComputeCapability(cc);
  return v !== null && (v.major > 8 || (v.major === 8 && v.minor > 0));
}

/** Below 3.5 TF 2.9 has no kernels at all. */
export function tooOldForTf29(cc: string): boolean {
  const v = parseComputeCapability(cc);
  return v !== null && (v.major < 3 || (v.major === 3 && v.minor < 5));
}

// For drivers that cannot report compute_cap: a few common families by name. A guess, labelled as such.
const BY_NAME: [RegExp, string][] = [
  [/\b(B200|B100|GB200)\b/i, '10.0'],
  [/\b(H100|H200|H800|GH200)\b/i, '9.0'],
  [/RTX 40\d0|\bL4\b|\bL40S?\b|RTX \d000 Ada/i, '8.9'],
  [/RTX 30\d0|\bA40\b|\bA10G?\b|\bA16\b|\bA2\b|RTX A\d000/i, '8.6'],
  [/\b(A100|A800|A30)\b/i, '8.0'],
  [/\bT4\b|RTX 20\d0|Quadro RTX|TITAN RTX|GTX 16\d0/i, '7.5'],
  [/\bV100\b|TITAN V/i, '7.0'],
  [/\bP100\b/i, '6.0'],
  [/\bP40\b|\bP4\b|GTX 10\d0|TITAN Xp?/i, '6.1'],
  [/\bK80\b/i, '3.7'],
  [/GT 710|GT 730|\bK40\b|\bK20\b/i, '3.5'],
];

export function guessComputeCapability(name: string): string | null {
  for (const [pattern, cc] of BY_NAME) if (pattern.test(name)) return cc;
  return null;
}
