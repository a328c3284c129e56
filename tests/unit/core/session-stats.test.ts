import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  downsample,
  downsampleEnvelope,
  extractSeries,
  seriesStats,
  summarizeSession,
  thresholdsFor
} from '../../../src-main/core/session-stats'
import { ok, unavailable } from '../../../src-main/shared/reading'
import type { Snapshot } from '../../../src-main/shared/telemetry'
import {
  cpuSample,
  gpuSample,
  na,
  snapshot,
  storageDevice,
  stream,
  STREAM_T0
} from '../../helpers/snapshot-builder'

describe('core/session-stats', () => {
  it('computes min, time-weighted mean, p95 and max of a GPU temperature series', () => {
    // 20 samples 1 s apart: 60, 61, …, 79 °C.
    const snaps = stream(20, 1000, (i) => ({ gpus: [gpuSample({ temperatureCelsius: 60 + i })] }))
    const s = summarizeSession(snaps).series.find((x) => x.key === 'gpu0.temperatureCelsius')
    expect(s).toBeDefined()
    expect(s?.min).toEqual(ok(60))
    expect(s?.max).toEqual(ok(79))
    expect(s?.mean).toEqual(ok(69.5))
    expect(s?.p95).toEqual(ok(78))
    expect(s?.samples).toBe(20)
    expect(s?.unit).toBe('celsius')
  })

  it('measures time at or above thresholds with sample spacing', () => {
    const temps = [70, 70, 81, 82, 86, 86, 79, 70, 70, 70]
    const snaps = stream(10, 2000, (i) => ({ gpus: [gpuSample({ temperatureCelsius: temps[i] })] }))
    const s = summarizeSession(snaps).series.find((x) => x.key === 'gpu0.temperatureCelsius')
    // First sample weighs the nominal 1 s, the rest 2 s: observed 19 s.
    expect(s?.observedSeconds).toBe(19)
    expect(s?.timeAbove).toEqual([
      { threshold: 80, seconds: 8, fraction: 8 / 19 },
      { threshold: 85, seconds: 4, fraction: 4 / 19 }
    ])
  })

  it('lets callers override thresholds by exact key or pattern', () => {
    const t = {
      'gpu*.temperatureCelsius': [80],
      'gpu1.temperatureCelsius': [70],
      'storage.*.temperatureCelsius': [60, 65]
    }
    expect(thresholdsFor('gpu0.temperatureCelsius', t)).toEqual([80])
    expect(thresholdsFor('gpu1.temperatureCelsius', t)).toEqual([70])
    expect(thresholdsFor('storage.nvme0n1.temperatureCelsius', t)).toEqual([60, 65])
    expect(thresholdsFor('cpu.utilizationPct', t)).toEqual([])
  })

  it('reports a series that was never readable as unavailable with its reason, not as zero', () => {
    const snaps = stream(5, 1000, () => ({
      cpu: cpuSample({ packagePowerWatts: na('permission-denied', 'energy_uj is root-only') })
    }))
    const s = summarizeSession(snaps).series.find((x) => x.key === 'cpu.packagePowerWatts')
    expect(s?.samples).toBe(0)
    expect(s?.unavailableSamples).toBe(5)
    expect(s?.max).toEqual(unavailable('permission-denied', 'energy_uj is root-only'))
    expect(s?.mean.status).toBe('unavailable')
  })

  it('skips unavailable samples inside a series', () => {
    const snaps = stream(4, 1000, (i) => ({
      gpus: [gpuSample({ powerDrawWatts: i === 1 ? na('timeout') : 100 * (i + 1) })]
    }))
    const s = summarizeSession(snaps).series.find((x) => x.key === 'gpu0.powerDrawWatts')
    expect(s?.samples).toBe(3)
    expect(s?.unavailableSamples).toBe(1)
    expect(s?.min).toEqual(ok(100))
    expect(s?.max).toEqual(ok(400))
  })

  it('derives percent series for GPU memory and RAM', () => {
    const GiB = 1024 ** 3
    const snaps = stream(2, 1000, () => ({
      gpus: [gpuSample({ memoryUsedBytes: 12 * GiB, memoryTotalBytes: 24 * GiB })]
    }))
    const series = extractSeries(snaps)
    expect(series.find((x) => x.key === 'gpu0.memoryUsedPct')?.values).toEqual([50, 50])
    expect(series.find((x) => x.key === 'memory.usedPct')?.values).toEqual([25, 25])
  })

  it('records session span, observed time and gaps', () => {
    const a = stream(5, 1000)
    const b = stream(5, 1000).map((s) => ({ ...s, timestampMs: s.timestampMs + 600_000 }))
    const sum = summarizeSession([...a, ...b])
    expect(sum.sampleCount).toBe(10)
    expect(sum.startMs).toEqual(ok(STREAM_T0))
    expect(sum.spanSeconds).toBe(604)
    expect(sum.observedSeconds).toBe(10)
    expect(sum.gaps).toEqual([{ startMs: STREAM_T0 + 4000, endMs: STREAM_T0 + 600_000 }])
  })

  it('summarises an empty session without inventing numbers', () => {
    const sum = summarizeSession([])
    expect(sum.startMs.status).toBe('unavailable')
    expect(sum.series).toEqual([])
    expect(sum.sampleCount).toBe(0)
  })

  it('includes storage series per drive', () => {
    const snaps = stream(3, 1000, () => ({
      storage: [storageDevice({ name: 'nvme1n1', temperatureCelsius: 72 })]
    }))
    const s = summarizeSession(snaps).series.find(
      (x) => x.key === 'storage.nvme1n1.temperatureCelsius'
    )
    expect(s?.timeAbove[0]).toMatchObject({ threshold: 70, fraction: 1 })
  })

  describe('downsampling (min/max envelopes)', () => {
    it('keeps a one-sample dip that LTTB-style selection could drop', () => {
      const t = Array.from({ length: 10_000 }, (_, i) => i * 1000)
      const v = t.map((_, i) => (i === 4321 ? 900 : 2500))
      const b = downsampleEnvelope(t, v, 200)
      expect(b.length).toBeLessThanOrEqual(200)
      expect(Math.min(...b.map((x) => x.min))).toBe(900)
      expect(Math.max(...b.map((x) => x.max))).toBe(2500)
      expect(b.reduce((n, x) => n + x.count, 0)).toBe(10_000)
    })

    it('returns every sample as its own bucket when there are few', () => {
      expect(downsampleEnvelope([0, 1000, 2000], [1, 2, 3], 10)).toEqual([
        { tMs: 0, min: 1, max: 1, mean: 1, count: 1 },
        { tMs: 1000, min: 2, max: 2, mean: 2, count: 1 },
        { tMs: 2000, min: 3, max: 3, mean: 3, count: 1 }
      ])
    })

    it('omits empty buckets across a gap', () => {
      const t = [
        ...Array.from({ length: 50 }, (_, i) => i * 1000),
        ...Array.from({ length: 50 }, (_, i) => 1_000_000 + i * 1000)
      ]
      const b = downsampleEnvelope(
        t,
        t.map(() => 1),
        20
      )
      expect(b.length).toBeLessThan(20)
      expect(b.every((x) => x.count > 0)).toBe(true)
    })

    it('downsamples every series of a 24 h session to the point budget', () => {
      const snaps = stream(86_400 / 10, 10_000, (i) => ({
        gpus: [gpuSample({ utilizationPct: i % 100 })]
      }))
      const out = downsample(snaps, 500)
      const util = out.find((s) => s.key === 'gpu0.utilizationPct')
      expect(util?.buckets.length).toBeLessThanOrEqual(500)
      expect(util?.buckets.length).toBeGreaterThan(400)
      expect(Math.max(...(util?.buckets ?? []).map((b) => b.max))).toBe(99)
    })

    it('never throws and respects the budget on arbitrary input', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.double(), fc.double()), { maxLength: 300 }),
          fc.integer({ min: -3, max: 50 }),
          (pairs, max) => {
            const b = downsampleEnvelope(
              pairs.map((p) => p[0]),
              pairs.map((p) => p[1]),
              max
            )
            expect(b.length).toBeLessThanOrEqual(Math.max(1, max))
            for (const x of b) expect(x.min).toBeLessThanOrEqual(x.max)
          }
        )
      )
    })
  })

  it('never throws on random or malformed sessions, and fractions stay in [0, 1]', () => {
    const num = fc.oneof(fc.double(), fc.integer({ min: 0, max: 200 }))
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.integer({ min: -5000, max: 50_000 }),
            temp: num,
            util: num,
            bad: fc.boolean()
          }),
          { maxLength: 60 }
        ),
        (items) => {
          let t = STREAM_T0
          const snaps: Snapshot[] = items.map((it, i) => {
            t += it.dt
            return snapshot({
              seq: i,
              t,
              gpus: [
                gpuSample({
                  temperatureCelsius: it.bad ? na('failed') : it.temp,
                  utilizationPct: it.util
                })
              ]
            })
          })
          const sum = summarizeSession(snaps)
          for (const s of sum.series)
            for (const ta of s.timeAbove) expect(ta.fraction >= 0 && ta.fraction <= 1).toBe(true)
          downsample(snaps, 7)
        }
      )
    )
    const bad = [
      null,
      {},
      {
        timestampMs: 5,
        gpus: [null],
        cpu: ok(null),
        memory: ok({}),
        storage: ok({ devices: [null, {}] })
      }
    ] as unknown as Snapshot[]
    expect(() => summarizeSession(bad)).not.toThrow()
    expect(() => downsample(bad, 10)).not.toThrow()
    expect(
      seriesStats({
        key: 'x',
        label: 'x',
        unit: 'pct',
        tMs: [],
        values: [],
        weightsS: [],
        unavailableSamples: 0,
        lastUnavailable: null
      }).max.status
    ).toBe('unavailable')
  })
})
