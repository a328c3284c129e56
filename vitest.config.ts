import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

// Tests that measure the machine (bandwidth against sysbench/fio) run after everything else, alone, so
// other test files running beside them cannot distort the figures they compare.
const MEASURING = ['tests/e2e/probe-agreement.test.ts']

export default defineConfig({
  resolve: { alias: { $shared: resolve(import.meta.dirname, 'src-main/shared') } },
  test: {
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/hardware/**', 'node_modules/**', ...MEASURING]
        }
      },
      {
        extends: true,
        test: {
          name: 'measuring',
          include: MEASURING,
          fileParallelism: false,
          sequence: { groupOrder: 1 }
        }
      }
    ]
  }
})
