/**
 * What the Live view's charts plot, in the key grammar of the agent's downsampled history
 * (`shared/history.ts`, `telemetry:get-series`): which series each chart shows, how a key reads its value
 * from a live Snapshot (so live samples join the same buckets), the throttle band's per-bucket state, and
 * a snapshot-list implementation of the query for engines without a series store.
 *
 * Keys: `gpu.<index>.<field>`, `cpu.<field>`, `memory.<field>`, `disk.<device>.<field>`, and
 * `throttle.gpu<index>.<cause>` (1 while throttled by that cause, 0 while observed not to be). Device
 * limits that do not change during a run (max clock, slowdown temperature, VRAM and RAM totals, a drive's
 * limit) are not history series: charts draw them as constant lines from `devices.ts`, the one source of
 * each limit. Unavailable readings are `null`, never 0.
 */
import { ok, unavailable, type Reading } from '../reading'
import type {
  GpuSample,
  Inventory,
  Snapshot,
  StorageDeviceSample,
  ThrottleCause
} from '../telemetry'
import { causeCode, dominantCause, isThrottlingCause } from './causes'
import { driveLimitCelsius, gpuLimits } from './devices'

/** The charts of the Live view, in display order. */
export type ChartId =
  'utilization' | 'gpu-clocks' | 'cpu-clocks' | 'temperature' | 'power' | 'memory' | 'disk'

/** What a chart's y axis measures. */
export type ChartUnit = 'pct' | 'mhz' | 'celsius' | 'watts' | 'bytes' | 'rate'

/** A chart: title and unit. */
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

/** Causes a GPU's vendor flags can name (the agent keeps one `throttle.gpu<i>.<cause>` series each). */
export const GPU_THROTTLE_CAUSES: readonly ThrottleCause[] = [
  'power',
  'thermal',
  'psu',
  'current',
  'hw-slowdown',
  'other'
]

/** One plotted series. */
export interface SeriesDef {
  /** History key, or `limit:<what>` for a constant limit line (not fetched). */
  key: string
  label: string
  chart: ChartId
  /** Limits and totals are dashed; measured values are solid. */
  dashed: boolean
  /**
   * `value`: a history series; `limit`: a history series drawn dashed (an enforced power limit changes);
   * `constant`: a device limit drawn as a flat dashed line at `constant`; `throttle`: a throttle band
   * row built from `throttleKeys`.
   */
  role: 'value' | 'limit' | 'constant' | 'throttle'
  /** Groups a device's value with its limit (same colour). */
  group: string
  constant?: Reading<number>
  throttleKeys?: string[]
}

type ReadingOf = (s: Snapshot) => Reading<number>

const num = (r: Reading<number> | undefined): number | null =>
  r !== undefined && r.status === 'ok' && Number.isFinite(r.value) ? r.value : null

const gpuAt = (s: Snapshot, index: number): GpuSample | undefined =>
  s.gpus.find((g) => g.index === index)
const diskOf = (s: Snapshot, name: string): StorageDeviceSample | undefined =>
  s.storage.status === 'ok' ? s.storage.value.devices.find((d) => d.name === name) : undefined

const GONE = (what: string): Reading<number> =>
  unavailable('no-device', `${what} not in this sample`)

function field(obj: object, name: string): Reading<number> {
  const r = (obj as Record<string, unknown>)[name] as Reading<number> | undefined
  return r !== undefined && typeof r === 'object' && r !== null && 'status' in r
    ? r
    : unavailable('unsupported', `${name} is not reported`)
}

/** A reader of a key's Reading from a snapshot (so a missing value carries its reason), or null for an unknown key. */
export function compileSeriesReading(key: string): ReadingOf | null {
  const first = key.indexOf('.')
  const last = key.lastIndexOf('.')
  if (first < 0) return null
  const head = key.slice(0, first)
  const name = key.slice(last + 1)
  const mid = first === last ? '' : key.slice(first + 1, last)
  if (head === 'gpu' && /^\d+$/.test(mid)) {
    const index = Number(mid)
    return (s) => {
      const g = gpuAt(s, index)
      return g ? field(g, name) : GONE(`GPU ${index}`)
    }
  }
  if ((head === 'cpu' || head === 'memory') && !mid) {
    return (s) => {
      const part = head === 'cpu' ? s.cpu : s.memory
      return part.status === 'ok' ? field(part.value, name) : part
    }
  }
  if (head === 'disk' && mid) {
    return (s) => {
      if (s.storage.status !== 'ok') return s.storage
      const d = diskOf(s, mid)
      return d ? field(d, name) : GONE(`drive ${mid}`)
    }
  }
  if (head === 'throttle' && /^gpu\d+$/.test(mid)) {
    const index = Number(mid.slice(3))
    const cause = name as ThrottleCause
    return (s) => {
      const g = gpuAt(s, index)
      if (!g) return GONE(`GPU ${index}`)
      if (g.throttleFlags.status !== 'ok') return g.throttleFlags
      return ok(g.throttleFlags.value.some((f) => f.cause === cause) ? 1 : 0)
    }
  }
  return null
}

/** A reader of a key's value (null = unavailable), or null for an unknown key. */
export function compileSeriesKey(key: string): ((s: Snapshot) => number | null) | null {
  const read = compileSeriesReading(key)
  return read ? (s) => num(read(s)) : null
}

/**
 * The series a machine offers: per GPU utilisation, SM clock against its max, the throttle band,
 * temperature against slowdown, power against its enforced limit, VRAM against total; CPU utilisation,
 * clock against max, package temperature; RAM against total; per drive read/write and temperature against
 * its limit. With `onlyAvailable`, value series whose reading is unavailable in `sample` are left out.
 */
export function listSeries(
  inventory: Inventory | null,
  sample: Snapshot | null,
  options: { onlyAvailable?: boolean } = {}
): SeriesDef[] {
  const only = options.onlyAvailable ?? false
  const out: SeriesDef[] = []
  const add = (d: Omit<SeriesDef, 'dashed'>): void => {
    if (only && sample && (d.role === 'value' || d.role === 'limit')) {
      if (compileSeriesKey(d.key)?.(sample) === null) return
    }
    out.push({ ...d, dashed: d.role === 'limit' || d.role === 'constant' })
  }
  for (const g of sample?.gpus ?? []) {
    const n = `GPU ${g.index}`
    const k = `gpu.${g.index}`
    const lim = gpuLimits(
      inventory?.gpus.find((x) => x.id === g.id),
      g
    )
    add({ key: `${k}.utilizationPct`, label: n, chart: 'utilization', role: 'value', group: k })
    add({
      key: `${k}.clockSmMhz`,
      label: `${n} SM clock`,
      chart: 'gpu-clocks',
      role: 'value',
      group: k
    })
    add({
      key: `limit:${k}.maxClock`,
      label: `${n} max clock`,
      chart: 'gpu-clocks',
      role: 'constant',
      group: k,
      constant: lim.maxClockMhz
    })
    add({
      key: `band:${k}`,
      label: `${n} throttling`,
      chart: 'gpu-clocks',
      role: 'throttle',
      group: k,
      throttleKeys: GPU_THROTTLE_CAUSES.map((c) => `throttle.gpu${g.index}.${c}`)
    })
    add({ key: `${k}.temperatureCelsius`, label: n, chart: 'temperature', role: 'value', group: k })
    add({
      key: `limit:${k}.slowdown`,
      label: `${n} slowdown`,
      chart: 'temperature',
      role: 'constant',
      group: k,
      constant: lim.slowdownCelsius
    })
    add({
      key: `${k}.powerDrawWatts`,
      label: `${n} power`,
      chart: 'power',
      role: 'value',
      group: k
    })
    add({
      key: `${k}.powerLimitWatts`,
      label: `${n} limit`,
      chart: 'power',
      role: 'limit',
      group: k
    })
    add({
      key: `${k}.memoryUsedBytes`,
      label: `${n} VRAM`,
      chart: 'memory',
      role: 'value',
      group: k
    })
    add({
      key: `limit:${k}.vram`,
      label: `${n} VRAM total`,
      chart: 'memory',
      role: 'constant',
      group: k,
      constant: lim.vramBytes
    })
  }
  const cpu = sample?.cpu.status === 'ok' ? sample.cpu.value : null
  add({
    key: 'cpu.utilizationPct',
    label: 'CPU',
    chart: 'utilization',
    role: 'value',
    group: 'cpu'
  })
  add({
    key: 'cpu.frequencyMhz',
    label: 'CPU clock',
    chart: 'cpu-clocks',
    role: 'value',
    group: 'cpu'
  })
  add({
    key: 'limit:cpu.maxClock',
    label: 'CPU max clock',
    chart: 'cpu-clocks',
    role: 'constant',
    group: 'cpu',
    constant: cpu ? cpu.frequencyMaxMhz : (inventory?.cpu.maxMhz ?? unavailable('no-device'))
  })
  add({
    key: 'cpu.packageTemperatureCelsius',
    label: 'CPU package',
    chart: 'temperature',
    role: 'value',
    group: 'cpu'
  })
  const mem = sample?.memory.status === 'ok' ? sample.memory.value : null
  add({ key: 'memory.usedBytes', label: 'RAM', chart: 'memory', role: 'value', group: 'ram' })
  add({
    key: 'limit:memory.total',
    label: 'RAM total',
    chart: 'memory',
    role: 'constant',
    group: 'ram',
    constant: mem ? mem.totalBytes : (inventory?.memory.totalBytes ?? unavailable('no-device'))
  })
  const disks = sample && sample.storage.status === 'ok' ? sample.storage.value.devices : []
  for (const d of disks) {
    const k = `disk.${d.name}`
    add({
      key: `${k}.readBytesPerSec`,
      label: `${d.name} read`,
      chart: 'disk',
      role: 'value',
      group: `${k}.r`
    })
    add({
      key: `${k}.writeBytesPerSec`,
      label: `${d.name} write`,
      chart: 'disk',
      role: 'value',
      group: `${k}.w`
    })
    add({
      key: `${k}.temperatureCelsius`,
      label: d.name,
      chart: 'temperature',
      role: 'value',
      group: k
    })
    add({
      key: `limit:${k}.temperature`,
      label: `${d.name} max`,
      chart: 'temperature',
      role: 'constant',
      group: k,
      constant: driveLimitCelsius(d)
    })
  }
  return out
}

/** The history keys a set of series needs (value and limit series, and every throttle band's causes). */
export function historyKeys(defs: readonly SeriesDef[]): string[] {
  const keys: string[] = []
  for (const d of defs) {
    if (d.role === 'value' || d.role === 'limit') keys.push(d.key)
    else if (d.role === 'throttle') keys.push(...(d.throttleKeys ?? []))
  }
  return [...new Set(keys)]
}

/**
 * A throttle band's state per bucket from its cause columns (0/1 per cause): the worst cause seen in
 * the bucket as a cause code, 0 when observed and never throttled, null when nothing was observed.
 */
export function bandCodes(
  causes: readonly ThrottleCause[],
  columns: readonly ((number | null)[] | undefined)[]
): (number | null)[] {
  const n = Math.max(0, ...columns.map((c) => c?.length ?? 0))
  const out = new Array<number | null>(n).fill(null)
  for (let i = 0; i < n; i++) {
    let observed = false
    const active: ThrottleCause[] = []
    for (let k = 0; k < causes.length; k++) {
      const v = columns[k]?.[i]
      if (v === null || v === undefined) continue
      observed = true
      if (v > 0 && isThrottlingCause(causes[k]!)) active.push(causes[k]!)
    }
    out[i] = observed ? causeCode(dominantCause(active)) : null
  }
  return out
}
