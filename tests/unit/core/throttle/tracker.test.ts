import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createThrottleTracker,
  detectThrottle,
  summarizeSustained
} from '../../../../src-main/core/throttle'
import {
  ok,
  unavailable,
  valueOf,
  UNAVAILABLE_REASONS,
  type Reading
} from '../../../../src-main/shared/reading'
import type { Snapshot } from '../../../../src-main/shared/telemetry'
import type { ThrottleSummary as Summary } from '../../../../src-main/shared/readiness'
import {
  cpuSample,
  gpuInfo,
  gpuSample,
  inventory,
  na,
  packageThrottle,
  snapshot,
  storageDevice,
  stream,
  STREAM_T0,
  unavailableGpuSample,
  type GpuSampleOptions
} from '../../../helpers/snapshot-builder'

const INV = inventory({ gpus: [gpuInfo()] })

/** A 4090-class card flat out. */
const LOADED: GpuSampleOptions = {
  utilizationPct: 98,
  clockSmMhz: 2520,
  temperatureCelsius: 70,
  powerDrawWatts: 400,
  powerLimitWatts: 450,
  pstate: 'P2'
}

function gpuStream(n: number, at: (i: number) => GpuSampleOptions, intervalMs = 1000): Snapshot[] {
  return stream(n, intervalMs, (i) => ({ gpus: [gpuSample({ ...LOADED, ...at(i) })] }))
}

/** The throttled fraction of an observed summary (fails the test when the summary is unknown). */
function fraction(s: Summary): number {
  if (s.throttledFraction.status !== 'ok')
    throw new Error(`${s.device} is ${s.state}: ${JSON.stringify(s.throttledFraction)}`)
  return s.throttledFraction.value
}

function summaryOf(summaries: Summary[], device: string): Summary {
  const s = summaries.find((x) => x.device === device)
  if (!s) throw new Error(`no summary for ${device}: ${summaries.map((x) => x.device).join(', ')}`)
  return s
}

describe('core/throttle', () => {
  describe('GPU power cap', () => {
    it('counts sw_power_cap under load from the cumulative counter and explains it with numbers', () => {
      const snaps = gpuStream(60, (i) => ({
        clockSmMhz: 1410,
        powerDrawWatts: 447,
        temperatureCelsius: 83,
        throttle: ['sw_power_cap'],
        throttleMaskHex: '0x0000000000000004',
        counters: { sw_power_cap: 1000 + i, hw_thermal_slowdown: 5 }
      }))
      const { events, summaries } = detectThrottle(snaps, INV)
      const gpu = summaryOf(summaries, 'nvidia:0')
      expect(gpu.byCause.power).toBeCloseTo(1, 5)
      expect(gpu.byCause.thermal).toBeUndefined()
      expect(fraction(gpu)).toBeCloseTo(1, 5)
      expect(gpu.headline).toBe('GPU0 throttled 100% of the last 60 s: 100% power cap')
      expect(events).toHaveLength(1)
      const ev = events[0]
      expect(ev).toMatchObject({
        device: 'nvidia:0',
        cause: 'power',
        source: 'counter',
        endMs: null
      })
      expect(ev.durationSeconds).toBeCloseTo(60, 5)
      expect(ev.evidence.join(' | ')).toContain(
        'SM clock 1410 of 2520 MHz (56 %), 83 °C vs slowdown 90 °C, power 447/450 W'
      )
      expect(ev.evidence.join(' | ')).toContain('sw_power_cap counter +1 s')
    })

    it('takes time-in-throttle from counters over flags when both exist', () => {
      // The flag is up every sample, but the counter says only half of each second was capped.
      const snaps = gpuStream(60, (i) => ({
        throttle: ['sw_power_cap'],
        counters: { sw_power_cap: i * 0.5 }
      }))
      const gpu = summaryOf(detectThrottle(snaps, INV).summaries, 'nvidia:0')
      // First sample has no predecessor, so its flag counts once (1 s); then 59 × 0.5 s from the counter.
      expect(gpu.byCause.power).toBeCloseTo((1 + 59 * 0.5) / 60, 5)
    })

    it('falls back to flags times the sample spacing when counters are unavailable', () => {
      const snaps = gpuStream(20, (i) => ({ throttle: i < 5 ? ['sw_power_cap'] : [] }), 500)
      const { events, summaries } = detectThrottle(snaps, INV)
      const gpu = summaryOf(summaries, 'nvidia:0')
      // Sample 0 weighs the nominal 1 s, samples 1..19 weigh 0.5 s: window 10.5 s, capped 1 + 4 × 0.5 = 3 s.
      expect(gpu.windowSeconds).toBeCloseTo(10.5, 5)
      expect(gpu.byCause.power).toBeCloseTo(3 / 10.5, 5)
      expect(events).toHaveLength(1)
      expect(events[0]).toMatchObject({
        cause: 'power',
        source: 'flag',
        endMs: STREAM_T0 + 5 * 500
      })
      expect(events[0].evidence[0]).toBe('sw_power_cap active')
    })

    it('does not count sw_power_cap (flag or counter) while the GPU idles: the driver is parking clocks', () => {
      const snaps = gpuStream(30, (i) => ({
        utilizationPct: 0,
        clockSmMhz: 765,
        powerDrawWatts: 39,
        powerLimitWatts: 250,
        pstate: 'P8',
        throttle: ['sw_power_cap'],
        counters: { sw_power_cap: 212 + i * 0.9 }
      }))
      const { events, summaries } = detectThrottle(snaps, INV)
      expect(events).toEqual([])
      expect(fraction(summaryOf(summaries, 'nvidia:0'))).toBe(0)
    })

    it('counts a power cap at low utilisation when the card draws at its limit', () => {
      const snaps = gpuStream(10, () => ({
        utilizationPct: 20,
        powerDrawWatts: 440,
        throttle: ['sw_power_cap']
      }))
      expect(summaryOf(detectThrottle(snaps, INV).summaries, 'nvidia:0').byCause.power).toBeCloseTo(
        1,
        5
      )
    })
  })

  describe('GPU thermal, PSU and HW slowdown', () => {
    it('flags hw_thermal_slowdown as thermal with the temperature against the card slowdown threshold', () => {
      const snaps = gpuStream(10, (i) => ({
        temperatureCelsius: 91,
        clockSmMhz: 1200,
        throttle: i >= 4 ? ['hw_thermal_slowdown', 'sw_thermal_slowdown'] : []
      }))
      const { events, summaries } = detectThrottle(snaps, INV)
      const gpu = summaryOf(summaries, 'nvidia:0')
      expect(gpu.byCause.thermal).toBeCloseTo(0.6, 5)
      expect(gpu.headline).toBe('GPU0 throttled 60% of the last 10 s: 60% thermal')
      expect(events).toHaveLength(1)
      expect(events[0].evidence[0]).toBe('hw_thermal_slowdown, sw_thermal_slowdown active')
      expect(events[0].evidence[1]).toContain('91 °C vs slowdown 90 °C')
    })

    it('uses the NVIDIA tlimit headroom reading for the slowdown temperature when present', () => {
      const snaps = gpuStream(3, () => ({
        temperatureCelsius: 80,
        temperatureHeadroomCelsius: 5,
        throttle: ['sw_thermal_slowdown']
      }))
      const ev = detectThrottle(snaps, null).events[0]
      expect(ev.evidence[1]).toContain('80 °C vs slowdown 85 °C')
    })

    it('classifies hw_power_brake_slowdown as a PSU brake, from its counter', () => {
      const snaps = gpuStream(11, (i) => ({
        clockSmMhz: 800,
        throttle: i >= 1 ? ['hw_power_brake_slowdown', 'hw_slowdown'] : [],
        counters: { hw_power_brake_slowdown: i === 0 ? 0 : (i - 1) * 1 + 0.5 }
      }))
      const { events, summaries } = detectThrottle(snaps, INV)
      const gpu = summaryOf(summaries, 'nvidia:0')
      expect(gpu.byCause.psu).toBeCloseTo(9.5 / 11, 5)
      expect(events.find((e) => e.cause === 'psu')).toMatchObject({ source: 'counter' })
      expect(gpu.headline).toMatch(
        /^GPU0 throttled \d+% of the last 11 s: \d+% PSU power brake, \d+% HW slowdown$/
      )
    })

    it('ignores a one-sample hw_slowdown blink (P-state change)', () => {
      const snaps = gpuStream(30, (i) => ({ throttle: i === 12 ? ['hw_slowdown'] : [] }))
      const { events, summaries } = detectThrottle(snaps, INV)
      expect(events).toEqual([])
      expect(fraction(summaryOf(summaries, 'nvidia:0'))).toBe(0)
    })

    it('counts hw_slowdown once it is active on consecutive samples', () => {
      const snaps = gpuStream(30, (i) => ({ throttle: i >= 10 && i < 15 ? ['hw_slowdown'] : [] }))
      const { events, summaries } = detectThrottle(snaps, INV)
      // Debounce of 2: the first sample of the run is not counted, the next four are.
      expect(summaryOf(summaries, 'nvidia:0').byCause['hw-slowdown']).toBeCloseTo(4 / 30, 5)
      expect(events).toHaveLength(1)
      expect(events[0]).toMatchObject({ cause: 'hw-slowdown', endMs: STREAM_T0 + 15_000 })
      expect(events[0].evidence[0]).toMatch(/hw_slowdown active for \d consecutive samples/)
    })

    it('honours a custom debounce length', () => {
      const snaps = gpuStream(30, (i) => ({ throttle: i >= 10 && i < 13 ? ['hw_slowdown'] : [] }))
      expect(detectThrottle(snaps, INV, { hwSlowdownDebounceSamples: 4 }).events).toEqual([])
    })

    it('never counts gpu_idle or configuration reasons, at idle or under load', () => {
      const idle = gpuStream(20, () => ({
        utilizationPct: 0,
        throttle: ['gpu_idle'],
        throttleMaskHex: '0x0000000000000001'
      }))
      const busy = gpuStream(20, () => ({
        throttle: ['gpu_idle', 'applications_clocks_setting', 'sync_boost', 'display_clock_setting']
      }))
      for (const snaps of [idle, busy]) {
        const { events, summaries } = detectThrottle(snaps, INV)
        expect(events).toEqual([])
        expect(fraction(summaryOf(summaries, 'nvidia:0'))).toBe(0)
        expect(summaryOf(summaries, 'nvidia:0').byCause).toEqual({})
      }
    })

    it('ignores a sync_boost counter rising', () => {
      const snaps = gpuStream(10, (i) => ({ counters: { sync_boost: i * 1 } }))
      expect(detectThrottle(snaps, INV).events).toEqual([])
    })

    it('does not attribute a counter that went backwards (driver reload)', () => {
      const snaps = gpuStream(3, (i) => ({ counters: { sw_power_cap: [500, 10, 10][i] } }))
      expect(detectThrottle(snaps, INV).events).toEqual([])
    })
  })

  describe('AMD reasons', () => {
    it('drops TEMP_HOTSPOT below the hotspot filter and keeps it above', () => {
      const cool = gpuStream(5, () => ({
        vendor: 'amd',
        hotspotTemperatureCelsius: 72,
        throttle: ['TEMP_HOTSPOT']
      }))
      const hot = gpuStream(5, () => ({
        vendor: 'amd',
        hotspotTemperatureCelsius: 97,
        throttle: ['TEMP_HOTSPOT']
      }))
      expect(detectThrottle(cool, null).events).toEqual([])
      expect(summaryOf(detectThrottle(hot, null).summaries, 'amd:0').byCause.thermal).toBeCloseTo(
        1,
        5
      )
    })

    it('treats PPT at low power as power management and TDC under load as a current limit', () => {
      const idle = gpuStream(5, () => ({
        vendor: 'amd',
        utilizationPct: 3,
        powerDrawWatts: 12,
        throttle: ['PPT0']
      }))
      expect(detectThrottle(idle, null).events).toEqual([])
      const load = gpuStream(5, () => ({ vendor: 'amd', throttle: ['PPT0', 'TDC_GFX'] }))
      const s = summaryOf(detectThrottle(load, null).summaries, 'amd:0')
      expect(s.byCause.power).toBeCloseTo(1, 5)
      expect(s.byCause.current).toBeCloseTo(1, 5)
    })
  })

  describe('PCIe link', () => {
    it('flags an x8 Gen3 link under load on a Gen4 x16 card', () => {
      const snaps = gpuStream(10, () => ({
        pcieGen: 3,
        pcieWidth: 8,
        pcieMaxGen: 4,
        pcieMaxWidth: 16
      }))
      const { events, summaries } = detectThrottle(snaps, INV)
      expect(summaryOf(summaries, 'nvidia:0').byCause['pcie-link']).toBeCloseTo(1, 5)
      expect(events).toHaveLength(1)
      expect(events[0]).toMatchObject({ cause: 'pcie-link', source: 'reading' })
      expect(events[0].evidence[0]).toBe(
        'PCIe link Gen3 x8 under load; the card and slot support Gen4 x16'
      )
    })

    it('does not flag the same link at idle, where links train down', () => {
      const snaps = gpuStream(10, () => ({
        utilizationPct: 0,
        clockSmMhz: 210,
        pcieGen: 1,
        pcieWidth: 8,
        pcieMaxGen: 4,
        pcieMaxWidth: 16
      }))
      expect(detectThrottle(snaps, INV).events).toEqual([])
    })

    it('takes the link maximum from the inventory when the sample lacks it', () => {
      const snaps = gpuStream(5, () => ({
        pcieGen: 3,
        pcieWidth: 16,
        pcieMaxGen: na(),
        pcieMaxWidth: na()
      }))
      expect(detectThrottle(snaps, INV).events.map((e) => e.cause)).toEqual(['pcie-link'])
      expect(detectThrottle(snaps, null).events).toEqual([])
    })
  })

  describe('CPU, storage and power source', () => {
    it('counts Intel package throttle counters rising as CPU thermal throttling', () => {
      const snaps = stream(20, 1000, (i) => ({
        cpu: cpuSample({
          utilizationPct: 100,
          frequencyMhz: 3100,
          frequencyMaxMhz: 5000,
          packageTemperatureCelsius: 100,
          packageThrottle:
            i < 10
              ? { count: 7, totalTimeMs: 1200 }
              : { count: 7 + (i - 9), totalTimeMs: 1200 + (i - 9) * 400 }
        })
      }))
      const { events, summaries } = detectThrottle(snaps, null)
      const cpu = summaryOf(summaries, 'cpu')
      expect(cpu.byCause.thermal).toBeCloseTo((10 * 0.4) / 20, 5)
      expect(cpu.sustainedClockRatio).toEqual(ok(0.62))
      const ev = events.find((e) => e.device === 'cpu')
      expect(ev).toMatchObject({
        cause: 'thermal',
        source: 'counter',
        startMs: STREAM_T0 + 10_000 - 400
      })
      expect(ev?.evidence[0]).toBe('package 0 throttle count +1, time +400 ms')
      expect(ev?.evidence[1]).toBe('clock 3100 of 5000 MHz (62 %), package 100 °C')
      expect(summarizeSustained(snaps, null).cpuThrottleEvents).toEqual(ok(10))
    })

    it('attributes an interval in which a package throttle asserted but has not ended yet', () => {
      const snaps = stream(3, 1000, (i) => ({
        cpu: cpuSample({ packageThrottle: [packageThrottle(0, [4, 5, 5][i], 900)] })
      }))
      const cpu = summaryOf(detectThrottle(snaps, null).summaries, 'cpu')
      expect(cpu.byCause.thermal).toBeCloseTo(1 / 3, 5)
    })

    it('flags an NVMe drive whose Composite is above its own temp1_max, and not below it', () => {
      const snaps = stream(10, 1000, (i) => ({
        storage: [
          storageDevice({
            name: 'nvme0n1',
            temperatureCelsius: i < 6 ? 70 : 78,
            tempMaxCelsius: 75,
            tempCritCelsius: 80
          })
        ]
      }))
      const { events, summaries } = detectThrottle(snaps, null)
      expect(summaryOf(summaries, 'storage:nvme0n1').byCause['storage-thermal']).toBeCloseTo(0.4, 5)
      expect(events).toHaveLength(1)
      expect(events[0].evidence[0]).toBe('nvme0n1 78 °C above its own limit 75 °C (critical 80 °C)')
      expect(summaryOf(summaries, 'storage:nvme0n1').headline).toBe(
        'nvme0n1 throttled 40% of the last 10 s: 40% drive above its temperature limit'
      )
    })

    it('ignores a sentinel drive limit', () => {
      const snaps = stream(3, 1000, () => ({
        storage: [storageDevice({ temperatureCelsius: 60, tempMaxCelsius: 65261.85 })]
      }))
      expect(detectThrottle(snaps, null).events).toEqual([])
    })

    it('reports running on battery', () => {
      const snaps = stream(10, 1000, (i) => ({ power: i < 5 ? 'ac' : 'battery' }))
      const { events, summaries } = detectThrottle(snaps, null)
      expect(summaryOf(summaries, 'power').byCause.battery).toBeCloseTo(0.5, 5)
      expect(events).toHaveLength(1)
      expect(events[0]).toMatchObject({ cause: 'battery', source: 'reading', device: 'power' })
      expect(events[0].evidence[0]).toContain('running on battery (BAT0 80 %, 35.0 W)')
    })
  })

  describe('summaries and the tracker', () => {
    it('writes a headline listing causes, largest first', () => {
      const snaps = gpuStream(100, (i) => ({
        throttle: i < 9 ? ['hw_thermal_slowdown'] : i < 12 ? ['sw_power_cap'] : []
      }))
      const gpu = summaryOf(detectThrottle(snaps, INV).summaries, 'nvidia:0')
      expect(fraction(gpu)).toBeCloseTo(0.12, 5)
      expect(gpu.headline).toBe('GPU0 throttled 12% of the last 100 s: 9% thermal, 3% power cap')
    })

    it('says "the last hour" for a full one-hour window', () => {
      const t = createThrottleTracker({ windowSeconds: 3600 })
      for (const s of gpuStream(7200, (i) => ({ throttle: i % 10 === 0 ? ['sw_power_cap'] : [] })))
        t.push(s, INV)
      const gpu = summaryOf(t.summaries(STREAM_T0 + 7199_000), 'nvidia:0')
      expect(gpu.windowSeconds).toBe(3600)
      expect(fraction(gpu)).toBeCloseTo(0.1, 5)
      expect(gpu.headline).toBe('GPU0 throttled 10% of the last hour: 10% power cap')
    })

    it('forgets throttling that left the window', () => {
      const t = createThrottleTracker({ windowSeconds: 60 })
      for (const s of gpuStream(180, (i) => ({ throttle: i < 60 ? ['hw_thermal_slowdown'] : [] })))
        t.push(s, INV)
      expect(fraction(summaryOf(t.summaries(STREAM_T0 + 179_000), 'nvidia:0'))).toBe(0)
      expect(t.events()).toHaveLength(1)
      expect(t.events()[0].endMs).toBe(STREAM_T0 + 60_000)
    })

    it('keeps memory bounded: fixed ring and event caps', () => {
      const t = createThrottleTracker({
        windowSeconds: 3600,
        maxSamplesPerDevice: 50,
        maxEvents: 5
      })
      for (const s of gpuStream(2000, (i) => ({
        throttle: i % 2 === 0 ? ['hw_thermal_slowdown'] : []
      })))
        t.push(s, INV)
      expect(t.events()).toHaveLength(5)
      const gpu = summaryOf(t.summaries(STREAM_T0 + 1999_000), 'nvidia:0')
      expect(gpu.windowSeconds).toBe(50)
      expect(gpu.byCause.thermal).toBeCloseTo(0.5, 5)
    })

    it('does not attribute a gap in the recording', () => {
      const a = gpuStream(10, () => ({ throttle: ['hw_thermal_slowdown'] }))
      const b = gpuStream(10, () => ({ throttle: ['hw_thermal_slowdown'] })).map((s) => ({
        ...s,
        timestampMs: s.timestampMs + 3_600_000
      }))
      const gpu = summaryOf(detectThrottle([...a, ...b], INV).summaries, 'nvidia:0')
      expect(gpu.windowSeconds).toBeCloseTo(20, 5)
      expect(fraction(gpu)).toBeCloseTo(1, 5)
    })

    it('computes the sustained-clock ratio as the median busy clock over the max clock', () => {
      const clocks = [2520, 2400, 2300, 2200, 1260]
      const snaps = gpuStream(10, (i) =>
        i < 5 ? { clockSmMhz: clocks[i] } : { utilizationPct: 0, clockSmMhz: 210 }
      )
      const gpu = summaryOf(detectThrottle(snaps, INV).summaries, 'nvidia:0')
      expect(gpu.sustainedClockRatio).toEqual(ok(2300 / 2520))
      expect(gpu.headline).toBe('GPU0 not throttled in the last 10 s (sustained clock 91% of max)')
    })

    it('says why the ratio is unavailable when the GPU never got busy', () => {
      const snaps = gpuStream(5, () => ({ utilizationPct: 0 }))
      const r = summaryOf(detectThrottle(snaps, INV).summaries, 'nvidia:0').sustainedClockRatio
      expect(r.status).toBe('unavailable')
    })

    it('uses clocks to judge busy when utilisation is unavailable (MIG)', () => {
      const snaps = gpuStream(5, () => ({
        utilizationPct: na('unsupported', 'MIG'),
        clockSmMhz: 1980,
        clockMaxSmMhz: 1980
      }))
      expect(
        summaryOf(detectThrottle(snaps, null).summaries, 'nvidia:0').sustainedClockRatio
      ).toEqual(ok(1))
    })

    it('closes episodes of a GPU that stops reporting', () => {
      const snaps = [
        ...gpuStream(3, () => ({ throttle: ['hw_thermal_slowdown'] })),
        ...stream(2, 1000, () => ({ gpus: [] })).map((s, i) => ({
          ...s,
          timestampMs: STREAM_T0 + (3 + i) * 1000
        }))
      ]
      expect(detectThrottle(snaps, INV).events[0].endMs).toBe(STREAM_T0 + 3000)
    })

    it('reports a GPU that is asleep as unknown (asleep), without counting anything', () => {
      const snaps = stream(5, 1000, () => ({ gpus: [unavailableGpuSample(0, 'asleep')] }))
      const { events, summaries } = detectThrottle(snaps, INV)
      expect(events).toEqual([])
      const gpu = summaryOf(summaries, 'nvidia:0')
      expect(gpu.state).toBe('unknown')
      expect(gpu.throttledFraction).toMatchObject({ status: 'unavailable', reason: 'asleep' })
      expect(gpu.coverage).toEqual({ observedSeconds: 0, requestedSeconds: 5 })
    })
  })

  describe('summarizeSustained', () => {
    it('reports worst-GPU fractions, smallest thermal headroom, worst clock ratio and a lowered power limit', () => {
      const snaps = stream(10, 1000, (i) => ({
        gpus: [
          gpuSample({
            ...LOADED,
            index: 0,
            temperatureCelsius: 80 + i,
            throttle: i >= 8 ? ['hw_thermal_slowdown'] : []
          }),
          gpuSample({
            ...LOADED,
            index: 1,
            clockSmMhz: 1890,
            powerLimitWatts: 350,
            throttle: i < 5 ? ['sw_power_cap'] : []
          })
        ]
      }))
      const inv = inventory({
        gpus: [gpuInfo({ index: 0 }), gpuInfo({ index: 1, id: 'nvidia:1' })]
      })
      const ev = summarizeSustained(snaps, inv)
      expect(ev.windowSeconds).toBeCloseTo(10, 5)
      const by = valueOf(ev.gpuThrottleFractionByCause)
      expect(by?.thermal).toBeCloseTo(0.2, 5)
      expect(by?.power).toBeCloseTo(0.5, 5)
      expect(ev.gpuCoverage).toEqual({ observedSeconds: 10, requestedSeconds: 10 })
      expect(ev.gpuThermalHeadroomCelsius).toEqual(ok(90 - 89))
      expect(ev.sustainedClockRatio).toEqual(ok(1890 / 2520))
      expect(ev.powerLimitBelowDefault).toEqual(ok(true))
      // The default CPU sample has no throttle counters: unknown, not 0.
      expect(ev.cpuThrottleEvents).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
    })

    it('marks headroom and clock ratio unavailable without GPUs', () => {
      const ev = summarizeSustained(
        stream(3, 1000, () => ({ gpus: [] })),
        null
      )
      expect(ev.gpuThermalHeadroomCelsius.status).toBe('unavailable')
      expect(ev.sustainedClockRatio.status).toBe('unavailable')
      expect(ev.gpuThrottleFractionByCause).toMatchObject({
        status: 'unavailable',
        reason: 'no-device'
      })
      expect(ev.gpuCoverage.observedSeconds).toBe(0)
    })
  })

  describe('robustness', () => {
    const unavailableR = fc.constantFrom(...UNAVAILABLE_REASONS).map((r) => unavailable(r))
    const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<Reading<T>> =>
      fc.oneof(
        arb.map((v) => ok(v) as Reading<T>),
        unavailableR
      )
    const anyNum = fc.oneof(fc.double(), fc.integer({ min: -5, max: 5000 }))
    const flagArb = fc.record({
      name: fc.constantFrom(
        'gpu_idle',
        'sw_power_cap',
        'hw_slowdown',
        'hw_thermal_slowdown',
        'hw_power_brake_slowdown',
        'TEMP_HOTSPOT',
        'PPT0',
        'x'
      ),
      cause: fc.constantFrom(
        'power',
        'thermal',
        'psu',
        'current',
        'hw-slowdown',
        'idle',
        'config',
        'other',
        'pcie-link'
      )
    })
    const gpuArb = fc.record({
      index: fc.integer({ min: 0, max: 2 }),
      utilizationPct: maybe(anyNum),
      clockSmMhz: maybe(anyNum),
      clockMaxSmMhz: maybe(anyNum),
      temperatureCelsius: maybe(anyNum),
      hotspotTemperatureCelsius: maybe(anyNum),
      temperatureHeadroomCelsius: maybe(anyNum),
      powerDrawWatts: maybe(anyNum),
      powerLimitWatts: maybe(anyNum),
      pcieGen: maybe(anyNum),
      pcieWidth: maybe(anyNum),
      pcieMaxGen: maybe(anyNum),
      pcieMaxWidth: maybe(anyNum),
      throttle: maybe(fc.array(flagArb, { maxLength: 4 })),
      counters: maybe(
        fc.dictionary(
          fc.constantFrom(
            'sw_power_cap',
            'hw_thermal_slowdown',
            'sync_boost',
            'hw_power_brake_slowdown'
          ),
          anyNum
        )
      ),
      asleep: fc.boolean()
    })
    const snapArb = fc.record({
      dt: fc.oneof(fc.integer({ min: -2000, max: 20_000 }), fc.constant(1000)),
      gpus: fc.array(gpuArb, { maxLength: 3 }),
      cpuOk: fc.boolean(),
      pkgCount: maybe(anyNum),
      pkgTime: maybe(anyNum),
      util: maybe(anyNum),
      nvmeT: maybe(anyNum),
      nvmeMax: maybe(anyNum),
      power: fc.constantFrom<'ac' | 'battery' | 'na'>('ac', 'battery', 'na')
    })

    it('never throws on random snapshot streams and keeps fractions in [0, 1]', () => {
      fc.assert(
        fc.property(fc.array(snapArb, { maxLength: 40 }), fc.boolean(), (items, withInv) => {
          let t = STREAM_T0
          const snaps: Snapshot[] = items.map((it, i) => {
            t += it.dt
            return snapshot({
              seq: i,
              t,
              gpus: it.gpus.map((g) =>
                gpuSample({
                  index: g.index,
                  state: g.asleep ? 'asleep' : 'active',
                  utilizationPct: g.utilizationPct,
                  clockSmMhz: g.clockSmMhz,
                  clockMaxSmMhz: g.clockMaxSmMhz,
                  temperatureCelsius: g.temperatureCelsius,
                  hotspotTemperatureCelsius: g.hotspotTemperatureCelsius,
                  temperatureHeadroomCelsius: g.temperatureHeadroomCelsius,
                  powerDrawWatts: g.powerDrawWatts,
                  powerLimitWatts: g.powerLimitWatts,
                  pcieGen: g.pcieGen,
                  pcieWidth: g.pcieWidth,
                  pcieMaxGen: g.pcieMaxGen,
                  pcieMaxWidth: g.pcieMaxWidth,
                  throttle: g.throttle as Reading<never>,
                  counters: g.counters
                })
              ),
              cpu: it.cpuOk
                ? cpuSample({
                    utilizationPct: it.util,
                    packageThrottle: ok([
                      { packageId: 0, count: it.pkgCount, totalTimeMs: it.pkgTime }
                    ])
                  })
                : unavailable('failed'),
              storage: [
                storageDevice({ temperatureCelsius: it.nvmeT, tempMaxCelsius: it.nvmeMax })
              ],
              power: it.power === 'na' ? unavailable('no-device') : it.power
            })
          })
          const inv = withInv
            ? inventory({ gpus: [gpuInfo({ index: 0 }), gpuInfo({ index: 1, id: 'nvidia:1' })] })
            : null
          const { events, summaries } = detectThrottle(snaps, inv)
          const ev = summarizeSustained(snaps, inv, { windowSeconds: 30 })
          for (const s of summaries) {
            expect(s.coverage.observedSeconds).toBeLessThanOrEqual(s.coverage.requestedSeconds)
            expect(s.state === 'unknown').toBe(s.throttledFraction.status !== 'ok')
            if (s.state === 'not-throttled') expect(s.coverage.observedSeconds).toBeGreaterThan(0)
            if (s.throttledFraction.status === 'ok') {
              expect(fraction(s)).toBeGreaterThanOrEqual(0)
              expect(fraction(s)).toBeLessThanOrEqual(1)
            }
            for (const v of Object.values(s.byCause)) {
              expect(v).toBeGreaterThanOrEqual(0)
              expect(v).toBeLessThanOrEqual(1)
            }
            expect(typeof s.headline).toBe('string')
          }
          for (const v of Object.values(valueOf(ev.gpuThrottleFractionByCause) ?? {})) {
            expect(v).toBeGreaterThanOrEqual(0)
            expect(v).toBeLessThanOrEqual(1)
          }
          for (const e of events) expect(Number.isFinite(e.durationSeconds)).toBe(true)
          // Truncated streams never throw either.
          detectThrottle(snaps.slice(0, Math.floor(snaps.length / 2)), inv)
        }),
        { numRuns: 150 }
      )
    })

    it('survives malformed snapshots', () => {
      const bad = [
        null,
        {},
        { timestampMs: 'x' },
        { timestampMs: 1, gpus: [null, { id: 5 }] },
        {
          timestampMs: 2,
          gpus: 'no',
          cpu: ok(null),
          storage: ok({ devices: [null] }),
          power: ok({})
        }
      ] as unknown as Snapshot[]
      expect(() => detectThrottle(bad, null)).not.toThrow()
      expect(() => summarizeSustained(bad, null)).not.toThrow()
    })
  })
})
