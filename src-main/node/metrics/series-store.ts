/**
 * A compact, bounded time-series store of the snapshot stream, for chart history of any range.
 *
 * Two tiers, both fixed-size rings allocated once:
 * - raw: one entry per snapshot (`rawCapacity`, default 86 400 = 24 h at 1 Hz), one `Float32Array` column
 *   per series (NaN = no observation);
 * - minute: min and max per 60-s bucket (`minuteCapacity`, default 10 080 = 7 days).
 * Memory is `series × (rawCapacity × 4 + minuteCapacity × 8)` bytes plus the time columns; series are
 * capped at `maxSeries`. A query reads the raw tier when it still covers the range, otherwise the minute
 * tier, and reduces the points in each bucket to min/max (the shape the UI draws as a band).
 */
import type { SeriesColumn, SeriesRequest, SeriesResponse } from '../../shared/history'
import type { ReadingUnavailable } from '../../shared/reading'
import { isFiniteReading } from '../../shared/snapshot-schema'
import type { Snapshot } from '../../shared/telemetry'
import { throttleStates } from './throttle-accounting'

/** Options for the store. */
export interface SeriesStoreOptions {
  rawCapacity?: number
  minuteCapacity?: number
  maxSeries?: number
}

/** The store. */
export interface SeriesStore {
  push(snap: Snapshot): void
  query(req: SeriesRequest): SeriesResponse
  /** Series keys held. */
  keys(): string[]
}

interface Column {
  unit: string
  raw: Float32Array
  minuteMin: Float32Array
  minuteMax: Float32Array
  /** Accumulators for the minute bucket in progress. */
  accMin: number
  accMax: number
  latestUnavailable: ReadingUnavailable | undefined
}

const MINUTE_MS = 60_000

/** Field → unit of the per-device series extracted from a snapshot. */
const GPU_FIELDS: Record<string, string> = {
  utilizationPct: 'pct',
  memoryUtilizationPct: 'pct',
  temperatureCelsius: 'celsius',
  hotspotTemperatureCelsius: 'celsius',
  memoryTemperatureCelsius: 'celsius',
  powerDrawWatts: 'watts',
  powerLimitWatts: 'watts',
  clockSmMhz: 'mhz',
  clockMemoryMhz: 'mhz',
  memoryUsedBytes: 'bytes',
  fanPct: 'pct',
  pcieGen: 'gen',
  pcieWidth: 'lanes'
}
const CPU_FIELDS: Record<string, string> = {
  utilizationPct: 'pct',
  frequencyMhz: 'mhz',
  packageTemperatureCelsius: 'celsius',
  packagePowerWatts: 'watts'
}
const MEMORY_FIELDS: Record<string, string> = {
  usedBytes: 'bytes',
  availableBytes: 'bytes',
  swapUsedBytes: 'bytes',
  pressureSomeAvg10Pct: 'pct'
}
const DISK_FIELDS: Record<string, string> = {
  readBytesPerSec: 'bytes-per-sec',
  writeBytesPerSec: 'bytes-per-sec',
  busyPct: 'pct',
  temperatureCelsius: 'celsius'
}

type Extracted = { key: string; unit: string; reading: unknown }

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

/** Every series value in one snapshot (pure; tolerant of malformed parts). */
export function extractSeries(snap: Snapshot, previous: Snapshot | null): Extracted[] {
  const out: Extracted[] = []
  for (const g of Array.isArray(snap.gpus) ? (snap.gpus as unknown[]) : []) {
    if (!isRecord(g) || typeof g.index !== 'number') continue
    for (const [field, unit] of Object.entries(GPU_FIELDS))
      out.push({ key: `gpu.${g.index}.${field}`, unit, reading: g[field] })
  }
  const sub = (prefix: string, reading: unknown, fields: Record<string, string>): void => {
    if (!isRecord(reading)) return
    if (reading.status !== 'ok' || !isRecord(reading.value)) {
      for (const [field, unit] of Object.entries(fields))
        out.push({ key: `${prefix}.${field}`, unit, reading })
      return
    }
    const v = reading.value
    for (const [field, unit] of Object.entries(fields))
      out.push({ key: `${prefix}.${field}`, unit, reading: v[field] })
  }
  sub('cpu', snap.cpu, CPU_FIELDS)
  sub('memory', snap.memory, MEMORY_FIELDS)
  const storage = snap.storage as unknown
  if (isRecord(storage) && storage.status === 'ok' && isRecord(storage.value)) {
    const devices = storage.value.devices
    for (const d of Array.isArray(devices) ? (devices as unknown[]) : []) {
      if (!isRecord(d) || typeof d.name !== 'string') continue
      for (const [field, unit] of Object.entries(DISK_FIELDS))
        out.push({ key: `disk.${d.name}.${field}`, unit, reading: d[field] })
    }
  }
  for (const st of throttleStates(snap, previous))
    for (const cause of st.tracked)
      out.push({
        key: `throttle.${st.device}.${cause}`,
        unit: 'state',
        reading: { status: 'ok', value: st.causes.has(cause) ? 1 : 0 }
      })
  return out
}

function round(v: number): number {
  // Float32 storage: six significant digits is all it holds (and keeps the JSON short).
  return Number(v.toPrecision(6))
}

/** Creates the store. */
export function createSeriesStore(options: SeriesStoreOptions = {}): SeriesStore {
  const rawCap = options.rawCapacity ?? 86_400
  const minuteCap = options.minuteCapacity ?? 10_080
  const maxSeries = options.maxSeries ?? 256
  const rawT = new Float64Array(rawCap)
  let rawStart = 0
  let rawCount = 0
  const minuteT = new Float64Array(minuteCap)
  let minuteStart = 0
  let minuteCount = 0
  /** Start of the minute bucket being accumulated (NaN before the first snapshot). */
  let accBucket = NaN
  const columns = new Map<string, Column>()
  let previous: Snapshot | null = null

  const newColumn = (unit: string): Column => {
    const c: Column = {
      unit,
      raw: new Float32Array(rawCap).fill(NaN),
      minuteMin: new Float32Array(minuteCap).fill(NaN),
      minuteMax: new Float32Array(minuteCap).fill(NaN),
      accMin: NaN,
      accMax: NaN,
      latestUnavailable: undefined
    }
    return c
  }

  const flushMinute = (): void => {
    if (Number.isNaN(accBucket)) return
    const idx = (minuteStart + minuteCount) % minuteCap
    if (minuteCount < minuteCap) minuteCount++
    else minuteStart = (minuteStart + 1) % minuteCap
    minuteT[idx] = accBucket
    for (const c of columns.values()) {
      c.minuteMin[idx] = c.accMin
      c.minuteMax[idx] = c.accMax
      c.accMin = NaN
      c.accMax = NaN
    }
  }

  /** Index of the first raw entry with t ≥ `from` (binary search over the ring). */
  const rawLowerBound = (from: number): number => {
    let lo = 0
    let hi = rawCount
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (rawT[(rawStart + mid) % rawCap]! < from) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  const minuteLowerBound = (from: number): number => {
    let lo = 0
    let hi = minuteCount
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (minuteT[(minuteStart + mid) % minuteCap]! + MINUTE_MS <= from) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  return {
    push(snap) {
      const t = snap?.timestampMs
      if (typeof t !== 'number' || !Number.isFinite(t)) return
      const newest = rawCount > 0 ? rawT[(rawStart + rawCount - 1) % rawCap]! : -Infinity
      if (t <= newest) return
      const bucket = Math.floor(t / MINUTE_MS) * MINUTE_MS
      if (bucket !== accBucket) {
        flushMinute()
        accBucket = bucket
      }
      const idx = (rawStart + rawCount) % rawCap
      if (rawCount < rawCap) rawCount++
      else rawStart = (rawStart + 1) % rawCap
      rawT[idx] = t
      const seen = new Set<string>()
      for (const e of extractSeries(snap, previous)) {
        let c = columns.get(e.key)
        if (c === undefined) {
          if (columns.size >= maxSeries) continue
          c = newColumn(e.unit)
          columns.set(e.key, c)
        }
        seen.add(e.key)
        if (isFiniteReading(e.reading)) {
          const v = e.reading.value
          c.raw[idx] = v
          c.accMin = Number.isNaN(c.accMin) ? v : Math.min(c.accMin, v)
          c.accMax = Number.isNaN(c.accMax) ? v : Math.max(c.accMax, v)
          c.latestUnavailable = undefined
        } else {
          c.raw[idx] = NaN
          const r = e.reading as { status?: unknown; reason?: unknown; detail?: unknown }
          c.latestUnavailable =
            isRecord(r) && r.status === 'unavailable' && typeof r.reason === 'string'
              ? ({
                  status: 'unavailable',
                  reason: r.reason,
                  ...(typeof r.detail === 'string' ? { detail: r.detail } : {})
                } as ReadingUnavailable)
              : { status: 'unavailable', reason: 'parse-error' }
        }
      }
      // A series absent from this snapshot (a device gone) has no observation here.
      for (const [key, c] of columns) if (!seen.has(key)) c.raw[idx] = NaN
      previous = snap
    },

    query(req) {
      const newest = rawCount > 0 ? rawT[(rawStart + rawCount - 1) % rawCap]! : null
      const oldestRaw = rawCount > 0 ? rawT[rawStart]! : null
      const oldestMinute = minuteCount > 0 ? minuteT[minuteStart]! : null
      const oldest =
        oldestMinute !== null && (oldestRaw === null || oldestMinute < oldestRaw)
          ? oldestMinute
          : oldestRaw
      const toMs = (req.endMs ?? newest ?? 0) + 1
      const fromWanted = toMs - req.rangeMs
      const points = Math.max(1, Math.floor(req.points))
      const bucketMs = Math.max(1, Math.ceil(req.rangeMs / points))
      const fromMs = toMs - bucketMs * points
      // Raw data covers the range when its oldest entry is at or before the range start, or when nothing
      // older exists in the minute tier either.
      const useRaw =
        oldestRaw !== null &&
        (oldestRaw <= fromWanted || oldest === oldestRaw || bucketMs < MINUTE_MS)
      const series: SeriesColumn[] = req.series.map((key) => {
        const c = columns.get(key)
        const min = new Array<number | null>(points).fill(null)
        const max = new Array<number | null>(points).fill(null)
        if (c === undefined) return { key, unit: '', min, max, unknown: true }
        const update = (t: number, lo: number, hi: number): void => {
          if (Number.isNaN(lo) || t < fromMs || t >= toMs) return
          const b = Math.floor((t - fromMs) / bucketMs)
          const curMin = min[b]
          const curMax = max[b]
          min[b] = curMin === null || curMin === undefined ? lo : Math.min(curMin, lo)
          max[b] = curMax === null || curMax === undefined ? hi : Math.max(curMax, hi)
        }
        if (useRaw) {
          for (let i = rawLowerBound(fromMs); i < rawCount; i++) {
            const idx = (rawStart + i) % rawCap
            const v = c.raw[idx]!
            update(rawT[idx]!, v, v)
          }
        } else {
          for (let i = minuteLowerBound(fromMs); i < minuteCount; i++) {
            const idx = (minuteStart + i) % minuteCap
            update(minuteT[idx]!, c.minuteMin[idx]!, c.minuteMax[idx]!)
          }
          // The minute in progress is not flushed yet: read it from the raw tier.
          if (!Number.isNaN(accBucket))
            for (let i = rawLowerBound(Math.max(fromMs, accBucket)); i < rawCount; i++) {
              const idx = (rawStart + i) % rawCap
              const v = c.raw[idx]!
              update(rawT[idx]!, v, v)
            }
        }
        for (let i = 0; i < points; i++) {
          const a = min[i]
          const z = max[i]
          if (a !== null && a !== undefined) min[i] = round(a)
          if (z !== null && z !== undefined) max[i] = round(z)
        }
        return {
          key,
          unit: c.unit,
          min,
          max,
          ...(c.latestUnavailable ? { latestUnavailable: c.latestUnavailable } : {})
        }
      })
      return {
        fromMs,
        toMs,
        bucketMs,
        buckets: points,
        oldestMs: oldest,
        resolution: useRaw ? 'raw' : 'minute',
        series,
        available: [...columns.keys()]
      }
    },
    keys: () => [...columns.keys()]
  }
}
