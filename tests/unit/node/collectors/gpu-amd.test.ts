import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createGpuAmdCollector } from '../../../../src-main/node/collectors/gpu-amd'
import type { CollectorDeps } from '../../../../src-main/node/collectors/types'
import { createFileReader, type FileReader } from '../../../../src-main/node/platform/file-reader'
import { silentLogger } from '../../../../src-main/node/platform/logger'
import { createFakeRunner } from '../../../helpers/fake-runner'

const FIX = resolve(__dirname, '../../../fixtures/sysfs')
const ctx = { signal: new AbortController().signal, due: { slow: true, rare: false } }

function deps(fs: FileReader): CollectorDeps {
  return {
    run: createFakeRunner({}),
    spawnStream: (() => {
      throw new Error('not used')
    }) as unknown as CollectorDeps['spawnStream'],
    fs,
    clock: {
      now: () => 1_700_000_000_000,
      monotonic: () => 0,
      setTimeout: () => 0,
      clearTimeout: () => {}
    },
    log: silentLogger,
    platform: 'linux',
    intervalMs: 1000,
    env: {}
  }
}

/** A file reader that records every path whose content is read. */
function recording(inner: FileReader): FileReader & { contentReads: string[] } {
  const contentReads: string[] = []
  return {
    ...inner,
    contentReads,
    readText: (p) => (contentReads.push(p), inner.readText(p)),
    readBytes: (p) => (contentReads.push(p), inner.readBytes(p)),
    readPolled: (p) => (contentReads.push(p), inner.readPolled(p))
  }
}

describe('gpu-amd', () => {
  it('reads an RDNA4 dGPU under load: hwmon temps, power, clocks from freqN_input, PCIe from pp_dpm_pcie, PPT0', async () => {
    const c = createGpuAmdCollector(deps(createFileReader({ sysRoot: `${FIX}/amd-rx9060xt-load` })))
    const probe = await c.probe(ctx.signal)
    expect(probe.status).toBe('present')
    const info = probe.status === 'present' ? probe.inventory.gpus![0] : undefined
    expect(info).toMatchObject({
      id: 'amd:0000:03:00.0',
      name: 'AMD Radeon RX 9060 XT',
      integrated: false,
      pciBusId: { status: 'ok', value: '0000:03:00.0' },
      vbiosVersion: { status: 'ok', value: '113-R906XTGO-F2' },
      powerMaxLimitWatts: { status: 'ok', value: 200 },
      powerMinLimitWatts: { status: 'ok', value: 127 },
      tempSlowdownCelsius: { status: 'ok', value: 100 },
      tempShutdownCelsius: { status: 'ok', value: 105 },
      tempMaxOperatingCelsius: { status: 'ok', value: 110 },
      tempMemoryMaxCelsius: { status: 'ok', value: 108 },
      pcieMaxGen: { status: 'ok', value: 5 },
      pcieMaxWidth: { status: 'ok', value: 16 }
    })
    const g = (await c.sample(ctx)).gpus![0]
    expect(g.state).toBe('active')
    expect(g.clockGraphicsMhz).toEqual({ status: 'ok', value: 2996 })
    expect(g.clockMemoryMhz).toEqual({ status: 'ok', value: 1258 })
    expect(g.pcieGen).toEqual({ status: 'ok', value: 5 })
    expect(g.powerLimitWatts).toEqual({ status: 'ok', value: 164 })
    expect(g.throttleMaskHex).toEqual({ status: 'ok', value: '0x0000000000000001' })
    expect(g.temperatureHeadroomCelsius).toEqual({ status: 'ok', value: 39 })
    expect(g.fanPct.status).toBe('unavailable')
  })

  it('marks an APU with gpu_metrics 2.1 as integrated and says why it has no throttle flags', async () => {
    const c = createGpuAmdCollector(
      deps(createFileReader({ sysRoot: `${FIX}/amd-raphael-apu-idle` }))
    )
    const probe = await c.probe(ctx.signal)
    const info = probe.status === 'present' ? probe.inventory.gpus![0] : undefined
    expect(info?.integrated).toBe(true)
    expect(info?.name).toBe('AMD GPU 1002:13C0')
    const g = (await c.sample(ctx)).gpus![0]
    expect(g.temperatureCelsius).toEqual({ status: 'ok', value: 43 })
    expect(g.powerDrawWatts).toEqual({ status: 'ok', value: 27 })
    expect(g.hotspotTemperatureCelsius.status).toBe('unavailable')
    expect(g.throttleFlags).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
    expect(g.pcieGen.status).toBe('unavailable')
  })

  it('reports a runtime-suspended GPU as asleep without reading any file but runtime_status', async () => {
    const fs = recording(createFileReader({ sysRoot: `${FIX}/amd-rx7900xtx-asleep` }))
    const c = createGpuAmdCollector(deps(fs))
    const probe = await c.probe(ctx.signal)
    expect(probe.status).toBe('present')
    const g = (await c.sample(ctx)).gpus![0]
    expect(g.state).toBe('asleep')
    expect(g.utilizationPct).toMatchObject({ status: 'unavailable', reason: 'asleep' })
    expect(g.throttleFlags).toMatchObject({ status: 'unavailable', reason: 'asleep' })
    expect(g.id).toBe('amd:0000:03:00.0')
    expect(fs.contentReads.length).toBeGreaterThan(0)
    expect(fs.contentReads.every((p) => p.endsWith('/power/runtime_status'))).toBe(true)
  })

  it('is absent, not failed, on a machine without amdgpu', async () => {
    const c = createGpuAmdCollector(deps(createFileReader({ sysRoot: `${FIX}/does-not-exist` })))
    expect(await c.probe(ctx.signal)).toMatchObject({
      status: 'absent',
      reason: { reason: 'no-device' }
    })
    expect(await c.sample(ctx)).toEqual({ gpus: [] })
  })
})
