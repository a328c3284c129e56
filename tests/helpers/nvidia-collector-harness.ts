/**
 * Harness for NVIDIA collector tests: the real collector, runner and process stream against the fake
 * nvidia-smi on a private PATH, with short timeouts; everything is cleaned up after each test.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach } from 'vitest'
import {
  createGpuNvidiaCollector,
  type GpuNvidiaOptions
} from '../../src-main/node/collectors/gpu-nvidia'
import type { Collector, CollectorDeps } from '../../src-main/node/collectors/types'
import { createSystemClock } from '../../src-main/node/platform/clock'
import { createCommandRunner } from '../../src-main/node/platform/command-runner'
import { createFileReader } from '../../src-main/node/platform/file-reader'
import { silentLogger } from '../../src-main/node/platform/logger'
import { spawnProcessStream } from '../../src-main/node/platform/process-stream'
import { createFakeNvidiaEnv, type FakeNvidiaEnv, type FakeNvidiaScenario } from './fake-nvidia-env'

export const FIX = resolve(__dirname, '../fixtures/nvidia-smi')
export const INTERVAL_MS = 100
export const FAST: GpuNvidiaOptions = {
  queryTimeoutMs: 3000,
  xmlTimeoutMs: 3000,
  firstSampleWaitMs: 3000,
  backoffMs: 150,
  maxBackoffMs: 300
}

export const cleanups: (() => Promise<void>)[] = []
/** Registers the per-test cleanup (call at the top of a test file). */
export function useNvidiaCleanup(): void {
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!()
  })
}

export async function emptySysRoot(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'nvsys-'))
  cleanups.push(() => rm(d, { recursive: true, force: true }))
  return d
}

export async function setup(
  scenario: FakeNvidiaScenario | string,
  opts: {
    binary?: 'ok' | 'missing' | 'not-executable'
    sysRoot?: string
    options?: GpuNvidiaOptions
  } = {}
): Promise<{ collector: Collector; fake: FakeNvidiaEnv }> {
  const fake = await createFakeNvidiaEnv(scenario, { binary: opts.binary })
  const deps: CollectorDeps = {
    run: createCommandRunner(),
    spawnStream: spawnProcessStream,
    fs: createFileReader({ sysRoot: opts.sysRoot ?? (await emptySysRoot()) }),
    clock: createSystemClock(),
    log: silentLogger,
    platform: 'linux',
    intervalMs: INTERVAL_MS,
    env: fake.env
  }
  const collector = createGpuNvidiaCollector(deps, { ...FAST, ...opts.options })
  cleanups.push(() => fake.cleanup())
  cleanups.push(() => collector.close())
  return { collector, fake }
}

export const ctx = () => ({
  signal: new AbortController().signal,
  due: { slow: true, rare: false }
})
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
