// Flat ESLint config. Architecture (layer) rules are errors: see ARCHITECTURE.md "Layers".
import tseslint from 'typescript-eslint'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import svelteConfig from './svelte.config.js'

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/promises',
  'child_process',
  'os',
  'path',
  'http',
  'net',
  'util',
  'worker_threads'
]
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
  // Layering rules.
  {
    files: ['src-main/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../core/*', '../node/*', '../electron-main/*', '../preload/*', '../../*'],
              message: 'shared/ imports nothing else in the project.'
            },
            {
              group: ['electron', ...NODE_BUILTINS],
              message: 'shared/ is pure: no electron, no node:*.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../node/*', '../node', '../electron-main/*', '../preload/*'],
              message: 'core/ may import only shared/.'
            },
            {
              group: ['electron', ...NODE_BUILTINS, 'systeminformation'],
              message: 'core/ is pure: no I/O.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src-main/node/**/*.ts', 'src-main/cli.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron'],
          patterns: [
            {
              group: [
                '../electron-main/*',
                '../../electron-main/*',
                '../preload/*',
                '../../preload/*'
              ],
              message: 'node/ never imports the Electron layer.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src-main/electron-main/**/*.ts', 'src-main/index.ts'],
    ignores: ['src-main/electron-main/ipc-main.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [RAW_IPC] }] }
  },
  {
    files: ['src-main/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../core/*', '../node/*', '../electron-main/*', ...NODE_BUILTINS],
              message: 'preload/ may import only shared types and electron.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src-renderer/**/*.{ts,svelte}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', ...NODE_BUILTINS],
              message: 'The renderer never imports electron or node:*.'
            },
            {
              group: [
                '**/src-main/core/*',
                '**/src-main/node/*',
                '**/src-main/electron-main/*',
                '../../src-main/*',
                '../../../src-main/*'
              ],
              message: 'The renderer imports only $shared/*.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['tests/**/*.ts', 'scripts/**/*.{js,mjs}', '*.config.{js,ts}', 'bin/**/*.js'],
    rules: { 'no-restricted-syntax': 'off', '@typescript-eslint/no-explicit-any': 'off' }
  }
)
