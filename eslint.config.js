// ESLint flat config: typescript-eslint recommended (not type-checked, for speed) plus the
// layering rules of STYLE.md #1. Note: in flat config a later block's rule options replace
// an earlier block's for the same rule, so each exemption restates the full list it keeps.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ENGINE_MESSAGE =
  'engine/ is pure TypeScript: core → symbolic → ir → ops → trace → export → serialize → runtime; ' +
  'host adapters live in main/ or renderer/.';
const RENDERER_MESSAGE =
  'renderer/ runs sandboxed: no Node, no electron, no main/ imports; talk to main through main/common/ipc-contract.ts via window.api.';
const MAIN_MESSAGE = 'main/ never imports renderer/; share types through main/common/ipc-contract.ts.';

const NODE_BUILTINS = ['fs', 'path', 'child_process', 'worker_threads', 'os', 'http', 'https', 'net', 'crypto', 'url', 'util', 'module'];

/** Import restrictions for engine files; `allowNode` exempts tests, which read corpus files. */
function engineImports(allowNode) {
  const paths = ['electron', 'react', 'react-dom', ...(allowNode ? [] : NODE_BUILTINS)].map((name) => ({
    name,
    message: ENGINE_MESSAGE,
  }));
  const groups = ['electron/*', 'react/*', 'react-dom/*', '**/main/**', '**/renderer/**', '/main/**', '/renderer/**'];
  if (!allowNode) groups.push('node:*', ...NODE_BUILTINS.map((name) => `${name}/*`));
  return ['error', { paths, patterns: [{ group: groups, message: ENGINE_MESSAGE }] }];
}

/** DOM globals forbidden in engine files; WebGPU code may use `navigator` (navigator.gpu). */
function engineGlobals(allowNavigator) {
  const names = ['document', 'window', 'localStorage', 'sessionStorage', ...(allowNavigator ? [] : ['navigator'])];
  return ['error', ...names.map((name) => ({ name, message: ENGINE_MESSAGE }))];
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'out/**',
      'build/**',
      'coverage/**',
      'playwright-report/**',
      'test-results/**',
      '**/.vite/**',
      // Bundles packed for a GPU machine (scripts/bench/gpu-pack.sh), never committed.
      '.gpubench/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // An engine over untyped tensors and pytrees needs escape hatches; keep them visible, not fatal.
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  // Node-side code, scripts and configs.
  {
    files: ['main/**', 'scripts/**', 'e2e/**', '*.{js,mjs,cjs,ts}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Layering: engine/.
  {
    files: ['engine/**'],
    rules: { 'no-restricted-imports': engineImports(false), 'no-restricted-globals': engineGlobals(false) },
  },
  {
    files: ['engine/runtime/webgpu/**'],
    rules: { 'no-restricted-globals': engineGlobals(true) },
  },
  {
    files: ['engine/**/*.test.ts', 'engine/test/**'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-restricted-imports': engineImports(true) },
  },
  // Layering: renderer/.
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: RENDERER_MESSAGE }],
          // main/common/ holds the IPC contract (types and channel names only) shared by both sides.
          patterns: [
            { group: ['node:*', 'electron/*'], message: RENDERER_MESSAGE },
            { regex: '(^|/)main/(?!common/)', message: RENDERER_MESSAGE },
          ],
        },
      ],
    },
  },
  // Layering: main/.
  {
    files: ['main/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/renderer/**', '/renderer/**'], message: MAIN_MESSAGE }] }],
    },
  },
);
