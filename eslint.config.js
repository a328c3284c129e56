// Flat ESLint config. Architecture (layer) rules are errors: see ARCHITECTURE.md "Layers".
import tseslint from 'typescript-eslint'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import svelteConfig from './svelte.config.js'
import layers from './scripts/lint/layers.mjs'

const RAW_IPC = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Raw IPC is allowed only in electron-main/ipc-main.ts and preload/index.ts.'
}

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'tests/fixtures/**',
      'coverage/**'
    ]
  },
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // No *Sync calls in the engine (blocking the event loop stalls every collector). Same effect as
      // eslint-plugin-n's no-sync, without requiring type-aware linting of the whole project.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/Sync$/]',
          message: 'No *Sync calls: use the async API.'
        },
        {
          selector: 'CallExpression[callee.name=/Sync$/]',
          message: 'No *Sync calls: use the async API.'
        }
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ],
      '@typescript-eslint/no-explicit-any': 'error'
    }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig }
    },
    // Flags short-lived local Maps/Sets inside $derived computations, which are not state.
    rules: { 'svelte/prefer-svelte-reactivity': 'off' }
  },
  {
    files: ['src-renderer/**/*.{ts,svelte}'],
    languageOptions: { globals: { ...globals.browser } }
  },
  // Layering rules, by resolved path at any depth (scripts/lint/layers.mjs).
  {
    files: ['src-main/**/*.ts', 'src-renderer/**/*.{ts,svelte}'],
    plugins: { layers },
    rules: { 'layers/imports': ['error', { root: import.meta.dirname }] }
  },
  {
    files: ['src-main/electron-main/**/*.ts', 'src-main/index.ts'],
    ignores: ['src-main/electron-main/ipc-main.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [RAW_IPC] }] }
  },
  {
    // Raw IPC stays in preload/index.ts; preload exposes only contextBridge + ipcRenderer.
    files: ['src-main/preload/**/*.ts'],
    ignores: ['src-main/preload/index.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [RAW_IPC] }] }
  },
  {
    files: ['tests/**/*.ts', 'scripts/**/*.{js,mjs}', '*.config.{js,ts}', 'bin/**/*.js'],
    rules: { 'no-restricted-syntax': 'off', '@typescript-eslint/no-explicit-any': 'off' }
  }
)
