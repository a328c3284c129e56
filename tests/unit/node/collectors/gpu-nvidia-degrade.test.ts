/**
 * Degrade, don't vanish: when `nvidia-smi -q -x` fails or hangs, the NVIDIA collector still reports every GPU
 * with its `--query-gpu` inventory and its live values; only what the XML alone has is unavailable, with the
 * XML's reason. And on drivers that give temperature thresholds only relative to T.Limit (H200, driver 590),
 * the absolute thresholds are derived from the T.Limit readings. Real collector, real runner, fake nvidia-smi.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Collector } from '../../../../src-main/node/collectors/types'
import { XML_ONLY_INFO_FIELDS } from '../../../../src-main/node/sources/nvidia-smi-csv'
import type { GpuInfo, GpuSample } from '../../../../src-main/shared/telemetry'
import type { FakeNvidiaScenario } from '../../../helpers/fake-nvidia-env'
import { FIX, ctx, setup, sleep, useNvidiaCleanup } from '../../../helpers/nvidia-collector-harness'

useNvidiaCleanup()

const H200 = join(FIX, 'h200-driver-590-mig-idle.json')
const MIB = 1024 * 1024
const v = <T>(r: { status: string; value?: T } | undefined) =>
  r?.status === 'ok' ? r.value : undefined

/** The H200 scenario with a fault on `-q -x` only (file references made absolute). */
async function h200With(fault?: FakeNvidiaScenario['fault']): Promise<FakeNvidiaScenario> {
  const s = JSON.parse(await readFile(H200, 'utf8')) as FakeNvidiaScenario
  return {
    ...s,
    helpQueryGpuFile: join(FIX, s.helpQueryGpuFile!),
    xmlFile: join(FIX, s.xmlFile!),
    ...(fault ? { fault } : {})
  }
}

async function probeGpu(c: Collector): Promise<GpuInfo> {
  const r = await c.probe(new AbortController().signal)
  expect(r.status).toBe('present')
  expect(r.inventory?.gpus).toHaveLength(1)
  return r.inventory!.gpus![0]
}

async function liveSample(c: Collector): Promise<GpuSample> {
  const end = Date.now() + 8000
  for (;;) {
    const g = (await c.sample(ctx())).gpus?.[0]
    if (g?.temperatureCelsius.status === 'ok') return g
    if (Date.now() > end) throw new Error(`no live row: ${JSON.stringify(g).slice(0, 400)}`)
    await sleep(40)
  }
}

/** What --query-gpu gives for the H200, whether or not the XML answered. */
function expectQueryInventory(g: GpuInfo): void {
  expect(g).toMatchObject({ id: 'nvidia:0000:83:00.0', name: 'NVIDIA H200', vendor: 'nvidia' })
  expect(g.backend).toBe('cuda')
  expect(v(g.uuid)).toBe('GPU-00000000-0000-0000-0000-000000000000')
  expect(v(g.pciBusId)).toBe('0000:83:00.0')
  expect(v(g.memoryTotalBytes)).toBe(143771 * MIB)
  expect(v(g.driverVersion)).toBe('590.48.01')
  expect(v(g.computeCapability)).toBe('9.0')
  expect([v(g.clockMaxSmMhz), v(g.clockMaxGraphicsMhz), v(g.clockMaxMemoryMhz)]).toEqual([
    1980, 1980, 3201
  ])
  expect([v(g.pcieMaxGen), v(g.pcieMaxWidth), v(g.pcieGpuMaxGen)]).toEqual([5, 16, 5])
  expect(g.pcieHostMaxGen).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
  expect([v(g.powerMinLimitWatts), v(g.powerDefaultLimitWatts), v(g.powerMaxLimitWatts)]).toEqual([
    200, 700, 700
  ])
  expect(v(g.migEnabled)).toBe(true)
}

/** The live values of the H200 scenario's stream. */
function expectLive(s: GpuSample): void {
  expect(s.state).toBe('active')
  expect(v(s.temperatureCelsius)).toBe(28)
  expect(v(s.memoryTemperatureCelsius)).toBe(32)
  expect([78.28, 78.41]).toContain(v(s.powerDrawWatts))
  expect(v(s.powerLimitWatts)).toBe(700)
  expect(v(s.clockSmMhz)).toBe(345)
  expect(v(s.memoryUsedBytes)).toBe(55 * MIB)
  expect(v(s.memoryTotalBytes)).toBe(143771 * MIB)
  expect(v(s.pstate)).toBe('P0')
  expect(v(s.throttleFlags)).toEqual([{ name: 'gpu_idle', cause: 'idle' }])
  // MIG mode: the driver gives no whole-GPU utilisation; that reading does not apply, it is not missing.
  expect(s.utilizationPct).toMatchObject({ status: 'unavailable', reason: 'not-applicable' })
  expect(s.memoryUtilizationPct).toMatchObject({ status: 'unavailable', reason: 'not-applicable' })
}

describe('gpu-nvidia collector when -q -x fails', () => {
  it('keeps the GPU with its --query-gpu inventory and live values when -q -x exits non-zero', async () => {
    const { collector, fake } = await setup(
      await h200With({
        mode: 'exit',
        code: 15,
        stdout: 'Unable to determine the device handle for GPU0000:83:00.0: Unknown Error',
        commands: ['xml']
      })
    )
    const g = await probeGpu(collector)
    expectQueryInventory(g)
    for (const f of XML_ONLY_INFO_FIELDS) {
      expect(g[f], f).toMatchObject({ status: 'unavailable', reason: 'failed' })
      expect((g[f] as { detail: string }).detail, f).toMatch(
        /Unknown Error.*exit code 15.*only nvidia-smi -q -x reports this/
      )
    }
    expect(g.tempThresholdSource).toBeUndefined()
    expectLive(await liveSample(collector))
    // -q -x ran once; the inventory query and the stream carried the rest.
    const runs = await fake.runs()
    expect(runs.filter((a) => a.includes('-x'))).toHaveLength(1)
  })

  it('keeps the GPU when -q -x hangs past its timeout, and the probe returns soon after the timeout', async () => {
    const { collector } = await setup(await h200With({ mode: 'hang', commands: ['xml'] }), {
      options: { xmlTimeoutMs: 400 }
    })
    const t0 = Date.now()
    const g = await probeGpu(collector)
    // Bounded by the XML timeout, not by the hang (generous margin for a loaded machine).
    expect(Date.now() - t0).toBeLessThan(4000)
    expectQueryInventory(g)
    for (const f of XML_ONLY_INFO_FIELDS) {
      expect(g[f], f).toMatchObject({ status: 'unavailable', reason: 'timeout' })
      expect((g[f] as { detail: string }).detail, f).toMatch(
        /-q -x did not answer within 400 ms; only nvidia-smi -q -x reports this/
      )
    }
    expectLive(await liveSample(collector))
  })

  it('keeps the GPU when -q -x prints garbage, saying parse-error for the XML-only facts', async () => {
    const { collector } = await setup(await h200With({ mode: 'garbage', commands: ['xml'] }))
    const g = await probeGpu(collector)
    expectQueryInventory(g)
    expect(g.tempSlowdownCelsius).toMatchObject({ status: 'unavailable', reason: 'parse-error' })
  })

  it('declares a probe budget above its own tool timeouts, so the inventory waits for the fallback', async () => {
    const { collector } = await setup(await h200With(), {
      options: { queryTimeoutMs: 1000, xmlTimeoutMs: 4000 }
    })
    expect(collector.probeTimeoutMs).toBeGreaterThan(1000 + 4000)
  })
})

describe('gpu-nvidia collector on a driver with T.Limit-relative thresholds (H200, 590)', () => {
  it('derives absolute slowdown, shutdown and max-operating temperatures from T.Limit', async () => {
    const { collector } = await setup(await h200With())
    const g = await probeGpu(collector)
    expectQueryInventory(g)
    expect(v(g.runtimeVersion)).toBe('13.1')
    // gpu_temp 28 + T.Limit margin 59 = T.Limit 87 °C; slowdown at -2, shutdown at -8, max operating at 0.
    expect(g.tempThresholdSource).toBe('tlimit')
    expect(v(g.tempSlowdownCelsius)).toBe(89)
    expect(v(g.tempShutdownCelsius)).toBe(95)
    expect(v(g.tempMaxOperatingCelsius)).toBe(87)
    expect([
      v(g.tlimitSlowdownOffsetCelsius),
      v(g.tlimitShutdownOffsetCelsius),
      v(g.tlimitMaxOperatingOffsetCelsius)
    ]).toEqual([-2, -8, 0])
    // The memory limit is relative too, but there is no memory T.Limit reading to anchor it.
    expect(g.tempMemoryMaxCelsius).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
    expect((g.tempMemoryMaxCelsius as { detail: string }).detail).toMatch(/relative to T\.Limit/)
    // Live: 59 °C to T.Limit is 61 °C to the slowdown point.
    const s = await liveSample(collector)
    expectLive(s)
    expect(v(s.temperatureHeadroomCelsius)).toBe(61)
  })
})
