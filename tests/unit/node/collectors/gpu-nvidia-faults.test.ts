import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Collector } from '../../../../src-main/node/collectors/types'
import type { GpuSample } from '../../../../src-main/shared/telemetry'
import { type FakeNvidiaScenario } from '../../../helpers/fake-nvidia-env'

import {
  FIX,
  cleanups,
  ctx,
  setup,
  sleep,
  useNvidiaCleanup
} from '../../../helpers/nvidia-collector-harness'

useNvidiaCleanup()

async function sampleUntil(
  c: Collector,
  pred: (g: GpuSample[]) => boolean,
  timeoutMs = 6000
): Promise<GpuSample[]> {
  const end = Date.now() + timeoutMs
  let last: GpuSample[] = []
  while (Date.now() < end) {
    last = (await c.sample(ctx())).gpus ?? []
    if (pred(last)) return last
    await sleep(40)
  }
  throw new Error(`condition not met; last sample: ${JSON.stringify(last).slice(0, 600)}`)
}

const NVSMI_FAILED =
  "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."

async function scenarioWith(fault: FakeNvidiaScenario['fault']): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'nvscn-'))
  cleanups.push(() => rm(d, { recursive: true, force: true }))
  const base = JSON.parse(
    await readFile(join(FIX, 'rtx4090-load-power-capped.json'), 'utf8')
  ) as FakeNvidiaScenario
  base.helpQueryGpuFile = join(FIX, 'help-query-gpu-r550.txt')
  base.fault = fault
  const p = join(d, 'scenario.json')
  await writeFile(p, JSON.stringify(base))
  return p
}

const probeOf = (c: Collector) => c.probe(new AbortController().signal)

describe('gpu-nvidia collector faults', () => {
  it('reports tool-missing when nvidia-smi is not on PATH', async () => {
    const { collector } = await setup(join(FIX, 'rtx4090-idle.json'), { binary: 'missing' })
    const r = await probeOf(collector)
    expect(r).toMatchObject({
      status: 'absent',
      reason: { reason: 'tool-missing', detail: 'nvidia-smi not found' }
    })
    expect(r.inventory?.absent?.[0]).toMatchObject({
      deviceClass: 'gpu-nvidia',
      reason: { reason: 'tool-missing' }
    })
    expect(await collector.sample(ctx())).toEqual({ gpus: [] })
  })

  it('reports permission-denied when nvidia-smi is not executable', async () => {
    const { collector } = await setup(join(FIX, 'rtx4090-idle.json'), { binary: 'not-executable' })
    expect(await probeOf(collector)).toMatchObject({
      status: 'absent',
      reason: { reason: 'permission-denied' }
    })
  })

  it('reports failed with the driver message when nvidia-smi exits non-zero', async () => {
    const { collector } = await setup(
      await scenarioWith({ mode: 'exit', code: 9, stdout: NVSMI_FAILED })
    )
    const r = await probeOf(collector)
    expect(r).toMatchObject({ status: 'absent', reason: { reason: 'failed' } })
    expect(r.status === 'absent' && r.reason.detail).toContain(
      "couldn't communicate with the NVIDIA driver"
    )
    expect(r.status === 'absent' && r.reason.detail).toContain('exit code 9')
  })

  it('reports no-device when nvidia-smi finds no GPU', async () => {
    // The real tool says this to every call; -q -x and the inventory query both fail.
    const { collector } = await setup(
      await scenarioWith({
        mode: 'exit',
        code: 6,
        stdout: 'No devices were found',
        commands: ['xml', 'query']
      })
    )
    expect(await probeOf(collector)).toMatchObject({
      status: 'absent',
      reason: { reason: 'no-device', detail: 'No devices were found' }
    })
  })

  it('reports parse-error for garbage and for empty output', async () => {
    // A broken field catalogue leaves nothing to ask for; a broken -q -x alone degrades instead
    // (gpu-nvidia-degrade.test.ts), so both inventory sources are broken here.
    for (const commands of [['help'], ['xml', 'query']] as const) {
      const g = await setup(await scenarioWith({ mode: 'garbage', commands: [...commands] }))
      expect(await probeOf(g.collector)).toMatchObject({
        status: 'absent',
        reason: { reason: 'parse-error' }
      })
      const e = await setup(await scenarioWith({ mode: 'empty', commands: [...commands] }))
      const r = await probeOf(e.collector)
      expect(r).toMatchObject({ status: 'absent', reason: { reason: 'parse-error' } })
      expect(r.status === 'absent' && r.reason.detail).toMatch(/empty output/)
    }
  })

  it('reports timeout when nvidia-smi hangs past the timeout, without hanging the probe', async () => {
    const { collector } = await setup(
      await scenarioWith({ mode: 'hang', commands: ['xml', 'query'] }),
      { options: { xmlTimeoutMs: 400, queryTimeoutMs: 400 } }
    )
    const t0 = Date.now()
    const r = await probeOf(collector)
    expect(r).toMatchObject({ status: 'absent', reason: { reason: 'timeout' } })
    expect(Date.now() - t0).toBeLessThan(3000)
  })

  it('keeps the inventory when only the compute_cap query fails', async () => {
    const { collector } = await setup(
      await scenarioWith({ mode: 'exit', code: 2, stderr: 'boom', commands: ['query'] })
    )
    const r = await probeOf(collector)
    expect(r.status).toBe('present')
    expect(r.inventory!.gpus![0].computeCapability).toMatchObject({
      status: 'unavailable',
      reason: 'failed'
    })
  })

  it('marks readings failed while a dead stream restarts with backoff, then recovers', async () => {
    const stderr = 'Unable to determine the device handle for GPU0000:01:00.0: Unknown Error'
    const { collector, fake } = await setup(
      await scenarioWith({
        mode: 'die-mid-stream',
        afterTicks: 3,
        code: 15,
        stderr,
        commands: ['stream'],
        maxFaultRuns: 1
      }),
      { options: { backoffMs: 800, maxBackoffMs: 800 } }
    )
    await probeOf(collector)
    await sampleUntil(collector, (g) => g[0]?.powerDrawWatts.status === 'ok')
    const down = await sampleUntil(collector, (g) => g[0]?.powerDrawWatts.status === 'unavailable')
    expect(down[0].powerDrawWatts).toMatchObject({ status: 'unavailable', reason: 'failed' })
    expect((down[0].powerDrawWatts as { detail: string }).detail).toContain(stderr)
    await sampleUntil(collector, (g) => g[0]?.powerDrawWatts.status === 'ok')
    expect((await fake.runs()).filter((a) => a.includes('-lms'))).toHaveLength(2)
  })

  it('marks readings timeout when the stream goes silent, restarts it, and recovers', async () => {
    const { collector, fake } = await setup(
      await scenarioWith({
        mode: 'hang-mid-stream',
        afterTicks: 2,
        commands: ['stream'],
        maxFaultRuns: 1
      }),
      { options: { silenceTimeoutMs: 1200, backoffMs: 100 } }
    )
    await probeOf(collector)
    await sampleUntil(collector, (g) => g[0]?.powerDrawWatts.status === 'ok')
    const stale = await sampleUntil(collector, (g) => g[0]?.powerDrawWatts.status === 'unavailable')
    expect(stale[0].powerDrawWatts).toMatchObject({ reason: 'timeout' })
    await sampleUntil(collector, (g) => g[0]?.powerDrawWatts.status === 'ok', 8000)
    expect((await fake.runs()).filter((a) => a.includes('-lms')).length).toBeGreaterThanOrEqual(2)
  })

  it('never returns numbers from a stream that prints garbage', async () => {
    const { collector } = await setup(
      await scenarioWith({ mode: 'garbage', commands: ['stream'] }),
      { options: { firstSampleWaitMs: 300 } }
    )
    await probeOf(collector)
    const s = await collector.sample(ctx())
    expect(s.gpus![0].temperatureCelsius.status).toBe('unavailable')
    expect(['timeout', 'failed']).toContain(
      (s.gpus![0].temperatureCelsius as { reason: string }).reason
    )
  })
})
