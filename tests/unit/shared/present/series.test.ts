import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  bandCodes,
  compileSeriesKey,
  GPU_THROTTLE_CAUSES,
  historyKeys,
  listSeries
} from '../../../../src-main/shared/present/series'
import { createSeriesStore } from '../../../../src-main/node/metrics/series-store'
import type { SeriesRequest, SeriesResponse } from '../../../../src-main/shared/history'
import { causeFromCode } from '../../../../src-main/shared/present/causes'
import { gpuLimits } from '../../../../src-main/shared/present/devices'
import { parseSession } from '../../../../src-main/node/recorder/session'
import type { Snapshot } from '../../../../src-main/shared/telemetry'

const FILE = resolve(__dirname, '../../../fixtures/sessions/rtx4090-training-run.jsonl')
const session = parseSession(readFileSync(FILE, 'utf8'), FILE)
const inv = session.header.inventory
const snaps = session.snapshots

/** The agent's own series store, fed every snapshot, answering one query. */
function querySnapshots(all: readonly Snapshot[], req: SeriesRequest): SeriesResponse {
  const store = createSeriesStore()
  for (const s of all) store.push(s)
  return store.query(req)
}

/** A day of synthetic 1 Hz snapshots with one GPU whose power is the second of the day mod 300. */
function day(seconds: number): Snapshot[] {
  const t0 = Date.UTC(2025, 0, 1)
  const base = snaps.at(-1)!
  const g = base.gpus[0]!
  return Array.from({ length: seconds }, (_, i) => ({
    ...base,
    seq: i,
    timestampMs: t0 + i * 1000,
    gpus: [{ ...g, powerDrawWatts: { status: 'ok' as const, value: i % 300 } }]
  }))
}

describe('present/series', () => {
  it('puts GPU and CPU clocks on separate charts, with limits as dashed constants from the device', () => {
    const last = snaps.at(-1)!
    const defs = listSeries(inv, last)
    const gpu = defs.filter((d) => d.chart === 'gpu-clocks')
    expect(gpu.map((d) => d.role)).toEqual(['value', 'constant', 'throttle'])
    expect(gpu[1]!.dashed).toBe(true)
    expect(gpu[1]!.constant).toEqual(gpuLimits(inv.gpus[0], last.gpus[0]).maxClockMhz)
    expect(defs.filter((d) => d.chart === 'cpu-clocks').map((d) => d.key)).toContain(
      'cpu.frequencyMhz'
    )
    const slowdown = defs.find((d) => d.key === 'limit:gpu.0.slowdown')!
    expect(slowdown.constant).toEqual(inv.gpus[0]!.tempSlowdownCelsius)
    // Only history keys are fetched; the band asks for one 0/1 series per cause.
    const keys = historyKeys(defs)
    expect(keys.some((k) => k.startsWith('limit:'))).toBe(false)
    expect(keys).toContain('throttle.gpu0.power')
    expect(keys.length).toBeLessThanOrEqual(64)
  })

  it('reads every history key from a live snapshot, unavailable as null', () => {
    const last = snaps.at(-1)!
    const g = last.gpus[0]!
    expect(compileSeriesKey('gpu.0.temperatureCelsius')!(last)).toBe(
      g.temperatureCelsius.status === 'ok' ? g.temperatureCelsius.value : null
    )
    expect(compileSeriesKey('gpu.7.temperatureCelsius')!(last)).toBeNull()
    expect(compileSeriesKey('nonsense')).toBeNull()
    const flags = g.throttleFlags.status === 'ok' ? g.throttleFlags.value : []
    const power = flags.some((f) => f.cause === 'power') ? 1 : 0
    expect(compileSeriesKey('throttle.gpu0.power')!(last)).toBe(power)
  })

  it('answers a query with dense min/max buckets, so a spike survives downsampling', () => {
    const all = day(86_400)
    all[50_000]!.gpus[0]!.powerDrawWatts = { status: 'ok', value: 999 }
    const h = querySnapshots(all, {
      rangeMs: 86_400_000,
      points: 1000,
      series: ['gpu.0.powerDrawWatts']
    })
    expect(h.buckets).toBe(1000)
    expect(h.series[0]!.max.length).toBe(1000)
    expect(Math.max(...(h.series[0]!.max as number[]))).toBe(999)
    expect(Math.min(...(h.series[0]!.min as number[]))).toBe(0)
    expect(h.toMs - h.fromMs).toBe(h.bucketMs * 1000)
    expect(h.oldestMs).toBe(all[0]!.timestampMs)
  })

  it('gives the throttle band the worst cause per bucket, not throttled as 0, unobserved as null', () => {
    const keys = GPU_THROTTLE_CAUSES.map((c) => `throttle.gpu0.${c}`)
    const h = querySnapshots(snaps, { rangeMs: 200_000, points: 40, series: keys })
    const codes = bandCodes(
      GPU_THROTTLE_CAUSES,
      h.series.map((s) => s.max)
    )
    const causes = new Set(
      codes.map((c) => (c === null ? 'unknown' : (causeFromCode(c) ?? 'none')))
    )
    expect(causes.has('thermal')).toBe(true)
    expect(causes.has('power')).toBe(true)
    expect(causes.has('none')).toBe(true)
    expect(
      bandCodes(
        ['power', 'thermal'],
        [
          [1, 0, null],
          [1, 0, null]
        ]
      )
    ).toEqual([codes.find((c) => c !== null && causeFromCode(c) === 'thermal'), 0, null])
  })

  it('sends a 24 h window of the machine’s series in well under a megabyte', () => {
    const all = day(86_400)
    const keys = historyKeys(listSeries(inv, all.at(-1)!))
    const h = querySnapshots(all, { rangeMs: 86_400_000, points: 2000, series: keys })
    expect(JSON.stringify(h).length).toBeLessThan(1_000_000)
  })
})
