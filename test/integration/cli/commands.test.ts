/**
 * clipwb commands that need no training: help and usage errors (in this process, through main()),
 * then data scan / vocab, tokenize and doctor as real processes.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../../../src-worker/text';
import { makeWorkspace, type Workspace } from '../runs/fixture';
import { cli, cliEnv, startCli } from './run-cli';
import { runMain } from './run-main';

const COMMANDS = ['demo', 'train', 'eval', 'embed', 'convert', 'data', 'models', 'runs', 'tokenize', 'doctor', 'serve'];

describe('clipwb: help and usage errors', () => {
  it('prints the command list, and every command its usage, with exit code 0', async () => {
    const top = await runMain(['--help']);
    expect(top.code).toBe(0);
    for (const c of COMMANDS) expect(top.out).toMatch(new RegExp(`^  ${c} `, 'm'));
    for (const c of COMMANDS) {
      const r = await runMain([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.out, c).toMatch(new RegExp(`^clipwb ${c}: `));
      expect(r.out, c).toMatch(/usage:\s+clipwb /);
    }
    const train = await runMain(['train', '-h']);
    expect(train.out).toContain('--temperature_scheme');
    expect(train.out).toContain('--batch-size');
  });

  it('stops quietly with exit code 0 when the reader of its output goes away (clipwb runs list | head -1)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-epipe-'));
    try {
      const p = startCli(['runs', 'list'], cliEnv(root, path.join(root, 'home')));
      p.child.stdout?.destroy(); // the reader closes before the first line is written
      const r = await p.done;
      expect(r.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
      expect(r.code).toBe(0);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('answers unknown commands, subcommands and flags with a clear error and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [[], /usage: clipwb <command>/],
      [['trian'], /clipwb: unknown command "trian". Did you mean "train"\?/],
      [['runs', 'frobnicate'], /runs: unknown subcommand "frobnicate" \(list, show, resume, pause, cancel, export\)/],
      [['runs'], /runs: give a subcommand/],
      [['runs', 'show'], /runs show: give the run id/],
      [['runs', 'list', '--bogus'], /clipwb runs list: unknown option --bogus \(options: --status,/],
      [['runs', 'list', '--limit', 'ten'], /--limit expects a whole number, got "ten"/],
      [['data', 'scna', 'x'], /data: unknown subcommand "scna"/],
      [['models', 'fetch'], /models: unknown subcommand "fetch" \(pull, list\)/],
      [['train', '--batch-szie', '8'], /--batch-szie: is not a training option\. Did you mean --batch-size\?/],
      [['train', '--epochs'], /--epochs: needs a value/],
      [['train', '--lr', 'fast'], /lr: expected a number, got "fast"/],
      [['eval', '--tasks', 'cifar10'], /--checkpoint is required/],
      [['tokenize', '--vocab', 'x'], /tokenize: give the text to tokenize/],
      [['embed', '--checkpoint', 'x'], /embed: give at least one --image or --text/],
    ];
    for (const [argv, message] of cases) {
      const r = await runMain(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(`${r.out}\n${r.err}`, argv.join(' ')).toMatch(message);
    }
  });
});

describe('clipwb: data, tokenize, doctor', () => {
  let ws: Workspace;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    ws = await makeWorkspace();
    env = cliEnv(ws.root, ws.home);
  });
  afterAll(() => ws?.remove());

  it('data scan counts a shard folder, checks keys against --data-size, and recognises an eval set', async () => {
    const shardDir = path.dirname(ws.shards.paths[0]!);
    const [counted, tooSmall, evalSet, notAFolder] = await Promise.all([
      cli(['data', 'scan', shardDir, '--count'], env),
      cli(['data', 'scan', shardDir, '--count', '--data-size', '10'], env),
      cli(['data', 'scan', ws.evalDir], env),
      cli(['data', 'scan', path.join(ws.root, 'nothing-here')], env),
    ]);
    expect(counted.code).toBe(0);
    expect(JSON.parse(counted.stdout)).toMatchObject({ kind: 'shards', shards: 2, samples: 64, minKey: 0, maxKey: 63, dataSizeNeeded: 64, incomplete: 0, problems: [] });
    expect(tooSmall.code).toBe(1);
    expect(JSON.parse(tooSmall.stdout).problems).toEqual(['--data_size 10 is too small: the largest key is 63; use at least 64']);
    expect(evalSet.code).toBe(0);
    expect(JSON.parse(evalSet.stdout)).toMatchObject({ kind: 'eval-classification', shards: 1, samples: 20, classes: 10, problems: [] });
    expect(notAFolder.code).toBe(1);
    expect(JSON.parse(notAFolder.stdout).problems[0]).toMatch(/nothing-here is not a folder/);
    // Reading files makes no database in the data folder.
    expect(fs.existsSync(path.join(ws.home, 'clipwb.sqlite'))).toBe(false);
  });

  it('data vocab learns a vocabulary from the captions, and tokenize prints the ids it gives', async () => {
    const out = path.join(ws.root, 'cli-vocab');
    const made = await cli(['data', 'vocab', '--train-data', ws.shards.pattern, '--size', '560', '--out', out], env);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^vocabulary of \d+ tokens from 64 captions -> /);
    for (const f of ['vocab.json', 'merges.txt', 'bpe_vocab.txt.gz']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);

    const text = 'a red cat photo number 12.';
    const tok = await cli(['tokenize', '--vocab', out, '--context-length', '16', text], env);
    expect(tok.code).toBe(0);
    const tokenizer = await ClipTokenizer.load(out);
    const row = Array.from(tokenizer.encode([text], 16));
    const expected = row.slice(0, row.indexOf(tokenizer.endOfTextId) + 1);
    expect(tok.stdout).toContain(`  ids:    ${expected.join(' ')}\n`);
    expect(expected[0]).toBe(tokenizer.startOfTextId);
  });

  it('serve refuses a busy port or one out of range with exit code 2 and what to do', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (busy.address() as net.AddressInfo).port;
      const r = await cli(['serve', '--port', String(port)], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`port ${port} is already in use`);
      expect(r.stderr).toContain('--port 0');
    } finally {
      busy.close();
    }
    const range = await cli(['serve', '--port', '99999'], env);
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/--port must be a whole number from 0 to 65535/);
  });

  it('tokenize uses the shipped standard vocabulary when none is given', async () => {
    const r = await cli(['tokenize', 'a photo of a cat.'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('  ids:    49406 320 1125 539 320 2368 269 49407\n');
  });

  it('doctor without nvidia-smi says training runs on the CPU, and why', async () => {
    const r = await cli(['doctor'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nvidia-smi was not found on PATH');
    expect(r.stdout).toContain('No GPU to check: training runs on the CPU.');
    expect(r.stdout).not.toContain('GPU checks passed');
    expect(r.stdout).toMatch(/verdict: training runs on the CPU \((wasm|cpu)\)\. For GPUs, install @tensorflow\/tfjs-node-gpu/);
    const json = await cli(['doctor', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ gpu: { gpuState: 'no-gpu' }, verdict: { trainsOn: 'cpu' }, dataDir: ws.home });
  });
});
