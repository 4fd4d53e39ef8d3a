/**
 * The layering rules of eslint.config.js fire (docs/design/architecture.md#layering): each forbidden
 * import, linted as if it were a file in the folder, is an error from the layering rule or
 * no-restricted-imports; the allowed ones give no error.
 */
import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const LAYER_RULES = ['layering/folders', 'no-restricted-imports'];

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** Layering errors of `code` linted as the file `file` (relative to the repository root). */
async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  const messages = result!.messages;
  const fatal = messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`${file} did not parse: ${fatal.map((m) => m.message).join('; ')}`);
  return messages.filter((m) => m.severity === 2 && LAYER_RULES.includes(m.ruleId ?? '')).map((m) => `${m.ruleId}: ${m.message}`);
}

const ts = (specifier: string): string => `import * as m from '${specifier}';\nexport const x = m;\n`;
const vue = (specifier: string): string => `<script setup lang="ts">\nimport * as m from '${specifier}';\nconst x = m;\n</script>\n<template><div>{{ x }}</div></template>\n`;

describe('layering lint rules', () => {
  describe.each([
    // worker -> main or renderer
    ['src-worker/train/probe.ts', '../../src-main/store/store'],
    ['src-worker/probe.ts', '../src-renderer/router'],
    ['src-worker/loss/probe.ts', '../../src-main/app/handlers'],
    // renderer -> anything but the renderer and src-shared
    ['src-renderer/stores/probe.ts', '../../src-main/runs/service'],
    ['src-renderer/components/wizard/probe.ts', '../../../src-worker/loss/factory'],
    ['src-renderer/probe.ts', '../bench/loss'],
    ['src-renderer/stores/probe.ts', 'node:fs'],
    ['src-renderer/stores/probe.ts', 'path'],
    ['src-renderer/stores/probe.ts', 'fs/promises'],
    ['src-renderer/stores/probe.ts', 'electron'],
    // src-shared -> nothing but itself; no builtins, tfjs or electron
    ['src-shared/config/probe.ts', '../../src-main/cli/args'],
    ['src-shared/api/probe.ts', '../../src-worker/protocol'],
    ['src-shared/probe.ts', '../src-renderer/router'],
    ['src-shared/config/probe.ts', 'node:path'],
    ['src-shared/config/probe.ts', 'crypto'],
    ['src-shared/config/probe.ts', '@tensorflow/tfjs'],
    ['src-shared/probe.ts', 'electron'],
    // main -> renderer
    ['src-main/server/probe.ts', '../../src-renderer/router'],
    // electron outside src-main/electron
    ['src-main/runs/probe.ts', 'electron'],
    ['src-main/cli/probe.ts', 'electron/main'],
    ['src-worker/probe.ts', 'electron'],
    ['test/unit/probe.test.ts', 'electron'],
  ])('%s importing %s', (file, specifier) => {
    it('is an error', async () => {
      expect(await layeringErrors(file, ts(specifier))).not.toEqual([]);
    });
  });

  it('applies to .vue files of the renderer', async () => {
    expect(await layeringErrors('src-renderer/pages/Probe.vue', vue('../../src-main/runs/service'))).not.toEqual([]);
    expect(await layeringErrors('src-renderer/pages/Probe.vue', vue('node:fs'))).not.toEqual([]);
    expect(await layeringErrors('src-renderer/pages/Probe.vue', vue('../../src-shared/api/contract'))).toEqual([]);
  });

  it('catches dynamic imports, re-exports and type imports', async () => {
    expect(await layeringErrors('src-worker/probe.ts', "export const p = import('../src-main/paths');\n")).not.toEqual([]);
    expect(await layeringErrors('src-renderer/probe.ts', "export * from '../src-main/paths';\n")).not.toEqual([]);
    expect(await layeringErrors('src-renderer/probe.ts', "import type { X } from '../src-worker/protocol';\nexport type Y = X;\n")).not.toEqual([]);
  });

  describe.each([
    ['src-worker/train/probe.ts', '../../src-shared/config/train-config'],
    ['src-worker/train/probe.ts', '../loss/factory'],
    ['src-worker/probe.ts', '@tensorflow/tfjs'],
    ['src-worker/probe.ts', 'node:fs'],
    ['src-renderer/stores/probe.ts', '../../src-shared/api/contract'],
    ['src-renderer/stores/probe.ts', '../../src-shared/config/options'],
    ['src-renderer/stores/probe.ts', './events'],
    ['src-renderer/stores/probe.ts', 'vue'],
    ['src-shared/config/probe.ts', '../errors'],
    ['src-shared/config/probe.ts', 'zod'],
    ['src-main/runs/probe.ts', '../../src-worker/protocol'],
    ['src-main/runs/probe.ts', 'node:path'],
    ['src-main/electron/probe.ts', 'electron'],
  ])('%s importing %s', (file, specifier) => {
    it('is allowed', async () => {
      expect(await layeringErrors(file, ts(specifier))).toEqual([]);
    });
  });
});
