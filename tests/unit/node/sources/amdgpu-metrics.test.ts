import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeGpuMetrics,
  decodeGpuMetricsHeader,
  decodeIndepThrottleStatus
} from '../../../../src-main/node/sources/amdgpu-metrics'
import {
  encodeGpuMetrics,
  RAPHAEL_APU_IDLE_V2_1,
  RAPHAEL_APU_V2_1,
  RX9060XT_LOAD_V1_3
} from '../../../fixtures/gpu-metrics/encoder'

const FIX = resolve(__dirname, '../../../fixtures')

/** Committed binary fixtures and the encoder input each one is generated from. */
const GOLDEN: {
  path: string
  format: number
  content: number
  values: Record<string, number | bigint>
}[] = [
  {
    path: 'sysfs/amd-rx9060xt-load/devices/pci0000:00/0000:00:01.1/0000:01:00.0/0000:02:00.0/0000:03:00.0/gpu_metrics',
    format: 1,
    content: 3,
    values: RX9060XT_LOAD_V1_3
  },
  {
    path: 'sysfs/amd-raphael-apu-idle/devices/pci0000:00/0000:00:08.1/0000:13:00.0/gpu_metrics',
    format: 2,
    content: 1,
    values: RAPHAEL_APU_IDLE_V2_1
  },
  {
    path: 'gpu-metrics/raphael-apu-load-v2_1.bin',
    format: 2,
    content: 1,
    values: RAPHAEL_APU_V2_1
  },
  { path: 'gpu-metrics/rx9060xt-load-v1_3.bin', format: 1, content: 3, values: RX9060XT_LOAD_V1_3 }
]

function decoded(bytes: Uint8Array) {
  const r = decodeGpuMetrics(bytes)
  if (!r.ok) throw new Error(`decode failed: ${r.error.detail}`)
  return r.metrics
}

describe('gpu-amd-metrics', () => {
  it('keeps the committed gpu_metrics fixtures identical to the encoder output (UPDATE_FIXTURES=1 rewrites them)', async () => {
    for (const g of GOLDEN) {
      const bytes = encodeGpuMetrics(g.format, g.content, g.values)
      const file = resolve(FIX, g.path)
      if (process.env.UPDATE_FIXTURES) await writeFile(file, bytes)
      expect(new Uint8Array(await readFile(file)), g.path).toEqual(bytes)
    }
  })

  it('reads the header: u16 structure size, u8 format revision, u8 content revision', () => {
    expect(decodeGpuMetricsHeader(encodeGpuMetrics(1, 3, {}))).toEqual({
      structureSizeBytes: 120,
      formatRevision: 1,
      contentRevision: 3
    })
    expect(decodeGpuMetricsHeader(new Uint8Array([1, 2, 3]))).toBeUndefined()
  })

  it('decodes v1.3 fields at the kernel offsets (RX 9060 XT values from amdgpu_top)', () => {
    const m = decoded(encodeGpuMetrics(1, 3, RX9060XT_LOAD_V1_3))
    expect(m.version).toBe('1.3')
    expect(m.layout).toBe('dgpu')
    expect(m.temperatureEdgeCelsius).toEqual({ status: 'ok', value: 50 })
    expect(m.temperatureHotspotCelsius).toEqual({ status: 'ok', value: 73 })
    expect(m.temperatureMemCelsius).toEqual({ status: 'ok', value: 74 })
    expect(m.gfxActivityPct).toEqual({ status: 'ok', value: 100 })
    expect(m.umcActivityPct).toEqual({ status: 'ok', value: 38 })
    expect(m.socketPowerWatts).toEqual({ status: 'ok', value: 178 })
    expect(m.currentGfxclkMhz).toEqual({ status: 'ok', value: 3018 })
    expect(m.averageGfxclkMhz).toEqual({ status: 'ok', value: 3018 })
    expect(m.currentUclkMhz).toEqual({ status: 'ok', value: 1258 })
    expect(m.fanRpm).toEqual({ status: 'ok', value: 1755 })
    expect(m.pcieLinkWidth).toEqual({ status: 'ok', value: 16 })
    expect(m.pcieLinkSpeedGTps.status === 'ok' && m.pcieLinkSpeedGTps.value).toBeCloseTo(2.5)
    expect(m.indepThrottleStatus).toEqual({ status: 'ok', value: 1n })
    // Not written by the encoder: the kernel's 0xFF fill means "not reported".
    expect(m.throttleStatus.status).toBe('unavailable')
  })

  it('decodes v2.1 APU temperatures from centi-degrees and treats 65535 as not available', () => {
    const m = decoded(encodeGpuMetrics(2, 1, RAPHAEL_APU_V2_1))
    expect(m.layout).toBe('apu')
    expect(m.temperatureGfxCelsius.status === 'ok' && m.temperatureGfxCelsius.value).toBeCloseTo(
      50.5
    )
    expect(m.temperatureSocCelsius.status === 'ok' && m.temperatureSocCelsius.value).toBeCloseTo(
      56.75
    )
    expect(m.socketPowerWatts).toEqual({ status: 'ok', value: 56 })
    expect(m.gfxPowerWatts.status === 'ok' && m.gfxPowerWatts.value).toBeCloseTo(25.087)
    expect(m.averageGfxclkMhz).toEqual({ status: 'ok', value: 600 })
    expect(m.currentGfxclkMhz.status).toBe('unavailable')
    expect(m.indepThrottleStatus.status).toBe('unavailable')
    expect(m.temperatureEdgeCelsius.status).toBe('unavailable')
  })

  it('finds indep_throttle_status at offset 120 from v2.2 on', () => {
    const m = decoded(
      encodeGpuMetrics(2, 2, {
        ...RAPHAEL_APU_V2_1,
        indep_throttle_status: (1n << 5n) | (1n << 33n)
      })
    )
    expect(m.indepThrottleStatus).toEqual({ status: 'ok', value: (1n << 5n) | (1n << 33n) })
    expect(decodeIndepThrottleStatus((1n << 5n) | (1n << 33n))).toEqual([
      { name: 'FPPT', cause: 'power' },
      { name: 'TEMP_CORE', cause: 'thermal' }
    ])
  })

  it('decodes v3.0 temperatures and milliwatt power', () => {
    const m = decoded(
      encodeGpuMetrics(3, 0, {
        temperature_gfx: 6125,
        temperature_soc: 5900,
        average_gfx_activity: 97,
        average_socket_power: 42500,
        average_gfx_power: 18250,
        average_gfxclk_frequency: 2700
      })
    )
    expect(m.version).toBe('3.0')
    expect(m.temperatureGfxCelsius.status === 'ok' && m.temperatureGfxCelsius.value).toBeCloseTo(
      61.25
    )
    expect(m.socketPowerWatts.status === 'ok' && m.socketPowerWatts.value).toBeCloseTo(42.5)
    expect(m.gfxPowerWatts.status === 'ok' && m.gfxPowerWatts.value).toBeCloseTo(18.25)
    expect(m.gfxActivityPct).toEqual({ status: 'ok', value: 97 })
    expect(m.averageGfxclkMhz).toEqual({ status: 'ok', value: 2700 })
  })

  it('round-trips random v1.3 field values through the encoder and decoder', () => {
    fc.assert(
      fc.property(
        fc.record({
          edge: fc.integer({ min: 0, max: 0xfffe }),
          hotspot: fc.integer({ min: 0, max: 0xfffe }),
          power: fc.integer({ min: 0, max: 0xfffe }),
          gfxclk: fc.integer({ min: 0, max: 0xfffe }),
          width: fc.integer({ min: 0, max: 0xfffe }),
          indep: fc.bigInt({ min: 0n, max: (1n << 64n) - 2n })
        }),
        (v) => {
          const m = decoded(
            encodeGpuMetrics(1, 3, {
              temperature_edge: v.edge,
              temperature_hotspot: v.hotspot,
              average_socket_power: v.power,
              current_gfxclk: v.gfxclk,
              pcie_link_width: v.width,
              indep_throttle_status: v.indep
            })
          )
          expect(m.temperatureEdgeCelsius).toEqual({ status: 'ok', value: v.edge })
          expect(m.temperatureHotspotCelsius).toEqual({ status: 'ok', value: v.hotspot })
          expect(m.socketPowerWatts).toEqual({ status: 'ok', value: v.power })
          expect(m.currentGfxclkMhz).toEqual({ status: 'ok', value: v.gfxclk })
          expect(m.pcieLinkWidth).toEqual({ status: 'ok', value: v.width })
          expect(m.indepThrottleStatus).toEqual({ status: 'ok', value: v.indep })
        }
      )
    )
  })

  it('rejects truncated blobs, unknown versions and a declared size shorter than the layout', () => {
    const full = encodeGpuMetrics(1, 3, RX9060XT_LOAD_V1_3)
    expect(decodeGpuMetrics(full.subarray(0, 100))).toMatchObject({
      ok: false,
      error: { kind: 'too-short' }
    })
    expect(decodeGpuMetrics(new Uint8Array(0))).toMatchObject({
      ok: false,
      error: { kind: 'too-short' }
    })
    const v14 = full.slice()
    v14[3] = 4
    expect(decodeGpuMetrics(v14)).toMatchObject({
      ok: false,
      error: { kind: 'unsupported-version' }
    })
    const lying = full.slice()
    lying[0] = 60
    lying[1] = 0
    expect(decodeGpuMetrics(lying)).toMatchObject({ ok: false, error: { kind: 'too-short' } })
  })

  it('never throws on random or truncated bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        decodeGpuMetrics(bytes)
      })
    )
    const base = encodeGpuMetrics(1, 3, RX9060XT_LOAD_V1_3)
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: base.length }),
        fc.uint8Array({ maxLength: 40 }),
        (cut, tail) => {
          const b = new Uint8Array([...base.subarray(0, cut), ...tail])
          decodeGpuMetrics(b)
        }
      )
    )
  })

  it('classifies throttle bits: power, current, thermal, other, unknown', () => {
    const mask =
      (1n << 0n) | (1n << 16n) | (1n << 22n) | (1n << 35n) | (1n << 47n) | (1n << 57n) | (1n << 60n)
    expect(decodeIndepThrottleStatus(mask)).toEqual([
      { name: 'PPT0', cause: 'power' },
      { name: 'TDC_GFX', cause: 'current' },
      { name: 'EDC_GFX', cause: 'current' },
      { name: 'TEMP_EDGE', cause: 'thermal' },
      { name: 'PROCHOT_GPU', cause: 'thermal' },
      { name: 'FIT', cause: 'other' },
      { name: 'BIT_60', cause: 'other' }
    ])
  })

  it('drops TEMP_HOTSPOT unless the hotspot is at least 90 °C', () => {
    const mask = 1n << 36n
    expect(decodeIndepThrottleStatus(mask, 73)).toEqual([])
    expect(decodeIndepThrottleStatus(mask)).toEqual([])
    expect(decodeIndepThrottleStatus(mask, 90)).toEqual([
      { name: 'TEMP_HOTSPOT', cause: 'thermal' }
    ])
  })
})
