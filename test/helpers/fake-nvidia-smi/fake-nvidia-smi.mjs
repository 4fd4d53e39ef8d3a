/**
 * A stand-in for nvidia-smi that prints recorded outputs from test/fixtures/nvidia-smi/<machine>/.
 *
 * Environment:
 *   FAKE_NVIDIA_SMI_FIXTURE      machine folder: absolute path, or a name under test/fixtures/nvidia-smi (required)
 *   FAKE_NVIDIA_SMI_EXIT_AFTER   with -lms/-l: exit with code 15 after printing this many samples (a crash)
 *   FAKE_NVIDIA_SMI_HANG         with -lms/-l: print nothing and never exit (a wedged driver)
 *   FAKE_NVIDIA_SMI_LOG          append one line per invocation ("<pid> <args>") to this file
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixturesRoot = path.resolve(here, '..', '..', 'fixtures', 'nvidia-smi');
const args = process.argv.slice(2);

if (process.env.FAKE_NVIDIA_SMI_LOG) appendFileSync(process.env.FAKE_NVIDIA_SMI_LOG, `${process.pid} ${args.join(' ')}\n`);

const fixtureEnv = process.env.FAKE_NVIDIA_SMI_FIXTURE;
if (!fixtureEnv) {
  process.stderr.write('fake nvidia-smi: set FAKE_NVIDIA_SMI_FIXTURE to a folder under test/fixtures/nvidia-smi\n');
  process.exit(2);
}
const dir = path.isAbsolute(fixtureEnv) ? fixtureEnv : path.join(fixturesRoot, fixtureEnv);
const read = (name) => {
  const file = path.join(dir, name);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
};

const fail = read('fail.txt');
if (fail !== null) {
  const [first, ...rest] = fail.split('\n');
  process.stdout.write(rest.join('\n'));
  process.exit(Number(/^exit=(\d+)/.exec(first ?? '')?.[1] ?? 1));
}

const option = (name) => {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === name) return args[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
};

const loopMs = option('-lms') ?? option('--loop-ms') ?? (option('-l') ?? option('--loop')) * 1000;
const queryGpu = option('--query-gpu');
const queryApps = option('--query-compute-apps');

if (args.includes('--version')) {
  process.stdout.write(read('version.txt') ?? 'NVIDIA-SMI version  : 999.99\n');
  process.exit(0);
}

const requested = (queryGpu ?? queryApps ?? '').split(',');
const unsupported = (read('unsupported-fields.txt') ?? '').split('\n').map((s) => s.trim()).filter(Boolean);
const rejected = requested.find((f) => unsupported.includes(f));
if (rejected) {
  process.stdout.write(`Field "${rejected}" is not a valid field to query.\n\n`);
  process.exit(2);
}

if (queryApps !== undefined) {
  process.stdout.write(read('compute-apps.txt') ?? '');
  process.exit(0);
}

if (queryGpu === undefined) {
  process.stderr.write(`fake nvidia-smi: unsupported arguments: ${args.join(' ')}\n`);
  process.exit(2);
}

if (requested.includes('compute_cap') || (requested.includes('driver_version') && !requested.includes('utilization.gpu'))) {
  const legacy = !requested.includes('compute_cap');
  const text = read(legacy ? 'static-legacy.txt' : 'static.txt') ?? (legacy ? dropColumn(read('static.txt') ?? '', 3) : null);
  if (text === null) {
    process.stderr.write(`fake nvidia-smi: ${dir} has no static.txt\n`);
    process.exit(2);
  }
  process.stdout.write(text);
  process.exit(0);
}

const samples = splitSamples(read('query-gpu.txt') ?? '');
if (loopMs === undefined || Number.isNaN(Number(loopMs))) {
  process.stdout.write(samples[0] ?? '');
  process.exit(0);
}
if (process.env.FAKE_NVIDIA_SMI_HANG) {
  setInterval(() => {}, 1 << 30);
} else {
  const exitAfter = process.env.FAKE_NVIDIA_SMI_EXIT_AFTER ? Number(process.env.FAKE_NVIDIA_SMI_EXIT_AFTER) : Infinity;
  let printed = 0;
  const printNext = () => {
    process.stdout.write(samples[Math.min(printed, samples.length - 1)] ?? '');
    printed++;
    if (printed >= exitAfter) process.exit(15);
  };
  printNext();
  setInterval(printNext, Math.max(1, Number(loopMs)));
}
process.on('SIGTERM', () => process.exit(0));

/** Splits -lms output into samples: a new sample starts where the GPU index stops increasing. */
function splitSamples(text) {
  const out = [];
  let current = '';
  let lastIndex = -1;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^(\d+),/.exec(line);
    if (m && Number(m[1]) <= lastIndex && current !== '') {
      out.push(current);
      current = '';
    }
    if (m) lastIndex = Number(m[1]);
    current += `${line}\n`;
  }
  if (current !== '') out.push(current);
  return out;
}

function dropColumn(text, column) {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : line.split(', ').filter((_, i) => i !== column).join(', ')))
    .join('\n');
}
