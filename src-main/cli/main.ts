/**
 * `clipwb`: the command line of CLIP Workbench. Every command works without the app; runs started here
 * are recorded in the same store the app reads, so the app shows them too.
 */
import type { CommandEntry } from './command';
import { exitCodeOf, isWorkbenchError } from '../../src-shared/errors';
import { closestWord } from '../../src-shared/config/options';

const COMMANDS: CommandEntry[] = [
  { name: 'demo', summary: 'Build the built-in dataset if needed, train a tiny CLIP with FastCLIP v3, evaluate it, print a table', load: async () => (await import('./commands/demo')).demoCommand },
  { name: 'train', summary: 'Train a CLIP model (FastCLIP v0-v3 or InfoNCE, optional teacher); flags as in open_clip and FastCLIP', load: async () => (await import('./commands/train')).trainCommand },
  { name: 'eval', summary: 'Evaluate a checkpoint on zero-shot classification / retrieval tasks', load: async () => (await import('./commands/eval')).evalCommand },
  { name: 'embed', summary: 'Print normalised image/text embeddings of a checkpoint as JSON', load: async () => (await import('./commands/embed')).embedCommand },
  { name: 'convert', summary: 'Convert a PyTorch .pt checkpoint to safetensors (no Python, nothing in the file is run)', load: async () => (await import('./commands/convert')).convertCommand },
  { name: 'data', summary: 'Datasets: build the built-in one, download, scan a folder', load: async () => (await import('./commands/data')).dataCommand },
  { name: 'models', summary: 'Reference models: pull from the Hugging Face hub, list', load: async () => (await import('./commands/models')).modelsCommand },
  { name: 'runs', summary: 'List runs, show one, resume, pause or cancel one, export CSV', load: async () => (await import('./commands/runs')).runsCommand },
  { name: 'tokenize', summary: 'Print the token ids of some text', load: async () => (await import('./commands/tokenize')).tokenizeCommand },
  { name: 'doctor', summary: 'Check whether this machine can train on its GPUs, and why not', load: async () => (await import('./commands/doctor')).doctorCommand },
  { name: 'serve', summary: 'Start the web mode of the app (127.0.0.1, token-protected)', load: async () => (await import('./commands/serve')).serveCommand },
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'clipwb: CLIP Workbench command line',
    '',
    'usage: clipwb <command> [options]     clipwb <command> --help',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Data and runs live in the data folder: $CLIPWB_HOME, else ~/.local/share/clip-workbench (see README).',
  ].join('\n');
}

/**
 * `clipwb runs list | head -1`, `clipwb train ... | head`: when the reader of our output goes away, stop
 * writing to it and carry on, as a process whose terminal closed would: a listing finishes and exits 0,
 * a training run goes on to its end (its log is in the run folder). Exiting instead killed a training
 * run's supervision mid-run. Other write errors still surface.
 */
let pipeGuarded = false;
function ignoreClosedPipe(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      // Nobody reads this stream any more: drop what is written to it from now on.
      stream.write = ((_chunk: unknown, encodingOrCb?: unknown, cb?: unknown) => {
        const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
        if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
        return true;
      }) as typeof stream.write;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  ignoreClosedPipe();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(pkg.version);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const near = closestWord(name, COMMANDS.map((c) => c.name));
    console.error(`clipwb: unknown command "${name}"${near ? `. Did you mean "${near}"?` : ''}\n\n${help()}`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`clipwb ${command.name}: ${command.summary}\n\n${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    // The kind decides the exit code: 2 for input the user can correct (a usage error, a bad flag), 1 otherwise.
    const code = exitCodeOf(err);
    const message = err instanceof Error ? err.message : String(err);
    const fix = isWorkbenchError(err) && err.fix && !message.includes(err.fix) ? `\n${err.fix}` : '';
    console.error(`error: ${message}${fix}`);
    if (code !== 2 && process.env.CLIPWB_DEBUG && err instanceof Error) console.error(err.stack);
    return code;
  }
}
