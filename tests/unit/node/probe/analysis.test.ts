import { describe, expect, it } from 'vitest'
import {
  analyzeDevices,
  diskOf,
  filesystemOf,
  steadyStateSeconds
} from '../../../../src-main/node/probe/analysis'
import { ok } from '../../../../src-main/shared/reading'
import type { ThrottleEvent } from '../../../../src-main/shared/readiness'
import {
  cpuSample,
  gpuInfo,
  gpuSample,
  inventory,
  stream,
  STREAM_T0
} from '../../../helpers/snapshot-builder'

describe('node/probe/analysis', () => {
  it('finds when a heating curve settles, and says when it never did', () => {
    // 40 → 80 °C exponential approach with a 10 s time constant, sampled at 1 Hz for 60 s.
    const curve = Array.from({ length: 60 }, (_, t) => ({
      tSeconds: t,
      value: 80 - 40 * Math.exp(-t / 10)
    }))
    const r = steadyStateSeconds(curve)
    expect(r.status).toBe('ok')
    // Within 1.5 °C of the plateau (≈ 79.9 °C) once 40·e^(−t/10) ≤ ~1.4: t ≈ 34 s.
    expect((r as { value: number }).value).toBeGreaterThanOrEqual(30)
    expect((r as { value: number }).value).toBeLessThanOrEqual(36)
    const rising = Array.from({ length: 20 }, (_, t) => ({ tSeconds: t, value: 40 + t }))
    expect(steadyStateSeconds(rising)).toMatchObject({
      status: 'unavailable',
      reason: 'warming-up'
    })
    expect(steadyStateSeconds(rising.slice(0, 5)).status).toBe('unavailable')
  })

  it('reports a GPU under load: sustained clock ratio, rise, headroom, power and PCIe link', () => {
    const inv = inventory({
      gpus: [gpuInfo({ clockMaxSmMhz: ok(2520), tempSlowdownCelsius: ok(90) })]
    })
    // 40 s of load: clocks boost to 2520 and settle at 2160 (86%); the card heats 45 → 78 °C; Gen4 x8 only.
    const snaps = stream(40, 1000, (i) => ({
      gpus: [
        gpuSample({
          utilizationPct: 99,
          clockSmMhz: i < 10 ? 2520 : 2160,
          temperatureCelsius: 78 - 33 * Math.exp(-i / 6),
          powerDrawWatts: 440,
          powerLimitWatts: 450,
          pcieGen: i === 0 ? 1 : 4,
          pcieWidth: 8
        })
      ]
    }))
    const events: ThrottleEvent[] = [
      {
        device: 'nvidia:0',
        deviceLabel: 'GPU0',
        cause: 'power',
        startMs: STREAM_T0 + 20_000,
        endMs: STREAM_T0 + 30_000,
        evidence: [],
        durationSeconds: 10,
        source: 'counter'
      }
    ]
    const [d] = analyzeDevices({
      inventory: inv,
      snapshots: snaps,
      windows: [{ phase: 'gpu', startMs: STREAM_T0, endMs: STREAM_T0 + 39_000 }],
      events,
      storagePath: null
    })
    expect(d.device).toBe('nvidia:0')
    expect(d.clock).toMatchObject({ peakMhz: ok(2520), sustainedMhz: ok(2160), maxMhz: ok(2520) })
    expect((d.clock.sustainedRatio as { value: number }).value).toBeCloseTo(2160 / 2520, 5)
    expect((d.temperature.startCelsius as { value: number }).value).toBeCloseTo(45, 5)
    expect((d.temperature.headroomCelsius as { value: number }).value).toBeGreaterThan(11)
    expect(d.temperature.steadyStateSeconds.status).toBe('ok')
    expect(d.power.fractionOfLimit).toEqual(ok(440 / 450))
    expect(d.pcie).toMatchObject({ genReached: ok(4), widthReached: ok(8), maxWidth: ok(16) })
    expect(d.throttleSecondsByCause).toEqual({ power: 10 })
    expect(d.headline).toBe(
      'GPU0 NVIDIA GeForce RTX 4090: held 86% of its max clock; 12 °C below its slowdown threshold; 98% of its power limit; PCIe Gen4 x8 (below its maximum); throttled 10 s power'
    )
  })

  it('keeps unknown CPU readings unknown', () => {
    const inv = inventory({
      gpus: [],
      cpu: {
        maxMhz: { status: 'unavailable', reason: 'unsupported', detail: 'no cpuinfo_max_freq' }
      }
    })
    const snaps = stream(10, 1000, () => ({
      gpus: [],
      cpu: cpuSample({
        frequencyMhz: 2600,
        frequencyMaxMhz: { status: 'unavailable', reason: 'unsupported' },
        packageTemperatureCelsius: { status: 'unavailable', reason: 'unsupported' }
      })
    }))
    const [d] = analyzeDevices({
      inventory: inv,
      snapshots: snaps,
      windows: [{ phase: 'cpu', startMs: STREAM_T0, endMs: STREAM_T0 + 9000 }],
      events: [],
      storagePath: null
    })
    expect(d.clock.sustainedMhz).toEqual(ok(2600))
    expect(d.clock.sustainedRatio.status).toBe('unavailable')
    expect(d.temperature.peakCelsius.status).toBe('unavailable')
    expect(d.temperature.headroomCelsius.status).toBe('unavailable')
    expect(d.headline).toBe('Test CPU: sustained 2600 MHz; no throttling seen')
  })

  it('maps a path to its drive', () => {
    const fss = [
      { mount: '/', device: '/dev/nvme0n1p2', fsType: 'ext4', sizeBytes: ok(1), freeBytes: ok(1) },
      { mount: '/data', device: '/dev/sda1', fsType: 'xfs', sizeBytes: ok(1), freeBytes: ok(1) }
    ]
    expect(filesystemOf('/data/sets', fss)?.device).toBe('/dev/sda1')
    expect(filesystemOf('/database', fss)?.device).toBe('/dev/nvme0n1p2')
    expect(diskOf('/dev/nvme0n1p2')).toBe('nvme0n1')
    expect(diskOf('/dev/sda1')).toBe('sda')
    expect(diskOf('/dev/vda')).toBe('vda')
    expect(diskOf('/dev/mmcblk0p1')).toBe('mmcblk0')
  })
})
