// Lint: typescript-eslint with type information; workflow code is kept deterministic by banning Node built-ins;
// activity code is imported only by the worker (workflows: its types), and imports no workflow code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import globals from 'globals';

// The top-level activities/ and workflows/ folders, as relative imports reach them from any folder (not e.g.
// vendor-demo/activities, which a sibling imports as ./activities).
const ACTIVITIES = '^(\\.\\./)+activities(/|$)';
const WORKFLOWS = '^(\\.\\./)+workflows(/|$)';

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Activity code is the worker's: anything else shares what it needs through common/ or ovirt/, or takes it from
    // worker/ (the benchmarks run workers of their own).
    files: ['**/*.ts'],
    ignores: ['activities/**', 'worker/**', 'workflows/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: ACTIVITIES,
              message: 'Only activities/ and worker/ import activities/ (share it in common/ or ovirt/).',
            },
          ],
        },
      ],
    },
  },
  {
    // Activities run what workflows decide; they never import workflow code.
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: WORKFLOWS, message: 'Activities do not import workflows/ (share it in common/).' }] },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no activity implementations.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
          patterns: [
            {
              regex: ACTIVITIES,
              allowTypeImports: true,
              message: 'Workflows import activities as types only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Pages' scripts run in the browser, without a build step.
    files: ['**/public/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  {
    files: ['bin/*.js', '*.js', '*.cjs', '*.mjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
