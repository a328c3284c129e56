/**
 * Time series of the Live view: which numbers each chart plots (by key), how a key reads its value from a
 * Snapshot, and min/max bucketing of a history window, shared by the agent (which downsamples before
 * sending) and the UI (which appends live samples to the same buckets).
 *
 * Keys: `gpu/<gpu id>/<field>` (util, sm, sm-max, temp, temp-slowdown, power, power-limit, vram,
 * vram-total, throttle), `cpu/<field>` (util, freq, freq-max, temp), `ram/used`, `ram/total`,
 * `disk/<name>/<field>` (read, write, temp, temp-max). Values are in base units (%, MHz, °C, W, bytes,
 * bytes/s); `throttle` is a cause code (`causeCode`: 0 = observed and not throttled, higher = worse), so
 * a bucket's max is its worst cause. Unavailable readings are `null`, never 0.
 */
import { ok, unavailable, type Reading } from '../reading'
import type { CpuSample, GpuSample, Inventory, Snapshot, StorageDeviceSample } from '../telemetry'
import { causeCode, dominantCause, isThrottlingCause } from './causes'
import { driveLimitCelsius, gpuLimits } from './devices'

/** The charts of the Live view, in display order. */
export type ChartId =
  'utilization' | 'gpu-clocks' | 'cpu-clocks' | 'temperature' | 'power' | 'memory' | 'disk'

/** What a chart's y axis measures. */
export type ChartUnit = 'pct' | 'mhz' | 'celsius' | 'watts' | 'bytes' | 'rate'

/** A chart: title, unit, and what an empty chart means. */
export interface ChartDef {
  id: ChartId
  title: string
  unit: ChartUnit
}

/** Chart titles and units. */
export const CHART_DEFS: readonly ChartDef[] = [
  { id: 'utilization', title: 'Utilisation', unit: 'pct' },
  { id: 'gpu-clocks', title: 'GPU clocks and throttling', unit: 'mhz' },
  { id: 'cpu-clocks', title: 'CPU clock', unit: 'mhz' },
  { id: 'temperature', title: 'Temperatures against limits', unit: 'celsius' },
  { id: 'power', title: 'GPU power against limit', unit: 'watts' },
  { id: 'memory', title: 'VRAM and RAM in use', unit: 'bytes' },
  { id: 'disk', title: 'Disk throughput', unit: 'rate' }
]

/** One plotted series. */
export interface SeriesDef {
  key: string
  label: string
  chart: ChartId
  /** Limits and totals are dashed; measured values are solid. */
  dashed: boolean
  /** `throttle` series are drawn as a band under the GPU clock chart, not as a line. */
  role: 'value' | 'limit' | 'throttle'
}

type Extract = (s: Snapshot) => number | null
type ReadingOf = (s: Snapshot) => Reading<number>

const num = (r: Reading<number> | undefined): number | null =>
  r !== undefined && r.status === 'ok' && Number.isFinite(r.value) ? r.value : null

const gpuOf = (s: Snapshot, id: string): GpuSample | undefined => s.gpus.find((g) => g.id === id)
const diskOf = (s: Snapshot, name: string): StorageDeviceSample | undefined =>
  s.storage.status === 'ok' ? s.storage.value.devices.find((d) => d.name === name) : undefined

/** The throttle cause code of a GPU sample, or null when its flags are unknown. */
export function gpuThrottleCode(g: GpuSample | undefined): number | null {
  if (!g || g.state === 'asleep' || g.throttleFlags.status !== 'ok') return null
  const causes = g.throttleFlags.value.map((f) => f.cause).filter(isThrottlingCause)
  return causeCode(dominantCause(causes))
}

const GONE = (what: string): Reading<number> =>
  unavailable('no-device', `${what} not in this sample`)

/** Compiles a key into a reader of its Reading (so a missing value carries its reason), or null for an unknown key. */
export function compileSeriesReading(key: string, inventory: Inventory | null): ReadingOf | null {
  const first = key.indexOf('/')
  const last = key.lastIndexOf('/')
  if (first < 0) return null
  const head = key.slice(0, first)
  const field = key.slice(last + 1)
  const mid = first === last ? '' : key.slice(first + 1, last)
  if (head === 'gpu' && mid) {
    const info = inventory?.gpus.find((g) => g.id === mid)
    const read = (f: (g: GpuSample) => Reading<number>): ReadingOf => {
      return (s) => {
        const g = gpuOf(s, mid)
        return g ? f(g) : GONE(`GPU ${mid}`)
      }
    }
    switch (field) {
      case 'util':
        return read((g) => g.utilizationPct)
      case 'sm':
        return read((g) => (g.clockSmMhz.status === 'ok' ? g.clockSmMhz : g.clockGraphicsMhz))
      case 'sm-max':
        return read((g) => gpuLimits(info, g).maxClockMhz)
      case 'temp':
        return read((g) => g.temperatureCelsius)
      case 'temp-slowdown':
        return read((g) => gpuLimits(info, g).slowdownCelsius)
      case 'power':
        return read((g) => g.powerDrawWatts)
      case 'power-limit':
        return read((g) => gpuLimits(info, g).powerLimitWatts)
      case 'vram':
        return read((g) => g.memoryUsedBytes)
      case 'vram-total':
        return read((g) => gpuLimits(info, g).vramBytes)
      case 'throttle':
        return read((g) => {
          if (g.throttleFlags.status !== 'ok') return g.throttleFlags
          const code = gpuThrottleCode(g)
          return code === null ? unavailable('asleep') : ok(code)
        })
      default:
        return null
    }
  }
  if (head === 'cpu' && !mid) {
    const c = (f: (c: CpuSample) => Reading<number>): ReadingOf => {
      return (s) => (s.cpu.status === 'ok' ? f(s.cpu.value) : s.cpu)
    }
    switch (field) {
      case 'util':
        return c((x) => x.utilizationPct)
      case 'freq':
        return c((x) => x.frequencyMhz)
      case 'freq-max':
        return c((x) => x.frequencyMaxMhz)
      case 'temp':
        return c((x) => x.packageTemperatureCelsius)
      default:
        return null
    }
  }
  if (head === 'ram' && !mid) {
    if (field === 'used')
      return (s) => (s.memory.status === 'ok' ? s.memory.value.usedBytes : s.memory)
    if (field === 'total')
      return (s) => (s.memory.status === 'ok' ? s.memory.value.totalBytes : s.memory)
    return null
  }
  if (head === 'disk' && mid) {
    const d = (f: (d: StorageDeviceSample) => Reading<number>): ReadingOf => {
      return (s) => {
        if (s.storage.status !== 'ok') return s.storage
        const dev = diskOf(s, mid)
        return dev ? f(dev) : GONE(`drive ${mid}`)
      }
    }
    switch (field) {
      case 'read':
        return d((x) => x.readBytesPerSec)
      case 'write':
        return d((x) => x.writeBytesPerSec)
      case 'temp':
        return d((x) => x.temperatureCelsius)
      case 'temp-max':
        return d((x) => driveLimitCelsius(x))
      default:
        return null
    }
  }
  return null
}

/** Compiles a key into a value reader (null = unavailable), or returns null for a key that names nothing. */
export function compileSeriesKey(key: string, inventory: Inventory | null): Extract | null {
  const read = compileSeriesReading(key, inventory)
  if (!read) return null
  if (key.endsWith('/throttle')) {
    const g = key.slice(4, key.lastIndexOf('/'))
    return (s) => gpuThrottleCode(gpuOf(s, g))
  }
  return (s) => num(read(s))
}

/**
 * The series a machine offers, from its inventory and a recent sample: per GPU utilisation, SM clock
 * against its max, throttle state, temperature against slowdown, power against limit, VRAM against total;
 * CPU utilisation, clock against max and package temperature; RAM against total; per drive read/write and
 * temperature against its limit. Series whose reading is unavailable in the sample are left out (the
 * chart says why instead).
 */
export function listSeries(
  inventory: Inventory | null,
  sample: Snapshot | null,
  options: { onlyAvailable?: boolean } = {}
): SeriesDef[] {
  const only = options.onlyAvailable ?? true
  const out: SeriesDef[] = []
  const add = (
    key: string,
    label: string,
    chart: ChartId,
    role: SeriesDef['role'] = 'value'
  ): void => {
    if (
      only &&
      sample &&
      role !== 'throttle' &&
      compileSeriesKey(key, inventory)?.(sample) === null
    )
      return
    out.push({ key, label, chart, role, dashed: role === 'limit' })
  }
  for (const g of sample?.gpus ?? []) {
    const n = `GPU ${g.index}`
    const k = `gpu/${g.id}`
    add(`${k}/util`, `${n}`, 'utilization')
    add(`${k}/sm`, `${n} SM clock`, 'gpu-clocks')
    add(`${k}/sm-max`, `${n} max clock`, 'gpu-clocks', 'limit')
    add(`${k}/throttle`, `${n} throttling`, 'gpu-clocks', 'throttle')
    add(`${k}/temp`, `${n}`, 'temperature')
    add(`${k}/temp-slowdown`, `${n} slowdown`, 'temperature', 'limit')
    add(`${k}/power`, `${n} power`, 'power')
    add(`${k}/power-limit`, `${n} limit`, 'power', 'limit')
    add(`${k}/vram`, `${n} VRAM`, 'memory')
    add(`${k}/vram-total`, `${n} VRAM total`, 'memory', 'limit')
  }
  add('cpu/util', 'CPU', 'utilization')
  add('cpu/freq', 'CPU clock', 'cpu-clocks')
  add('cpu/freq-max', 'CPU max clock', 'cpu-clocks', 'limit')
  add('cpu/temp', 'CPU package', 'temperature')
  add('ram/used', 'RAM', 'memory')
  add('ram/total', 'RAM total', 'memory', 'limit')
  const disks = sample && sample.storage.status === 'ok' ? sample.storage.value.devices : []
  for (const d of disks) {
    add(`disk/${d.name}/read`, `${d.name} read`, 'disk')
    add(`disk/${d.name}/write`, `${d.name} write`, 'disk')
    add(`disk/${d.name}/temp`, `${d.name}`, 'temperature')
    add(`disk/${d.name}/temp-max`, `${d.name} max`, 'temperature', 'limit')
  }
  return out
}

/** A downsampling request: the series shown, a window (null = everything the agent holds), buckets. */
export interface SeriesRequest {
  keys: string[]
  /** Window length ending at the newest sample (ms); null for the whole session the agent holds. */
  windowMs: number | null
  /** Most buckets to return (one per chart pixel column is plenty). */
  buckets: number
}

/** One series of a downsampled window: the min and max of each bucket (null where nothing was read). */
export interface BucketedSeries {
  key: string
  min: (number | null)[]
  max: (number | null)[]
}

/** A downsampled window. Only buckets holding at least one sample are sent. */
export interface SeriesHistory {
  /** Window start and end (ms): `toMs` is the newest sample, `fromMs` is `toMs - windowMs` or the session start. */
  fromMs: number
  toMs: number
  /** Bucket width (ms); bucket starts are multiples of it (epoch-aligned), so live samples join the same buckets. */
  bucketMs: number
  /** Oldest sample the agent holds (ms), null when it holds none. */
  sessionStartMs: number | null
  /** Samples that went into the buckets. */
  sampleCount: number
  /** Bucket start times (ms). */
  t: number[]
  series: BucketedSeries[]
}

/** Most buckets one request may ask for. */
export const MAX_SERIES_BUCKETS = 4000
/** Most series one request may ask for. */
export const MAX_SERIES_KEYS = 64

/** Four significant digits: enough for any chart, a third of the JSON of a full double. */
export function roundForWire(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v
  const a = Math.abs(v)
  if (a >= 1000) return Math.round(v)
  return Number(v.toPrecision(4))
}

/** Bucket width for a span: at least `minBucketMs`, so that the span holds at most `buckets` buckets. */
export function bucketWidthMs(spanMs: number, buckets: number, minBucketMs = 1000): number {
  const raw = Math.max(minBucketMs, Math.ceil(spanMs / Math.max(1, buckets)))
  // Round up to a step people recognise on an axis: 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1 h…
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 21_600]
  for (const s of steps) if (s * 1000 >= raw) return s * 1000
  return Math.ceil(raw / 3_600_000) * 3_600_000
}

/**
 * Buckets snapshots (oldest first) into min/max per bucket for the given keys.
 *
 * `toMs` is the newest snapshot's time; `fromMs` is `toMs - windowMs`, or the oldest snapshot for the
 * whole session. Snapshots outside the window are skipped. O(snapshots × keys), no allocation per sample
 * beyond the output.
 */
export function bucketSnapshots(
  snapshots: readonly Snapshot[],
  inventory: Inventory | null,
  req: SeriesRequest,
  minBucketMs = 1000
): SeriesHistory {
  const newest = snapshots.length > 0 ? snapshots[snapshots.length - 1]!.timestampMs : null
  const oldest = snapshots.length > 0 ? snapshots[0]!.timestampMs : null
  const toMs = newest ?? 0
  const fromMs = req.windowMs === null ? (oldest ?? 0) : toMs - req.windowMs
  const bucketMs = bucketWidthMs(Math.max(1, toMs - fromMs), req.buckets, minBucketMs)
  const readers = req.keys.map((k) => compileSeriesKey(k, inventory))
  const series: BucketedSeries[] = req.keys.map((key) => ({ key, min: [], max: [] }))
  const t: number[] = []
  let count = 0
  let current = NaN
  for (const s of snapshots) {
    if (s.timestampMs < fromMs || s.timestampMs > toMs) continue
    count++
    const b = Math.floor(s.timestampMs / bucketMs) * bucketMs
    const fresh = b !== current
    if (fresh) {
      current = b
      t.push(b)
    }
    const i = t.length - 1
    for (let k = 0; k < readers.length; k++) {
      const col = series[k]!
      if (fresh) {
        col.min.push(null)
        col.max.push(null)
      }
      const v = readers[k]?.(s) ?? null
      if (v === null) continue
      const lo = col.min[i]
      const hi = col.max[i]
      if (lo === null || lo === undefined || v < lo) col.min[i] = v
      if (hi === null || hi === undefined || v > hi) col.max[i] = v
    }
  }
  for (const col of series) {
    for (let i = 0; i < col.min.length; i++) {
      const lo = col.min[i]
      const hi = col.max[i]
      if (lo !== null && lo !== undefined) col.min[i] = roundForWire(lo)
      if (hi !== null && hi !== undefined) col.max[i] = roundForWire(hi)
    }
  }
  return { fromMs, toMs, bucketMs, sessionStartMs: oldest, sampleCount: count, t, series }
}
