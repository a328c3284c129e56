/**
 * Unknown is a state: coverage, unknown summaries and one window for summaries, events and evidence.
 */
import { describe, expect, it } from 'vitest'
import {
  analyzeThrottle,
  createThrottleTracker,
  detectThrottle,
  summarizeSustained
} from '../../../../src-main/core/throttle'
import { ok, unavailable } from '../../../../src-main/shared/reading'
import type { ThrottleSummary } from '../../../../src-main/shared/readiness'
import type { Snapshot } from '../../../../src-main/shared/telemetry'
import {
  cpuSample,
  gpuInfo,
  gpuSample,
  inventory,
  storageDevice,
  stream,
  STREAM_T0,
  unavailableGpuSample
} from '../../../helpers/snapshot-builder'

const INV = inventory({ gpus: [gpuInfo()] })

const LOADED = {
  utilizationPct: 98,
  clockSmMhz: 2520,
  temperatureCelsius: 70,
  powerDrawWatts: 400,
  powerLimitWatts: 450
}

function summaryOf(summaries: ThrottleSummary[], device: string): ThrottleSummary {
  const s = summaries.find((x) => x.device === device)
  if (!s) throw new Error(`no summary for ${device}: ${summaries.map((x) => x.device).join(', ')}`)
  return s
}

describe('core/throttle coverage', () => {
  it('reports 120 snapshots whose GPU readings all timed out as unknown, never "not throttled"', () => {
    const snaps = stream(120, 1000, () => ({ gpus: [unavailableGpuSample(0, 'timeout')] }))
    const { events, summaries } = detectThrottle(snaps, INV)
    expect(events).toEqual([])
    const gpu = summaryOf(summaries, 'nvidia:0')
    expect(gpu.state).toBe('unknown')
    expect(gpu.coverage).toEqual({ observedSeconds: 0, requestedSeconds: 120 })
    expect(gpu.throttledFraction).toMatchObject({ status: 'unavailable', reason: 'timeout' })
    expect(gpu.unobservedReason?.reason).toBe('timeout')
    expect(gpu.headline).toBe('GPU0: throttle state unknown in the last 2 min (test)')
    expect(gpu.headline).not.toMatch(/not throttled/)
    const ev = summarizeSustained(snaps, INV)
    expect(ev.gpuCoverage).toEqual({ observedSeconds: 0, requestedSeconds: 120 })
    expect(ev.gpuThrottleFractionByCause).toMatchObject({
      status: 'unavailable',
      reason: 'timeout'
    })
  })

  it('reports a CPU without throttle counters or a temperature limit as unknown with the reason', () => {
    const snaps = stream(30, 1000, () => ({ cpu: cpuSample({ utilizationPct: 100 }) }))
    const { summaries } = detectThrottle(snaps, null)
    const cpu = summaryOf(summaries, 'cpu')
    expect(cpu.state).toBe('unknown')
    expect(cpu.coverage).toEqual({ observedSeconds: 0, requestedSeconds: 30 })
    expect(cpu.throttledFraction).toEqual(
      unavailable(
        'unsupported',
        'no throttle counters on this CPU and no temperature sensor with a limit'
      )
    )
    expect(cpu.headline).toBe(
      'CPU: throttle state unknown in the last 30 s (no throttle counters on this CPU and no temperature sensor with a limit)'
    )
    const ev = summarizeSustained(snaps, null)
    expect(ev.cpuThrottleEvents).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
    expect(ev.cpuThrottleFraction.status).toBe('unavailable')
  })

  it('observes a counter-less CPU through a sensor with its own limit', () => {
    const sensor = {
      chip: 'pci0000:00_0000:00:18_3',
      name: 'k10temp',
      label: 'Tctl',
      temperatureCelsius: ok(71),
      maxCelsius: ok(95),
      critCelsius: unavailable('unsupported')
    }
    const snaps = stream(10, 1000, () => ({
      cpu: cpuSample({ temperatures: ok([sensor]) as never })
    }))
    const cpu = summaryOf(detectThrottle(snaps, null).summaries, 'cpu')
    expect(cpu.state).toBe('not-throttled')
    expect(cpu.coverage).toEqual({ observedSeconds: 10, requestedSeconds: 10 })
    expect(cpu.headline).toBe('CPU not throttled in the last 10 s')
  })

  it('says how much of a partially observed window it saw', () => {
    const snaps = stream(120, 1000, (i) => ({
      gpus: [i < 60 ? gpuSample(LOADED) : unavailableGpuSample(0, 'timeout')]
    }))
    const gpu = summaryOf(detectThrottle(snaps, INV).summaries, 'nvidia:0')
    expect(gpu.state).toBe('not-throttled')
    expect(gpu.coverage).toEqual({ observedSeconds: 60, requestedSeconds: 120 })
    expect(gpu.throttledFraction).toEqual(ok(0))
    expect(gpu.unobservedReason?.reason).toBe('timeout')
    expect(gpu.headline).toBe(
      'GPU0 not throttled in the 60 s observed of the last 2 min (50%; rest unknown: test) (sustained clock 100% of max)'
    )
  })

  it('gives fractions of the observed time when partly throttled and partly unobserved', () => {
    const snaps = stream(100, 1000, (i) => ({
      gpus: [
        i < 50
          ? gpuSample({ ...LOADED, throttle: i < 10 ? ['hw_thermal_slowdown'] : [] })
          : unavailableGpuSample(0, 'timeout')
      ]
    }))
    const gpu = summaryOf(detectThrottle(snaps, INV).summaries, 'nvidia:0')
    expect(gpu.state).toBe('throttled')
    expect(gpu.byCause.thermal).toBeCloseTo(10 / 50, 5)
    expect(gpu.headline).toMatch(
      /^GPU0 throttled 20% of the 50 s observed of the last 100 s \(50%; rest unknown: test\): 20% thermal$/
    )
  })

  it('counts a GPU in the inventory that is missing from the snapshots as unobserved', () => {
    const snaps = stream(10, 1000, () => ({ gpus: [] }))
    const gpu = summaryOf(detectThrottle(snaps, INV).summaries, 'nvidia:0')
    expect(gpu.state).toBe('unknown')
    expect(gpu.throttledFraction).toMatchObject({ status: 'unavailable', reason: 'no-device' })
  })

  it('reports a drive without a temperature limit as unknown', () => {
    const snaps = stream(5, 1000, () => ({
      storage: [
        storageDevice({ name: 'sda', tempMaxCelsius: unavailable('unsupported', 'no max') })
      ]
    }))
    const sda = summaryOf(detectThrottle(snaps, null).summaries, 'storage:sda')
    expect(sda.state).toBe('unknown')
    expect(sda.headline).toBe(
      'sda: throttle state unknown in the last 5 s (sda reports no temperature limit)'
    )
  })

  it('states the partial coverage of a drive unplugged inside the window, and forgets it a window later', () => {
    const t = createThrottleTracker({ windowSeconds: 10 })
    const snaps = stream(30, 1000, (i) => ({
      storage: i < 5 ? [storageDevice({ name: 'sdb' }), storageDevice()] : [storageDevice()]
    }))
    for (const s of snaps.slice(0, 8)) t.push(s)
    const sdb = summaryOf(t.summaries(STREAM_T0 + 7000), 'storage:sdb')
    expect(sdb.coverage).toEqual({ observedSeconds: 5, requestedSeconds: 8 })
    expect(sdb.unobservedReason).toEqual(unavailable('no-device', 'not in this snapshot'))
    for (const s of snaps.slice(8)) t.push(s)
    expect(t.summaries(STREAM_T0 + 29_000).map((s) => s.device)).not.toContain('storage:sdb')
  })

  it('ends an open episode when the device stops being observed', () => {
    const snaps = stream(10, 1000, (i) => ({
      gpus: [
        i < 5
          ? gpuSample({ ...LOADED, throttle: ['hw_thermal_slowdown'] })
          : unavailableGpuSample(0, 'timeout')
      ]
    }))
    const { events } = detectThrottle(snaps, INV)
    expect(events).toHaveLength(1)
    expect(events[0].endMs).toBe(STREAM_T0 + 5000)
  })
})

describe('core/throttle one window for summaries, events and evidence', () => {
  /** Two hours at 1 Hz: thermal throttling in the first 10 min, a power cap across the window start, and a
   * short thermal episode near the end. */
  function longStream(): Snapshot[] {
    return stream(7200, 1000, (i) => ({
      gpus: [
        gpuSample({
          ...LOADED,
          throttle:
            i < 600
              ? ['hw_thermal_slowdown']
              : i >= 6300 && i < 6900
                ? ['sw_power_cap']
                : i >= 7100 && i < 7130
                  ? ['hw_thermal_slowdown']
                  : []
        })
      ]
    }))
  }
  const now = STREAM_T0 + 7199_000
  const windowSeconds = 600 // (now − 600 s, now] = samples 6600..7199

  it('reports only the episodes of the summary window, clipping one that began before it', () => {
    const t = createThrottleTracker({ windowSeconds })
    for (const s of longStream()) t.push(s, INV)
    const a = t.analysis(now)
    expect(a.windowSeconds).toBe(600)
    // Every episode since the start is still in the tracker's history...
    expect(t.events().map((e) => e.cause)).toEqual(['thermal', 'power', 'thermal'])
    // ...but the report's events are those of its window: the early thermal episode is not among them.
    expect(a.events.map((e) => e.cause)).toEqual(['power', 'thermal'])
    const [power, thermal] = a.events
    expect(power.clippedToWindow).toBe(true)
    expect(power.startMs).toBe(now - windowSeconds * 1000)
    expect(power.durationSeconds).toBeCloseTo(300, 5)
    expect(thermal.clippedToWindow).toBeUndefined()
    expect(thermal.durationSeconds).toBeCloseTo(30, 5)
    // The summary over the same window says the same.
    const gpu = summaryOf(a.summaries, 'nvidia:0')
    expect(gpu.coverage).toEqual({ observedSeconds: 600, requestedSeconds: 600 })
    expect(gpu.byCause.power).toBeCloseTo(power.durationSeconds / 600, 5)
    expect(gpu.byCause.thermal).toBeCloseTo(thermal.durationSeconds / 600, 5)
    for (const e of a.events) {
      expect(e.startMs).toBeGreaterThanOrEqual(now - windowSeconds * 1000)
      expect(e.endMs === null || e.endMs <= now).toBe(true)
    }
    // Sustained evidence is of the same window.
    expect(a.sustained.windowSeconds).toBe(600)
    expect(a.sustained.gpuThrottleFractionByCause).toEqual(ok(gpu.byCause))
  })

  it('gives the same analysis from a batch replay as from the live tracker', () => {
    const snaps = longStream()
    const t = createThrottleTracker({ windowSeconds })
    for (const s of snaps) t.push(s, INV)
    expect(analyzeThrottle(snaps, INV, { windowSeconds })).toEqual(t.analysis(now))
  })

  it('covers the whole recording in a batch by default', () => {
    const a = analyzeThrottle(longStream(), INV)
    expect(a.windowSeconds).toBe(7200)
    expect(a.events.map((e) => e.cause)).toEqual(['thermal', 'power', 'thermal'])
    expect(a.events.every((e) => e.clippedToWindow === undefined)).toBe(true)
  })
})
