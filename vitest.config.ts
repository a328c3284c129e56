import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { alias: { $shared: resolve(import.meta.dirname, 'src-main/shared') } },
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/hardware/**', 'node_modules/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000
  }
})
