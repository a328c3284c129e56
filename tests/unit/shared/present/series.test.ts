import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  bucketSnapshots,
  bucketWidthMs,
  compileSeriesKey,
  listSeries
} from '../../../../src-main/shared/present/series'
import { causeFromCode } from '../../../../src-main/shared/present/causes'
import { parseSession } from '../../../../src-main/node/recorder/session'
import type { Snapshot } from '../../../../src-main/shared/telemetry'

const FILE = resolve(__dirname, '../../../fixtures/sessions/rtx4090-training-run.jsonl')
const session = parseSession(readFileSync(FILE, 'utf8'), FILE)
const inv = session.header.inventory
const snaps = session.snapshots
const gpuId = inv.gpus[0]!.id

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
  it('lists per-GPU clock, limit and throttle series, and CPU clocks on their own chart', () => {
    const defs = listSeries(inv, snaps.at(-1)!)
    const gpuClock = defs.filter((d) => d.chart === 'gpu-clocks').map((d) => d.key)
    expect(gpuClock).toEqual([`gpu/${gpuId}/sm`, `gpu/${gpuId}/sm-max`, `gpu/${gpuId}/throttle`])
    expect(defs.filter((d) => d.chart === 'cpu-clocks').map((d) => d.key)).toContain('cpu/freq')
    expect(defs.find((d) => d.key === `gpu/${gpuId}/sm-max`)!.dashed).toBe(true)
    expect(compileSeriesKey('gpu/nope', inv)).toBeNull()
    expect(compileSeriesKey('bogus/x/y', inv)).toBeNull()
  })

  it('keeps each bucket’s min and max, so a spike survives downsampling', () => {
    const all = day(86_400)
    all[50_000]!.gpus[0]!.powerDrawWatts = { status: 'ok', value: 999 }
    const h = bucketSnapshots(all, inv, {
      keys: [`gpu/${gpuId}/power`],
      windowMs: 86_400_000,
      buckets: 1000
    })
    expect(h.t.length).toBeLessThanOrEqual(1000)
    expect(h.t.length).toBeGreaterThan(500)
    const col = h.series[0]!
    expect(Math.max(...(col.max as number[]))).toBe(999)
    expect(Math.min(...(col.min as number[]))).toBe(0)
    expect(h.toMs - h.fromMs).toBe(86_400_000)
    expect(h.sampleCount).toBe(86_400)
  })

  it('spans the named window even when the data covers less of it, and the whole session on request', () => {
    const some = day(180)
    const hour = bucketSnapshots(some, inv, {
      keys: ['cpu/freq'],
      windowMs: 3_600_000,
      buckets: 600
    })
    expect(hour.toMs - hour.fromMs).toBe(3_600_000)
    expect(hour.sessionStartMs).toBe(some[0]!.timestampMs)
    const session = bucketSnapshots(some, inv, { keys: ['cpu/freq'], windowMs: null, buckets: 600 })
    expect(session.fromMs).toBe(some[0]!.timestampMs)
    expect(session.toMs).toBe(some.at(-1)!.timestampMs)
    const minute = bucketSnapshots(some, inv, {
      keys: ['cpu/freq'],
      windowMs: 60_000,
      buckets: 600
    })
    expect(minute.sampleCount).toBe(61)
  })

  it('records throttle state as the worst cause per bucket and leaves unknown readings null', () => {
    const h = bucketSnapshots(snaps, inv, {
      keys: [`gpu/${gpuId}/throttle`],
      windowMs: null,
      buckets: 20
    })
    const causes = new Set(h.series[0]!.max.map((c) => (c === null ? 'unknown' : causeFromCode(c))))
    expect(causes.has('thermal')).toBe(true)
    expect(causes.has('power')).toBe(true)
    const noReading = bucketSnapshots(snaps, null, {
      keys: ['cpu/temp'],
      windowMs: null,
      buckets: 20
    })
    const cpuTemp = snaps.at(-1)!.cpu
    if (cpuTemp.status === 'ok' && cpuTemp.value.packageTemperatureCelsius.status !== 'ok')
      expect(noReading.series[0]!.max.every((v) => v === null)).toBe(true)
  })

  it('sends a 24 h window of 20 series in well under a megabyte', () => {
    const all = day(86_400)
    const keys = listSeries(inv, all.at(-1)!, { onlyAvailable: false })
      .map((d) => d.key)
      .slice(0, 20)
    const h = bucketSnapshots(all, inv, { keys, windowMs: 86_400_000, buckets: 1500 })
    expect(JSON.stringify(h).length).toBeLessThan(1_000_000)
  })

  it('rounds bucket widths to steps people read on an axis', () => {
    expect(bucketWidthMs(60_000, 1280)).toBe(1000)
    expect(bucketWidthMs(86_400_000, 1000)).toBe(120_000)
    expect(bucketWidthMs(3_600_000, 1280)).toBe(5000)
  })
})
