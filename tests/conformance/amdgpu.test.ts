import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { expect, it } from 'vitest'
import { createGpuAmdCollector } from '../../src-main/node/collectors/gpu-amd'
import {
  decodeGpuMetrics,
  decodeIndepThrottleStatus
} from '../../src-main/node/sources/amdgpu-metrics'
import type { CollectorDeps } from '../../src-main/node/collectors/types'
import { createFileReader } from '../../src-main/node/platform/file-reader'
import { silentLogger } from '../../src-main/node/platform/logger'
import { createFakeRunner } from '../helpers/fake-runner'
import { describePeer, peer } from '../helpers/peer-fixtures'

const FIX = resolve(__dirname, '../fixtures')
const ctx = { signal: new AbortController().signal, due: { slow: true, rare: false } }

function collector(sysRoot: string) {
  const deps: CollectorDeps = {
    run: createFakeRunner({}),
    spawnStream: (() => {
      throw new Error('not used')
    }) as unknown as CollectorDeps['spawnStream'],
    fs: createFileReader({ sysRoot }),
    clock: { now: () => 0, monotonic: () => 0, setTimeout: () => 0, clearTimeout: () => {} },
    log: silentLogger,
    platform: 'linux',
    intervalMs: 1000,
    env: {}
  }
  return createGpuAmdCollector(deps)
}

interface UnitValue {
  unit: string
  value: number | null
}
interface AmdgpuTopDevice {
  DeviceName: string
  PCI: string
  Sensors: Record<string, UnitValue | null>
  gpu_activity: Record<string, UnitValue>
  'VRAM Size': number
  'VRAM Usage Size': number
  'Power Cap': { current: number; min: number; max: number } | null
  gpu_metrics: Record<string, unknown> & {
    'Throttle Status': string[]
    header: { format_revision: number; content_revision: number }
  }
}

describePeer('conformance: amdgpu sysfs (prometheus/procfs Vega 10)', () => {
  it('reads busy %, VRAM, pp_dpm clocks and pp_dpm_pcie, tolerates empty files and skips i915 connectors', async () => {
    const c = collector(peer('prometheus__procfs/fixtures/sys'))
    const probe = await c.probe(ctx.signal)
    expect(probe.status).toBe('present')
    const gpus = probe.status === 'present' ? probe.inventory.gpus! : []
    expect(gpus).toHaveLength(1)
    expect(gpus[0]).toMatchObject({
      id: 'amd:0000:09:00.0',
      name: 'AMD GPU 1002:687F',
      vbiosVersion: { status: 'ok', value: '115-D050PIL-100' },
      memoryTotalBytes: { status: 'ok', value: 8573157376 },
      clockMaxGraphicsMhz: { status: 'ok', value: 1630 },
      clockMaxMemoryMhz: { status: 'ok', value: 945 },
      integrated: false
    })
    const [g] = (await c.sample(ctx)).gpus!
    expect(g.utilizationPct).toEqual({ status: 'ok', value: 4 })
    expect(g.memoryTotalBytes).toEqual({ status: 'ok', value: 8573157376 })
    expect(g.memoryUsedBytes).toEqual({ status: 'ok', value: 1490378752 })
    expect(g.clockGraphicsMhz).toEqual({ status: 'ok', value: 852 })
    expect(g.clockMemoryMhz).toEqual({ status: 'ok', value: 167 })
    expect(g.pcieGen).toEqual({ status: 'ok', value: 3 })
    expect(g.pcieWidth).toEqual({ status: 'ok', value: 16 })
    // No hwmon and no gpu_metrics in this tree: said, not zero.
    expect(g.temperatureCelsius.status).toBe('unavailable')
    expect(g.powerDrawWatts.status).toBe('unavailable')
    expect(g.throttleFlags.status).toBe('unavailable')
  })
})

describePeer('conformance: amdgpu_top dump (RX 9060 XT, Granite Ridge APU)', () => {
  const dump = JSON.parse(
    readFileSync(peer('Umio-Yasuno__amdgpu_top/docs/dump.json'), 'utf8')
  ) as AmdgpuTopDevice[]
  const sample = JSON.parse(
    readFileSync(peer('Umio-Yasuno__amdgpu_top/docs/sample.json'), 'utf8')
  ) as {
    devices: (Omit<AmdgpuTopDevice, 'VRAM Size'> & { VRAM: Record<string, UnitValue> })[]
  }
  const rx = dump.find((d) => d.DeviceName === 'AMD Radeon RX 9060 XT')!
  const v = (d: { Sensors: Record<string, UnitValue | null> }, k: string): number | null =>
    d.Sensors[k]?.value ?? null

  it('yields the dump values for the RX 9060 XT from the fixture tree built from it', async () => {
    const c = collector(`${FIX}/sysfs/amd-rx9060xt-load`)
    await c.probe(ctx.signal)
    const [g] = (await c.sample(ctx)).gpus!
    expect(g.id).toBe(`amd:${rx.PCI}`)
    expect(g.utilizationPct).toEqual({ status: 'ok', value: rx.gpu_activity.GFX.value })
    expect(g.memoryUtilizationPct).toEqual({ status: 'ok', value: rx.gpu_activity.Memory.value })
    expect(g.memoryTotalBytes).toEqual({ status: 'ok', value: rx['VRAM Size'] })
    expect(g.memoryUsedBytes).toEqual({ status: 'ok', value: rx['VRAM Usage Size'] })
    expect(g.temperatureCelsius).toEqual({ status: 'ok', value: v(rx, 'Edge Temperature') })
    expect(g.hotspotTemperatureCelsius).toEqual({
      status: 'ok',
      value: v(rx, 'Junction Temperature')
    })
    expect(g.memoryTemperatureCelsius).toEqual({ status: 'ok', value: v(rx, 'Memory Temperature') })
    expect([50, 71, 75]).toEqual([
      v(rx, 'Edge Temperature'),
      v(rx, 'Junction Temperature'),
      v(rx, 'Memory Temperature')
    ])
    expect(g.powerDrawWatts).toEqual({ status: 'ok', value: v(rx, 'Average Power') })
    expect(g.powerLimitWatts).toEqual({ status: 'ok', value: rx['Power Cap']!.current })
    expect(g.fanRpm).toEqual({ status: 'ok', value: v(rx, 'Fan') })
    expect(g.clockGraphicsMhz).toEqual({ status: 'ok', value: v(rx, 'GFX_SCLK') })
    expect(g.pcieGen).toEqual({
      status: 'ok',
      value: (rx.Sensors['PCIe Link Speed'] as unknown as { gen: number }).gen
    })
    expect(g.throttleFlags.status).toBe('ok')
    const names = g.throttleFlags.status === 'ok' ? g.throttleFlags.value.map((f) => f.name) : []
    expect(names).toEqual(rx.gpu_metrics['Throttle Status'])
    expect(names).toEqual(['PPT0'])
    expect(g.throttleFlags.status === 'ok' && g.throttleFlags.value[0].cause).toBe('power')
  })

  it('decodes the fixture gpu_metrics blobs back to the values the dump lists', () => {
    const rxBlob = readFileSync(
      `${FIX}/sysfs/amd-rx9060xt-load/devices/pci0000:00/0000:00:01.1/0000:01:00.0/0000:02:00.0/0000:03:00.0/gpu_metrics`
    )
    const m = decodeGpuMetrics(new Uint8Array(rxBlob))
    if (!m.ok) throw new Error(m.error.detail)
    const gm = rx.gpu_metrics
    expect([m.metrics.header.formatRevision, m.metrics.header.contentRevision]).toEqual([
      gm.header.format_revision,
      gm.header.content_revision
    ])
    expect(m.metrics.temperatureEdgeCelsius).toEqual({ status: 'ok', value: gm.temperature_edge })
    expect(m.metrics.temperatureHotspotCelsius).toEqual({
      status: 'ok',
      value: gm.temperature_hotspot
    })
    expect(m.metrics.temperatureMemCelsius).toEqual({ status: 'ok', value: gm.temperature_mem })
    expect(m.metrics.socketPowerWatts).toEqual({ status: 'ok', value: gm.average_socket_power })
    expect(m.metrics.currentGfxclkMhz).toEqual({ status: 'ok', value: gm.current_gfxclk })
    expect(m.metrics.currentUclkMhz).toEqual({ status: 'ok', value: gm.current_uclk })
    expect(m.metrics.pcieLinkWidth).toEqual({ status: 'ok', value: gm.pcie_link_width })
    const flags =
      m.metrics.indepThrottleStatus.status === 'ok'
        ? decodeIndepThrottleStatus(m.metrics.indepThrottleStatus.value)
        : []
    expect(flags.map((f) => f.name)).toEqual(gm['Throttle Status'])

    const apu = sample.devices[0]
    const apuBlob = readFileSync(
      `${FIX}/sysfs/amd-raphael-apu-idle/devices/pci0000:00/0000:00:08.1/0000:13:00.0/gpu_metrics`
    )
    const a = decodeGpuMetrics(new Uint8Array(apuBlob))
    if (!a.ok) throw new Error(a.error.detail)
    expect(
      a.metrics.temperatureGfxCelsius.status === 'ok' && a.metrics.temperatureGfxCelsius.value
    ).toBeCloseTo((apu.gpu_metrics.temperature_gfx as number) / 100)
    expect(a.metrics.socketPowerWatts).toEqual({
      status: 'ok',
      value: apu.gpu_metrics.average_socket_power
    })
  })

  it('yields the sample.json values for the APU at idle', async () => {
    const apu = sample.devices[0]
    const c = collector(`${FIX}/sysfs/amd-raphael-apu-idle`)
    await c.probe(ctx.signal)
    const [g] = (await c.sample(ctx)).gpus!
    expect(g.temperatureCelsius).toEqual({ status: 'ok', value: v(apu, 'Edge Temperature') })
    expect(g.powerDrawWatts).toEqual({ status: 'ok', value: v(apu, 'Input Power') })
    expect(g.clockGraphicsMhz).toEqual({ status: 'ok', value: v(apu, 'GFX_SCLK') })
    expect(g.utilizationPct).toEqual({ status: 'ok', value: apu.gpu_activity.GFX.value })
    expect(g.memoryTotalBytes).toEqual({
      status: 'ok',
      value: apu.VRAM['Total VRAM'].value! * 1024 * 1024
    })
    expect(g.memoryUsedBytes).toEqual({
      status: 'ok',
      value: apu.VRAM['Total VRAM Usage'].value! * 1024 * 1024
    })
  })
})
