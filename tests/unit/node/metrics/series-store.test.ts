import { describe, expect, it } from 'vitest'
import { createSeriesStore } from '../../../../src-main/node/metrics/series-store'
import { unavailable } from '../../../../src-main/shared/reading'
import { gpuSample, snapshot } from '../../../helpers/snapshot-builder'

const T0 = Date.UTC(2025, 0, 1)

function snap(i: number, temp: number | null, flags: string[] = []) {
  return snapshot({
    t: T0 + i * 1000,
    gpus: [
      gpuSample({
        index: 0,
        temperatureCelsius: temp === null ? unavailable('timeout', 'nvidia-smi hung') : temp,
        throttle: flags
      })
    ]
  })
}

describe('series-store', () => {
  it('answers min/max per bucket for only the requested series, null where nothing was observed', () => {
    const store = createSeriesStore({ rawCapacity: 1000, minuteCapacity: 100 })
    for (let i = 0; i < 60; i++) store.push(snap(i, i < 30 ? 50 + (i % 10) : i < 40 ? null : 70))
    const r = store.query({ rangeMs: 60_000, points: 6, series: ['gpu.0.temperatureCelsius'] })
    expect(r.bucketMs).toBe(10_000)
    expect(r.buckets).toBe(6)
    expect(r.series).toHaveLength(1)
    const [col] = r.series
    expect(col!.unit).toBe('celsius')
    expect(col!.min.slice(0, 3)).toEqual([50, 50, 50])
    expect(col!.max.slice(0, 3)).toEqual([59, 59, 59])
    expect(col!.min[3]).toBeNull()
    expect(col!.max[3]).toBeNull()
    expect(col!.min[5]).toBe(70)
    expect(r.available).toContain('gpu.0.clockSmMhz')
    expect(r.resolution).toBe('raw')
  })

  it('carries the latest unavailable reason and marks unknown series', () => {
    const store = createSeriesStore({ rawCapacity: 100 })
    store.push(snap(0, 60))
    store.push(snap(1, null))
    const r = store.query({
      rangeMs: 10_000,
      points: 10,
      series: ['gpu.0.temperatureCelsius', 'gpu.7.fanPct']
    })
    expect(r.series[0]!.latestUnavailable).toMatchObject({
      reason: 'timeout',
      detail: 'nvidia-smi hung'
    })
    expect(r.series[1]).toMatchObject({ key: 'gpu.7.fanPct', unknown: true })
    expect(r.series[1]!.min.every((v) => v === null)).toBe(true)
  })

  it('records throttle state per cause as 0/1 series', () => {
    const store = createSeriesStore({ rawCapacity: 100 })
    for (let i = 0; i < 10; i++) store.push(snap(i, 60, i >= 5 ? ['sw_power_cap'] : []))
    const r = store.query({
      rangeMs: 10_000,
      points: 2,
      series: ['throttle.gpu0.power', 'throttle.gpu0.thermal']
    })
    expect(r.series[0]!.max).toEqual([0, 1])
    expect(r.series[1]!.max).toEqual([0, 0])
  })

  it('keeps memory bounded and falls back to minute aggregates for ranges older than raw data', () => {
    const store = createSeriesStore({ rawCapacity: 120, minuteCapacity: 60 })
    // 10 minutes at 1 Hz: raw keeps the last 2 minutes, the minute tier all 10.
    for (let i = 0; i < 600; i++) store.push(snap(i, 40 + Math.floor(i / 60)))
    const r = store.query({ rangeMs: 600_000, points: 10, series: ['gpu.0.temperatureCelsius'] })
    expect(r.resolution).toBe('minute')
    expect(r.oldestMs).toBe(T0)
    const col = r.series[0]!
    expect(col.min.filter((v) => v !== null).length).toBeGreaterThanOrEqual(9)
    expect(col.max.at(-1)).toBe(49)
    const recent = store.query({
      rangeMs: 60_000,
      points: 60,
      series: ['gpu.0.temperatureCelsius']
    })
    expect(recent.resolution).toBe('raw')
  })

  it('ignores snapshots out of order and tolerates malformed ones', () => {
    const store = createSeriesStore({ rawCapacity: 10 })
    store.push(snap(5, 60))
    store.push(snap(4, 99))
    store.push({ timestampMs: 'x' } as never)
    store.push({ timestampMs: T0 + 6000, gpus: 'broken', cpu: null } as never)
    const r = store.query({ rangeMs: 10_000, points: 10, series: ['gpu.0.temperatureCelsius'] })
    expect(r.series[0]!.max.filter((v) => v !== null)).toEqual([60])
  })

  it('answers a 24 h range of 1 Hz data in well under 1 MB', () => {
    const store = createSeriesStore()
    for (let i = 0; i < 86_400; i++) store.push(snap(i, 60 + (i % 17)))
    const r = store.query({
      rangeMs: 86_400_000,
      points: 1000,
      series: [
        'gpu.0.temperatureCelsius',
        'gpu.0.clockSmMhz',
        'gpu.0.powerDrawWatts',
        'gpu.0.utilizationPct'
      ]
    })
    expect(JSON.stringify(r).length).toBeLessThan(1024 * 1024)
    expect(r.series[0]!.max.filter((v) => v !== null).length).toBeGreaterThan(990)
  })
})
