import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeShards } from '../../helpers/shards';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const root = mkdtempSync(path.join(tmpdir(), 'clipwb-runts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loader worker threads outside vitest', () => {
  it('run TypeScript when the program is started with node bin/run-ts.mjs, and let the process exit', async () => {
    const made = await makeShards(path.join(root, 'shards'), { shards: 2, samplesPerShard: 8 });
    const script = path.join(root, 'run-loader.mts');
    const loaderUrl = pathToFileURL(path.join(repo, 'src-worker/data/loader/train-loader.ts')).href;
    writeFileSync(
      script,
      `import { createTrainLoader } from ${JSON.stringify(loaderUrl)};
const loader = await createTrainLoader({ trainData: ${JSON.stringify(made.pattern)}, batchSize: 4, workers: 2, trainNumSamples: 16,
  dataSize: 100000, imageSize: 8, seed: 3, tokenize: (c) => new Int32Array(c.length) });
const keys = [];
for await (const b of loader.epoch(0)) keys.push(...b.keys);
console.log(JSON.stringify({ keys: keys.sort((a, b) => a - b), batches: loader.stats().batches }));
// No close(): idle loader threads must not keep the process alive.
`,
    );
    const out = execFileSync(process.execPath, [path.join(repo, 'bin/run-ts.mjs'), script], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    const result = JSON.parse(out.trim().split('\n').at(-1) as string) as { keys: number[]; batches: number };
    expect(result.batches).toBe(4);
    expect(result.keys).toEqual([...made.validKeys].sort((a, b) => a - b));
  });
});
