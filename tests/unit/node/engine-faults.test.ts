/**
 * Fault isolation across the whole engine: one external tool misbehaving (missing, permission denied, non-zero
 * exit, garbage, empty, hanging, dying mid-stream) costs only its own readings; the other collectors keep
 * producing and the tick cadence holds. Real processes, real sampler, real clock.
 */
import { resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCpuCollector } from '../../../src-main/node/collectors/cpu'
import { createGpuNvidiaCollector } from '../../../src-main/node/collectors/gpu-nvidia'
import { createMemoryCollector } from '../../../src-main/node/collectors/memory'
import { createEngine, type Engine } from '../../../src-main/node/engine'
import { silentLogger } from '../../../src-main/node/platform/logger'
import type { Snapshot } from '../../../src-main/shared/telemetry'
import { createFakeNvidiaEnv, type FakeNvidiaEnv } from '../../helpers/fake-nvidia-env'

const repo = resolve(import.meta.dirname, '../../..')
const SYS = resolve(repo, 'tests/fixtures/sysfs/ryzen-7950x-desktop')
const PROC = resolve(repo, 'tests/fixtures/procfs/ryzen-7950x-desktop')
const SCENARIO = resolve(repo, 'tests/fixtures/nvidia-smi/rtx4090-load-power-capped.json')

type Fault = NonNullable<
  Parameters<typeof createFakeNvidiaEnv>[0] extends infer S
    ? S extends { fault?: infer F }
      ? F
      : never
    : never
>

async function runEngine(
  env: FakeNvidiaEnv,
  ms: number
): Promise<{ engine: Engine; snaps: Snapshot[] }> {
  const engine = await createEngine({
    sysRoot: SYS,
    procRoot: PROC,
    env: env.env,
    intervalMs: 250,
    log: silentLogger,
    collectors: [createCpuCollector, createMemoryCollector, createGpuNvidiaCollector]
  })
  const snaps: Snapshot[] = []
  engine.source.subscribe((s) => snaps.push(s))
  engine.source.start()
  await new Promise((r) => setTimeout(r, ms))
  await engine.close()
  return { engine, snaps }
}

async function scenarioWith(fault: Fault | undefined): Promise<string> {
  const { readFile, writeFile, mkdtemp } = await import('node:fs/promises')
  const { tmpdir } = await import('node:os')
  const s = JSON.parse(await readFile(SCENARIO, 'utf8'))
  s.helpQueryGpuFile = resolve(repo, 'tests/fixtures/nvidia-smi', s.helpQueryGpuFile)
  if (fault) s.fault = fault
  const dir = await mkdtemp(resolve(tmpdir(), 'rr-fault-'))
  const p = resolve(dir, 'scenario.json')
  await writeFile(p, JSON.stringify(s))
  return p
}

function expectOthersHealthy(snaps: Snapshot[], runMs: number): void {
  // Cadence: 250 ms ticks over the run (first tick at 0) — allow scheduling slack, never a stall.
  expect(snaps.length).toBeGreaterThanOrEqual(Math.floor(runMs / 250) - 2)
  for (const s of snaps.slice(1)) {
    expect(s.cpu.status).toBe('ok')
    expect(s.memory.status).toBe('ok')
  }
  const gaps = snaps.slice(1).map((s, i) => s.timestampMs - snaps[i].timestampMs)
  expect(Math.max(...gaps)).toBeLessThan(1000)
}

describe('engine fault isolation (nvidia-smi misbehaving)', () => {
  let env: FakeNvidiaEnv | undefined
  afterEach(async () => env?.cleanup())

  it.each([
    ['missing tool', 'missing', undefined, 'tool-missing'],
    ['permission denied', 'not-executable', undefined, 'permission-denied'],
    [
      'non-zero exit',
      'ok',
      {
        mode: 'exit',
        code: 9,
        stderr: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
      },
      'failed'
    ],
    ['garbage output', 'ok', { mode: 'garbage' }, 'parse-error'],
    ['empty output', 'ok', { mode: 'empty' }, 'parse-error'],
    ['hang', 'ok', { mode: 'hang' }, 'timeout']
  ] as const)(
    '%s: the GPU is reported absent/unavailable with the reason, CPU and memory keep their cadence',
    async (_n, binary, fault, reason) => {
      env = await createFakeNvidiaEnv(await scenarioWith(fault as Fault | undefined), { binary })
      const runMs = 2500
      const { engine, snaps } = await runEngine(env, runMs)
      const absent = engine.inventory.absent.find((a) => a.deviceClass === 'gpu-nvidia')
      expect(absent?.reason.reason).toBe(reason)
      expectOthersHealthy(snaps, runMs)
    },
    20_000
  )

  it('a stream that dies mid-run marks the GPU unavailable while down, without stalling the other collectors', async () => {
    env = await createFakeNvidiaEnv(
      await scenarioWith({ mode: 'die-mid-stream', afterTicks: 3, commands: ['stream'] } as Fault),
      { binary: 'ok' }
    )
    const runMs = 3000
    const { snaps } = await runEngine(env, runMs)
    expectOthersHealthy(snaps, runMs)
    const gpuStates = snaps.map((s) => s.gpus[0]?.temperatureCelsius.status ?? 'none')
    expect(gpuStates).toContain('ok')
    expect(gpuStates.some((x) => x === 'unavailable')).toBe(true)
  }, 20_000)
})
