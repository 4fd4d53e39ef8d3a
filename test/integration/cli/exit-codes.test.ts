/**
 * clipwb's exit code follows from the error's kind: 2 for input the user can correct (usage, a bad flag
 * value), 1 for everything else (a run that does not exist, a failure).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src-main/store';
import { runMain } from './run-main';

let home: string;

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-exit-'));
  const store = openStore({ file: path.join(home, 'clipwb.sqlite') });
  store.runs.create({ id: 'done-run', name: 'done', origin: 'cli', status: 'finished' });
  store.close();
});

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('clipwb exit codes by kind', () => {
  it('exits 2 for a bad flag value, whatever the command throws it with', async () => {
    // These were plain Errors before, and exited 1.
    for (const [argv, message] of [
      [['demo', '--objective', 'sgd'], /--objective must be fastclip-v3 or infonce/],
      [['demo', '--epochs', '0'], /--epochs must be at least 1/],
      [['demo', '--reference', '--variants', 'nope'], /unknown variant "nope"/],
    ] as const) {
      const r = await runMain([...argv, '--home', home]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
    // A usage error and a training-config error stay 2.
    expect((await runMain(['runs', 'list', '--status', 'bogus', '--home', home])).code).toBe(2);
    expect((await runMain(['train', '--lr', 'fast'])).code).toBe(2);
  });

  it('exits 1 for a run that does not exist', async () => {
    const r = await runMain(['runs', 'show', 'no-such-run', '--home', home]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no run with id "no-such-run"/);
    const found = await runMain(['runs', 'show', 'done-run', '--home', home]);
    expect(found.code).toBe(0);
  });
});
