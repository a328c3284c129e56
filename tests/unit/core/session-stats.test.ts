import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  EnvelopeBuilder,
  WeightedQuantiles,
  seriesForInventory,
  verdictOf
} from '../../../src-main/core/session-stats'
import { ok, unavailable } from '../../../src-main/shared/reading'
import type { ThrottleEvent } from '../../../src-main/shared/readiness'
import type { SessionReview } from '../../../src-main/shared/session-format'
import { reviewSnapshots } from '../../helpers/review-stream'
import {
  cpuSample,
  gpuInfo,
  gpuSample,
  inventory,
  na,
  storageDevice,
  stream,
  STREAM_T0
} from '../../helpers/snapshot-builder'

const inv = inventory({ gpus: [gpuInfo({ tempSlowdownCelsius: ok(85) })] })
const series = (r: SessionReview, key: string) =>
  r.devices.flatMap((d) => d.series).find((s) => s.key === key)

describe('core/session-stats', () => {
  it('computes min, median, p95 and max of a GPU temperature, weighted by time', () => {
    // 20 samples 1 s apart: 60, 61, …, 79 °C.
    const snaps = stream(20, 1000, (i) => ({ gpus: [gpuSample({ temperatureCelsius: 60 + i })] }))
    const s = series(reviewSnapshots(snaps, inv).review, 'gpu0.temperatureCelsius')
    expect(s).toMatchObject({
      unit: 'celsius',
      min: ok(60),
      median: ok(69),
      p95: ok(78),
      max: ok(79),
      observedSeconds: 20,
      coverage: 1
    })
  })

  it('measures time at or above the device’s own slowdown temperature with sample spacing', () => {
    const temps = [70, 70, 81, 82, 86, 86, 79, 70, 70, 70]
    const snaps = stream(10, 2000, (i) => ({ gpus: [gpuSample({ temperatureCelsius: temps[i] })] }))
    const { review } = reviewSnapshots(snaps, inv, { intervalMs: 2000 })
    const t = review.devices[0].thresholds.find((x) => x.label.includes('slowdown'))
    // First sample weighs the nominal 2 s, the rest their 2 s spacing: 20 s observed, 4 s at ≥ 85 °C.
    expect(t).toMatchObject({
      threshold: ok(85),
      seconds: ok(4),
      fraction: ok(0.2),
      unit: 'celsius'
    })
  })

  it('says a limit is unknown when the device does not report it, never 0 s', () => {
    const noLimit = inventory({
      gpus: [gpuInfo({ tempSlowdownCelsius: na('unsupported', 'N/A') })]
    })
    const snaps = stream(3, 1000, () => ({
      gpus: [
        gpuSample({ temperatureCelsius: 90, temperatureHeadroomCelsius: na('unsupported', 'N/A') })
      ]
    }))
    const t = reviewSnapshots(snaps, noLimit).review.devices[0].thresholds[0]
    expect(t.seconds.status).toBe('unavailable')
    expect(t.fraction.status).toBe('unavailable')
  })

  it('reports a series that was never readable with its reason, not as zero', () => {
    const snaps = stream(5, 1000, () => ({
      cpu: cpuSample({ packagePowerWatts: na('permission-denied', 'energy_uj is root-only') })
    }))
    const s = series(reviewSnapshots(snaps, inv).review, 'cpu.packagePowerWatts')
    expect(s?.observedSeconds).toBe(0)
    expect(s?.max).toEqual(unavailable('permission-denied', 'energy_uj is root-only'))
    expect(s?.unavailable).toEqual([
      { reason: unavailable('permission-denied', 'energy_uj is root-only'), seconds: 5 }
    ])
  })

  it('skips unavailable samples inside a series and counts their time by reason', () => {
    const snaps = stream(4, 1000, (i) => ({
      gpus: [
        gpuSample({
          powerDrawWatts: i === 1 ? na('timeout', 'nvidia-smi timed out') : 100 * (i + 1)
        })
      ]
    }))
    const s = series(reviewSnapshots(snaps, inv).review, 'gpu0.powerDrawWatts')
    expect(s?.min).toEqual(ok(100))
    expect(s?.max).toEqual(ok(400))
    expect(s?.coverage).toBeCloseTo(0.75)
    expect(s?.unavailable[0]).toEqual({
      reason: unavailable('timeout', 'nvidia-smi timed out'),
      seconds: 1
    })
  })

  it('lists gaps and coverage of the span', () => {
    const a = stream(5, 1000)
    const b = stream(5, 1000).map((s) => ({ ...s, timestampMs: s.timestampMs + 600_000 }))
    const { review } = reviewSnapshots([...a, ...b], inv)
    expect(review.samples).toBe(10)
    expect(review.startMs).toEqual(ok(STREAM_T0))
    expect(review.spanSeconds).toBe(605)
    expect(review.observedSeconds).toBe(10)
    expect(review.gapCount).toBe(1)
    expect(review.gaps).toEqual([
      { startMs: STREAM_T0 + 4000, endMs: STREAM_T0 + 600_000, seconds: 596 }
    ])
    expect(review.coverage).toBeCloseTo(10 / 605)
    expect(review.verdict).toMatch(/samples cover 2% of 10 min 5 s/)
  })

  it('reviews an empty session without inventing numbers', () => {
    const { review } = reviewSnapshots([], inv)
    expect(review.samples).toBe(0)
    expect(review.startMs.status).toBe('unavailable')
    expect(review.devices).toEqual([])
    expect(review.verdict).toBe('No samples: nothing to review.')
  })

  it('derives the sustained clock from busy samples only', () => {
    const snaps = stream(10, 1000, (i) => ({
      gpus: [
        gpuSample({
          utilizationPct: i < 2 ? 0 : 99,
          clockSmMhz: i < 2 ? 210 : 2268,
          clockMaxSmMhz: 2520
        })
      ]
    }))
    const d = reviewSnapshots(snaps, inv).review.devices[0]
    expect(d.sustainedClockRatio).toEqual(ok(0.9))
  })

  it('aggregates throttle episodes per cause with counts and the longest five', () => {
    const ev = (
      i: number,
      seconds: number,
      cause: ThrottleEvent['cause'] = 'power'
    ): ThrottleEvent => ({
      device: 'nvidia:0000:01:00.0',
      deviceLabel: 'GPU0 NVIDIA GeForce RTX 4090',
      cause,
      startMs: STREAM_T0 + i * 60_000,
      endMs: STREAM_T0 + i * 60_000 + seconds * 1000,
      evidence: [],
      durationSeconds: seconds,
      source: 'flag'
    })
    const events = [1, 2, 3, 4, 5, 6, 7].map((i) => ev(i, i * 2))
    const snaps = stream(600, 1000, () => ({
      gpus: [gpuSample({ id: 'nvidia:0000:01:00.0', throttle: [] })]
    }))
    const gi = inventory({ gpus: [gpuInfo({ id: 'nvidia:0000:01:00.0' })] })
    const { review } = reviewSnapshots(snaps, gi, {
      records: [
        ...events.map((e) => ({
          type: 'throttle-end' as const,
          atMs: e.endMs as number,
          event: e
        })),
        { type: 'throttle-end', atMs: 0, event: ev(9, 30, 'idle') }
      ]
    })
    const t = review.throttling.find((x) => x.device === 'gpu0')
    expect(t?.byCause).toHaveLength(1)
    const power = t?.byCause[0]
    expect(power).toMatchObject({ cause: 'power', label: 'power cap', episodes: 7, seconds: 56 })
    expect(power?.longest.map((e) => e.seconds)).toEqual([14, 12, 10, 8, 6])
    expect(power?.fraction).toBeCloseTo(56 / 600)
    expect(review.verdict).toMatch(/9% of the run power-capped; no thermal throttling/)
  })

  it('says throttling is unknown when the GPU never reported throttle reasons', () => {
    const snaps = stream(5, 1000, () => ({
      gpus: [
        gpuSample({
          throttle: na('unsupported', 'clocks_event_reasons not supported'),
          counters: na('unsupported', 'clocks_event_reasons not supported')
        })
      ]
    }))
    const { review } = reviewSnapshots(snaps, inv)
    const t = review.throttling.find((x) => x.device === 'gpu0')
    expect(t?.throttledSeconds).toEqual(
      unavailable('unsupported', 'clocks_event_reasons not supported')
    )
    expect(review.verdict).toMatch(
      /throttling unknown \(not supported here: clocks_event_reasons not supported\)/
    )
    expect(review.verdict).not.toMatch(/no thermal/)
  })

  it('times a drive above its own warning temperature', () => {
    const snaps = stream(4, 1000, (i) => ({
      storage: [
        storageDevice({ name: 'nvme1n1', temperatureCelsius: i < 2 ? 70 : 84, tempMaxCelsius: 83 })
      ]
    }))
    const d = reviewSnapshots(snaps, inv).review.devices.find((x) => x.key === 'nvme1n1')
    expect(d?.thresholds[0]).toMatchObject({ threshold: ok(83), seconds: ok(2), fraction: ok(0.5) })
  })

  it('reports the wrapped command from its records', () => {
    const snaps = stream(3, 1000)
    const { review } = reviewSnapshots(snaps, inv, {
      records: [
        { type: 'command-start', atMs: STREAM_T0, argv: ['python', 'train.py'], pid: 42 },
        {
          type: 'command-end',
          atMs: STREAM_T0 + 2000,
          argv: ['python', 'train.py'],
          exitCode: null,
          signal: 'SIGKILL',
          exitStatus: 137,
          durationMs: 2000
        }
      ]
    })
    expect(review.command).toMatchObject({
      exitStatus: 137,
      signal: 'SIGKILL',
      unfinished: false,
      durationSeconds: 2
    })
    expect(verdictOf(review)).toMatch(/command killed by SIGKILL after 2 s/)
  })

  it('names CSV columns for every series of the inventory before any sample', () => {
    const keys = seriesForInventory(inv).map((s) => s.key)
    expect(keys).toContain('gpu0.temperatureCelsius')
    expect(keys).toContain('memory.usedBytes')
  })
})

describe('WeightedQuantiles', () => {
  it('is exact for few distinct values and within 0.1 % beyond', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
          minLength: 1,
          maxLength: 3000
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, q) => {
          const w = new WeightedQuantiles()
          for (const v of values) w.add(v, 1)
          const sorted = values.slice().sort((a, b) => a - b)
          // -0 and 0 are one value (`+ 0` turns -0 into 0).
          const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]! + 0
          const got = w.quantile(q)
          if (new Set(values).size <= 2048) expect(got).toBe(exact)
          else expect(Math.abs(got - exact)).toBeLessThanOrEqual(Math.abs(exact) * 0.0011 + 1e-9)
        }
      ),
      { numRuns: 60 }
    )
  })
})

describe('EnvelopeBuilder', () => {
  it('keeps a one-sample spike in its bucket while averaging the rest', () => {
    const e = new EnvelopeBuilder(0, 10_000, 10)
    for (let t = 0; t < 10_000; t += 100) e.add('x', e.bucketOf(t), t === 5000 ? 999 : 1)
    const r = e.result()
    expect(r.t).toHaveLength(10)
    const s = r.series[0]
    expect(s.max[5]).toBe(999)
    expect(s.min[5]).toBe(1)
    expect(s.max.filter((v) => v === 999)).toHaveLength(1)
  })

  it('leaves buckets without samples empty (a gap, not zero)', () => {
    const e = new EnvelopeBuilder(0, 1000, 4)
    e.add('x', e.bucketOf(10), 5)
    expect(e.result().series[0].mean).toEqual([5, null, null, null])
  })
})
