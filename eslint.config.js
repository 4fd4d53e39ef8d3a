import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import { builtinModules } from 'node:module';
import layering from './eslint-rules/layering.js';

// The layering (docs/design/architecture.md#layering), enforced. test/unit/lint/layering.test.ts
// checks that each restriction fires. Regular expressions, not gitignore-style groups: a group
// 'events' would also match './stores/events'.
const ELECTRON = { regex: '^electron(/|$)', message: 'Only src-main/electron/ imports electron; the core runs in plain Node.' };
const NODE_BUILTINS = {
  regex: `^(node:|(${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/|$))`,
  message: 'No Node builtins here: this code also runs in the browser.',
};
const TFJS = { regex: '^@tensorflow/', message: 'tfjs belongs to the worker (src-worker/); src-shared/ is pure data and functions.' };
const restrictImports = (...patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'coverage/**', 'test-results/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  // Vue single-file components: vue-eslint-parser for the template, the TypeScript parser inside <script>.
  // "essential" catches real mistakes; the formatting presets are left out.
  ...pluginVue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
    },
    rules: {
      // Page and atom names such as "Sparkline" are clear enough without a second word.
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  // Layering. Later blocks replace no-restricted-imports for their files, so each repeats ELECTRON.
  { plugins: { layering } },
  {
    ignores: ['src-main/electron/**'],
    rules: { 'no-restricted-imports': restrictImports(ELECTRON) },
  },
  {
    files: ['src-worker/**'],
    rules: { 'layering/folders': ['error', { deny: ['src-main', 'src-renderer'] }] },
  },
  {
    files: ['src-main/**'],
    rules: { 'layering/folders': ['error', { deny: ['src-renderer'] }] },
  },
  {
    // The renderer reaches the core only through the API contract (src-shared/api) and the shared
    // config (src-shared/config). Its Vite config runs in Node and is not renderer code.
    files: ['src-renderer/**'],
    ignores: ['src-renderer/vite.config.ts'],
    rules: {
      'layering/folders': ['error', { allow: ['src-renderer', 'src-shared'] }],
      'no-restricted-imports': restrictImports(ELECTRON, NODE_BUILTINS),
    },
  },
  {
    files: ['src-shared/**'],
    rules: {
      'layering/folders': ['error', { allow: ['src-shared'] }],
      'no-restricted-imports': restrictImports(ELECTRON, NODE_BUILTINS, TFJS),
    },
  },
);
