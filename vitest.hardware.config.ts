import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

// Opt-in smoke tests on real machines (not in CI): `npm run test:hardware`.
export default defineConfig({
  resolve: { alias: { $shared: resolve(import.meta.dirname, 'src-main/shared') } },
  test: { include: ['tests/hardware/**/*.test.ts'], environment: 'node', testTimeout: 60_000 }
})
