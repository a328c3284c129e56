/**
 * CollectorDeps for file-based collectors under test: a real FileReader (pointed at fixture roots), a manual
 * clock read from `clock.t`, no commands and no streams.
 */
import type { CollectorDeps } from '../../src-main/node/collectors/types'
import type { FileReader } from '../../src-main/node/platform/file-reader'
import { silentLogger } from '../../src-main/node/platform/logger'
import type { StreamSpawner } from '../../src-main/node/platform/process-stream'
import { createFakeRunner } from './fake-runner'

/** Deps whose clock reads `clock.t` (advance it between samples to produce rates). */
export function fsCollectorDeps(fs: FileReader, clock: { t: number } = { t: 0 }): CollectorDeps {
  return {
    run: createFakeRunner({}),
    spawnStream: (() => {
      throw new Error('file collectors start no processes')
    }) as unknown as StreamSpawner,
    fs,
    clock: {
      now: () => clock.t,
      monotonic: () => clock.t,
      setTimeout: () => 0,
      clearTimeout: () => {}
    },
    log: silentLogger,
    platform: 'linux',
    intervalMs: 1000,
    env: {}
  }
}
