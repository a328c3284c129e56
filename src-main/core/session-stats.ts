/**
 * Session statistics in one streaming pass: the series a review shows, read straight from a reader's value
 * table, accumulated into min / median / p95 / max, coverage, time above each device's own limits, the
 * sustained-clock ratio, throttling by cause, alerts, the wrapped command and a one-line verdict.
 *
 * Nothing here holds the samples: per series a bounded quantile sketch (exact until 2048 distinct values,
 * then log buckets with 0.1 % relative error), per device a few counters, and bounded lists of episodes,
 * gaps and problems. The reader (in `node/recorder`) feeds path definitions and ticks; this module binds the
 * paths it knows (`gpus.0.temperatureCelsius.value`) to series once per segment and reads leaves by id.
 *
 * Pure: no I/O and no clock. Samples weigh their spacing to the previous sample; a gap longer than
 * `maxGapMs` is not attributed (the sample then weighs the nominal interval), as in the throttle detector.
 */
import {
  describeReason,
  ok,
  unavailable,
  type Reading,
  type UnavailableReason
} from '../shared/reading'
import type { AlertTransition } from '../shared/alerts'
import type { ThrottleEvent } from '../shared/readiness'
import {
  formatShare,
  formatSpan,
  type CauseReview,
  type CommandReview,
  type DeviceReview,
  type DeviceThrottleReview,
  type EpisodeReview,
  type GapReview,
  type MarkRecord,
  type ReviewUnit,
  type SeriesReview,
  type SessionRecord,
  type SessionReview,
  type SessionSeriesMeta,
  type ThresholdReview
} from '../shared/session-format'
import type { Inventory, ThrottleCause } from '../shared/telemetry'
import {
  SEGMENT_SUMMARY_VERSION,
  SUMMARY_BIN_MS,
  type DeviceSummary,
  type QuantileState,
  type SegmentSummary,
  type SeriesBins,
  type SummaryOptions,
  type ThresholdSummary
} from './session-summary'
import { describeThrottleCause } from '../shared/throttle-causes'

const GIB = 1024 ** 3
const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)

// ---------------------------------------------------------------------------------------------------------
// Leaf tables (what a reader keeps; structural so core needs nothing from node)
// ---------------------------------------------------------------------------------------------------------

/** A reader's path and value tables: leaf `values[id]`, tree `parents[id]`/`keys[id]` (id 0 is the root). */
export interface LeafTable {
  readonly values: readonly unknown[]
  readonly parents: readonly number[]
  readonly keys: readonly (string | number)[]
}

function pathOf(t: LeafTable, id: number): (string | number)[] {
  const out: (string | number)[] = []
  for (let n = id, guard = 0; n !== 0 && guard < 64; n = t.parents[n], guard++) out.push(t.keys[n])
  return out.reverse()
}

// ---------------------------------------------------------------------------------------------------------
// Weighted quantiles
// ---------------------------------------------------------------------------------------------------------

const EXACT_LIMIT = 2048
const ALPHA = 0.001
const GAMMA = (1 + ALPHA) / (1 - ALPHA)
const LOG_GAMMA = Math.log(GAMMA)

/** Weights by integer bucket index in a window of a Float64Array that grows to the indexes seen. */
class BucketArray {
  private first = 0
  private w: Float64Array | null = null
  add(i: number, w: number): void {
    let a = this.w
    if (a === null) {
      a = this.w = new Float64Array(64)
      this.first = i - 32
    }
    let k = i - this.first
    if (k < 0 || k >= a.length) {
      const lo = Math.min(this.first, i)
      const hi = Math.max(this.first + a.length, i + 1)
      const grown = new Float64Array(Math.max(2 * a.length, hi - lo + 64))
      const first = k < 0 ? hi - grown.length : lo
      grown.set(a, this.first - first)
      this.w = a = grown
      this.first = first
      k = i - first
    }
    a[k] += w
  }
  /** `[firstIndex, weights…]` trimmed to the non-empty range (empty when nothing was added). */
  state(): number[] {
    const a = this.w
    if (a === null) return []
    let lo = 0
    let hi = a.length
    while (lo < hi && a[lo] === 0) lo++
    while (hi > lo && a[hi - 1] === 0) hi--
    return lo === hi ? [] : [this.first + lo, ...a.subarray(lo, hi)]
  }
  /** Non-empty buckets as [index, weight], ascending (or descending) by index. */
  *entries(descending = false): Generator<[number, number]> {
    const a = this.w
    if (a === null) return
    for (let n = 0; n < a.length; n++) {
      const k = descending ? a.length - 1 - n : n
      if (a[k] > 0) yield [this.first + k, a[k]]
    }
  }
}

/**
 * Time-weighted quantiles of a stream: exact while at most 2048 distinct values were seen, then log buckets
 * (relative error 0.1 %). Memory is bounded by the value range, not the sample count.
 */
export class WeightedQuantiles {
  // Exact phase: value → slot in `exactW` (a slot index, so an update allocates nothing).
  private exact: Map<number, number> | null = new Map()
  private exactW = new Float64Array(16)
  private pos = new BucketArray()
  private neg = new BucketArray()
  private zero = 0
  total = 0
  private lo = Infinity
  private hi = -Infinity
  /** Smallest value added (Infinity when none). */
  get min(): number {
    this.flush()
    return this.lo
  }
  /** Largest value added (-Infinity when none). */
  get max(): number {
    this.flush()
    return this.hi
  }

  // A run of equal values is added once (most series hold a value for many ticks): the pending run.
  private runV = NaN
  private runW = 0

  /** Adds value `v` with weight `w` (seconds); -0 counts as 0. */
  add(v: number, w: number): void {
    if (!fin(v) || !(w > 0)) return
    v += 0
    this.total += w
    if (v === this.runV) {
      this.runW += w
      return
    }
    this.flush()
    this.runV = v
    this.runW = w
  }

  private flush(): void {
    const v = this.runV
    const w = this.runW
    if (!(w > 0)) return
    this.runW = 0
    this.runV = NaN
    if (v < this.lo) this.lo = v
    if (v > this.hi) this.hi = v
    const e = this.exact
    if (e !== null) {
      let slot = e.get(v)
      if (slot === undefined) {
        slot = e.size
        e.set(v, slot)
        if (slot >= this.exactW.length) {
          const grown = new Float64Array(Math.min(EXACT_LIMIT + 1, 2 * this.exactW.length))
          grown.set(this.exactW)
          this.exactW = grown
        }
      }
      this.exactW[slot] += w
      if (e.size <= EXACT_LIMIT) return
      this.exact = null
      for (const [x, k] of e) this.bucket(x, this.exactW[k])
      this.exactW = new Float64Array(0)
      return
    }
    this.bucket(v, w)
  }

  /** The histogram as plain JSON (for a segment summary). */
  toState(): QuantileState {
    this.flush()
    const e = this.exact
    if (e !== null) {
      const values = [...e.keys()]
      return { e: values, w: values.map((v) => this.exactW[e.get(v) ?? 0]) }
    }
    return {
      lo: this.lo,
      hi: this.hi,
      zero: this.zero,
      pos: this.pos.state(),
      neg: this.neg.state()
    }
  }

  /** Adds a histogram saved by `toState` (of later samples: the result is what adding them would give). */
  mergeState(s: QuantileState): void {
    if ('e' in s) {
      for (let i = 0; i < s.e.length; i++) this.add(s.e[i], s.w[i])
      return
    }
    this.flush()
    const e = this.exact
    if (e !== null) {
      this.exact = null
      for (const [x, k] of e) this.bucket(x, this.exactW[k])
      this.exactW = new Float64Array(0)
    }
    if (s.lo < this.lo) this.lo = s.lo
    if (s.hi > this.hi) this.hi = s.hi
    this.zero += s.zero
    this.total += s.zero
    for (const [arr, into] of [
      [s.pos, this.pos],
      [s.neg, this.neg]
    ] as const)
      for (let k = 1; k < arr.length; k++)
        if (arr[k] > 0) {
          into.add(arr[0] + k - 1, arr[k])
          this.total += arr[k]
        }
  }

  private bucket(v: number, w: number): void {
    if (v === 0) this.zero += w
    else if (v > 0) {
      this.pos.add(Math.ceil(Math.log(v) / LOG_GAMMA), w)
    } else {
      this.neg.add(Math.ceil(Math.log(-v) / LOG_GAMMA), w)
    }
  }

  /** The smallest value whose cumulative weight reaches `q` of the total; NaN when empty. */
  quantile(q: number): number {
    if (!(this.total > 0)) return NaN
    this.flush()
    const target = Math.min(1, Math.max(0, q)) * this.total
    if (this.exact !== null) {
      const keys = [...this.exact.keys()].sort((a, b) => a - b)
      let acc = 0
      for (const k of keys) {
        acc += this.exactW[this.exact.get(k) ?? -1] ?? 0
        if (acc >= target - 1e-9) return k
      }
      return keys[keys.length - 1]
    }
    const rep = (i: number): number => (2 * GAMMA ** i) / (GAMMA + 1)
    const clamp = (x: number): number => Math.min(this.hi, Math.max(this.lo, x))
    let acc = 0
    for (const [i, w] of this.neg.entries(true)) {
      acc += w
      if (acc >= target - 1e-9) return clamp(-rep(i))
    }
    acc += this.zero
    if (acc >= target - 1e-9 && this.zero > 0) return 0
    for (const [i, w] of this.pos.entries()) {
      acc += w
      if (acc >= target - 1e-9) return clamp(rep(i))
    }
    return this.hi
  }
}

// ---------------------------------------------------------------------------------------------------------
// Series extraction (paths → series)
// ---------------------------------------------------------------------------------------------------------

interface Slot {
  s: number
  v: number
  r: number
  d: number
}

const newSlot = (): Slot => ({ s: -1, v: -1, r: -1, d: -1 })

/** One series the extractor knows how to read. */
interface FieldSpec {
  field: string
  label: string
  unit: ReviewUnit
  /** Multiplier from the recorded unit to `unit`. */
  scale: number
}

const GPU_FIELDS: FieldSpec[] = [
  { field: 'utilizationPct', label: 'utilisation', unit: 'pct', scale: 1 },
  { field: 'temperatureCelsius', label: 'temperature', unit: 'celsius', scale: 1 },
  { field: 'hotspotTemperatureCelsius', label: 'hotspot temperature', unit: 'celsius', scale: 1 },
  { field: 'memoryTemperatureCelsius', label: 'memory temperature', unit: 'celsius', scale: 1 },
  { field: 'powerDrawWatts', label: 'power', unit: 'watts', scale: 1 },
  { field: 'clockSmMhz', label: 'SM clock', unit: 'mhz', scale: 1 },
  { field: 'clockMemoryMhz', label: 'memory clock', unit: 'mhz', scale: 1 },
  { field: 'memoryUsedBytes', label: 'memory used', unit: 'gib', scale: 1 / GIB },
  { field: 'fanPct', label: 'fan', unit: 'pct', scale: 1 }
]
const CPU_FIELDS: FieldSpec[] = [
  { field: 'utilizationPct', label: 'utilisation', unit: 'pct', scale: 1 },
  { field: 'frequencyMhz', label: 'clock', unit: 'mhz', scale: 1 },
  { field: 'packageTemperatureCelsius', label: 'package temperature', unit: 'celsius', scale: 1 },
  { field: 'packagePowerWatts', label: 'package power', unit: 'watts', scale: 1 }
]
const MEM_FIELDS: FieldSpec[] = [
  { field: 'usedBytes', label: 'RAM used', unit: 'gib', scale: 1 / GIB },
  { field: 'swapUsedBytes', label: 'swap used', unit: 'gib', scale: 1 / GIB },
  { field: 'swapInBytesPerSec', label: 'swap in', unit: 'mb-per-sec', scale: 1e-6 },
  { field: 'swapOutBytesPerSec', label: 'swap out', unit: 'mb-per-sec', scale: 1e-6 },
  { field: 'pressureFullAvg10Pct', label: 'memory pressure (full, 10 s)', unit: 'pct', scale: 1 }
]
const STORAGE_FIELDS: FieldSpec[] = [
  { field: 'temperatureCelsius', label: 'temperature', unit: 'celsius', scale: 1 },
  { field: 'readBytesPerSec', label: 'read', unit: 'mb-per-sec', scale: 1e-6 },
  { field: 'writeBytesPerSec', label: 'write', unit: 'mb-per-sec', scale: 1e-6 },
  { field: 'busyPct', label: 'busy', unit: 'pct', scale: 1 }
]

/** Field specs by device kind. */
const SPECS: Record<DeviceReview['kind'], readonly FieldSpec[]> = {
  gpu: GPU_FIELDS,
  cpu: CPU_FIELDS,
  memory: MEM_FIELDS,
  storage: STORAGE_FIELDS
}

/**
 * The series a review will show for an inventory's devices, in review order (GPUs, CPU, memory, drives):
 * the columns of a CSV export, known before any sample is read.
 */
export function seriesForInventory(inv: Inventory): SessionSeriesMeta[] {
  const out: SessionSeriesMeta[] = []
  const add = (device: string, deviceLabel: string, specs: readonly FieldSpec[]): void => {
    for (const s of specs)
      out.push({ key: `${device}.${s.field}`, label: s.label, unit: s.unit, device, deviceLabel })
  }
  for (const g of inv.gpus) add(`gpu${g.index}`, `GPU${g.index} ${g.name}`, GPU_FIELDS)
  const model = inv.cpu.model.status === 'ok' ? inv.cpu.model.value : ''
  add('cpu', model ? `CPU ${model}` : 'CPU', CPU_FIELDS)
  add('memory', 'Memory', MEM_FIELDS)
  for (const d of inv.storage)
    add(d.name, d.model.status === 'ok' ? `${d.name} ${d.model.value}` : d.name, STORAGE_FIELDS)
  return out
}

const READING_PARTS: Record<string, keyof Slot> = {
  status: 's',
  value: 'v',
  reason: 'r',
  detail: 'd'
}

interface GpuBind {
  name: number
  index: number
  state: number
  fields: Map<string, Slot>
}
interface StorageBind {
  name: number
  fields: Map<string, Slot>
}
interface SensorBind {
  max: Slot
  crit: Slot
}

/**
 * Binds a reader's path table to the series of a review and reads them per tick.
 *
 * Call `segment()` when ids restart, `node(id, table)` for every defined path, then read with the getters
 * while a tick is current.
 */
export class SessionSeriesReader {
  gpus = new Map<number, GpuBind>()
  cpu = newSlot()
  cpuFields = new Map<string, Slot>()
  cpuSensors = new Map<number, SensorBind>()
  mem = newSlot()
  memFields = new Map<string, Slot>()
  storage = newSlot()
  drives = new Map<number, StorageBind>()
  /** Bumped whenever a binding changes, so callers may cache slot lookups. */
  generation = 0
  private values: readonly unknown[] = []

  /** Forgets every binding (a new segment restarts ids). */
  segment(): void {
    this.generation++
    this.gpus.clear()
    this.cpu = newSlot()
    this.cpuFields.clear()
    this.cpuSensors.clear()
    this.mem = newSlot()
    this.memFields.clear()
    this.storage = newSlot()
    this.drives.clear()
  }

  /** Binds one defined path if it is one the review reads. */
  node(id: number, table: LeafTable): void {
    this.generation++
    const p = pathOf(table, id)
    const top = p[0]
    if (top === 'gpus' && typeof p[1] === 'number') {
      const i = p[1]
      let g = this.gpus.get(i)
      if (!g) this.gpus.set(i, (g = { name: -1, index: -1, state: -1, fields: new Map() }))
      if (p.length === 3 && p[2] === 'name') g.name = id
      else if (p.length === 3 && p[2] === 'index') g.index = id
      else if (p.length === 3 && p[2] === 'state') g.state = id
      else if (p.length === 4) bindPart(g.fields, p[2], p[3], id)
      return
    }
    if (top === 'cpu' || top === 'memory' || top === 'storage') {
      if (p.length === 2) {
        const part = READING_PARTS[String(p[1])]
        if (part) (top === 'cpu' ? this.cpu : top === 'memory' ? this.mem : this.storage)[part] = id
        return
      }
      if (p[1] !== 'value') return
      if (top === 'cpu') {
        if (p.length === 4) bindPart(this.cpuFields, p[2], p[3], id)
        else if (
          p.length === 7 &&
          p[2] === 'temperatures' &&
          p[3] === 'value' &&
          typeof p[4] === 'number' &&
          (p[5] === 'maxCelsius' || p[5] === 'critCelsius')
        ) {
          let s = this.cpuSensors.get(p[4])
          if (!s) this.cpuSensors.set(p[4], (s = { max: newSlot(), crit: newSlot() }))
          const part = READING_PARTS[String(p[6])]
          if (part) (p[5] === 'maxCelsius' ? s.max : s.crit)[part] = id
        }
        return
      }
      if (top === 'memory') {
        if (p.length === 4) bindPart(this.memFields, p[2], p[3], id)
        return
      }
      if (p[2] === 'devices' && typeof p[3] === 'number') {
        const j = p[3]
        let d = this.drives.get(j)
        if (!d) this.drives.set(j, (d = { name: -1, fields: new Map() }))
        if (p.length === 5 && p[4] === 'name') d.name = id
        else if (p.length === 6) bindPart(d.fields, p[4], p[5], id)
      }
    }
  }

  /** Makes `values` the current tick's value table. */
  use(values: readonly unknown[]): void {
    this.values = values
  }

  /** Why the last `read` gave NaN. */
  reason: UnavailableReason = 'no-device'
  detail: string | undefined = undefined

  /**
   * Reads a Reading<number> slot under a parent reading: the value times `scale`, or NaN with `reason` and
   * `detail` saying why (no allocation: called for every series of every tick).
   */
  read(slot: Slot | undefined, parent: Slot | null, present: boolean, scale = 1): number {
    const v = this.values
    if (!present) return this.missing('no-device', 'not in this sample')
    if (parent && v[parent.s] !== 'ok') return this.reasonOf(parent, 'section not in this sample')
    if (!slot) return this.missing('no-device', 'not in this sample')
    const st = v[slot.s]
    const x = v[slot.v]
    if (st === 'ok' && fin(x)) return scale === 1 ? x : x * scale
    if (st === 'ok') return this.missing('parse-error', 'not a number')
    return this.reasonOf(slot, 'not in this sample')
  }

  private missing(reason: UnavailableReason, detail: string | undefined): number {
    this.reason = reason
    this.detail = detail
    return NaN
  }

  /** Status of a Reading slot ('ok', 'unavailable' or undefined when absent). */
  status(slot: Slot | undefined): unknown {
    return slot ? this.values[slot.s] : undefined
  }

  /** True when leaf `id` is present in the current tick. */
  has(id: number): boolean {
    return id >= 0 && this.values[id] !== undefined
  }

  /** A string leaf. */
  text(id: number): string | undefined {
    const x = id >= 0 ? this.values[id] : undefined
    return typeof x === 'string' ? x : undefined
  }

  /** A number leaf. */
  num(id: number): number | undefined {
    const x = id >= 0 ? this.values[id] : undefined
    return fin(x) ? x : undefined
  }

  private reasonOf(slot: Slot, fallbackDetail: string): number {
    const r = this.values[slot.r]
    const d = this.values[slot.d]
    if (typeof r === 'string')
      return this.missing(r as UnavailableReason, typeof d === 'string' ? d : undefined)
    return this.missing('no-device', fallbackDetail)
  }
}

function bindPart(
  map: Map<string, Slot>,
  field: string | number,
  part: string | number,
  id: number
): void {
  const k = READING_PARTS[String(part)]
  if (!k || typeof field !== 'string') return
  let s = map.get(field)
  if (!s) map.set(field, (s = newSlot()))
  s[k] = id
}

// ---------------------------------------------------------------------------------------------------------
// Accumulators
// ---------------------------------------------------------------------------------------------------------

const MAX_REASONS = 8

class SeriesAcc {
  readonly q = new WeightedQuantiles()
  readonly reasons = new Map<
    string,
    { reason: UnavailableReason; detail?: string; seconds: number }
  >()
  constructor(
    readonly key: string,
    readonly label: string,
    readonly unit: ReviewUnit,
    readonly device: string
  ) {}
  /** Value of the current tick (NaN when unavailable) and the tick it belongs to. */
  value = NaN
  stamp = -1
  add(v: number, w: number, r: SessionSeriesReader, tick: number): void {
    this.value = v
    this.stamp = tick
    if (v === v) {
      this.q.add(v, w)
      return
    }
    const k = r.detail === undefined ? r.reason : `${r.reason}\u0000${r.detail}`
    const e = this.reasons.get(k)
    if (e) e.seconds += w
    else if (this.reasons.size < MAX_REASONS)
      this.reasons.set(k, {
        reason: r.reason,
        ...(r.detail !== undefined ? { detail: r.detail } : {}),
        seconds: w
      })
  }
  /** Histogram and reasons as summary JSON. */
  toSummary(): { q: QuantileState; r: [string, string | null, number][] } {
    return {
      q: this.q.toState(),
      r: [...this.reasons.values()].map((e) => [e.reason, e.detail ?? null, e.seconds])
    }
  }
  /** Adds a summary of later samples. */
  merge(s: { q: QuantileState; r: [string, string | null, number][] }): void {
    this.q.mergeState(s.q)
    for (const [reason, detail, seconds] of s.r) {
      const k = detail === null ? reason : `${reason}\u0000${detail}`
      const e = this.reasons.get(k)
      if (e) e.seconds += seconds
      else if (this.reasons.size < MAX_REASONS)
        this.reasons.set(k, {
          reason: reason as UnavailableReason,
          ...(detail !== null ? { detail } : {}),
          seconds
        })
    }
  }
  review(spanSeconds: number): SeriesReview {
    const q = this.q
    const reasons = [...this.reasons.values()].sort((a, b) => b.seconds - a.seconds)
    const top = reasons[0]
    const missing = top
      ? unavailable(top.reason, top.detail)
      : unavailable('no-device', 'never in this session')
    const val = (x: number): Reading<number> => (q.total > 0 && fin(x) ? ok(x) : missing)
    return {
      key: this.key,
      label: this.label,
      unit: this.unit,
      observedSeconds: q.total,
      coverage: spanSeconds > 0 ? Math.min(1, q.total / spanSeconds) : 0,
      min: val(q.min),
      median: val(q.quantile(0.5)),
      p95: val(q.quantile(0.95)),
      max: val(q.max),
      unavailable: reasons.slice(0, 4).map((r) => ({
        reason: r.detail !== undefined ? unavailable(r.reason, r.detail) : unavailable(r.reason),
        seconds: r.seconds
      }))
    }
  }
}

class ThresholdAcc {
  seconds = 0
  observed = 0
  last = NaN
  constructor(
    readonly label: string,
    readonly seriesKey: string,
    readonly unit: ReviewUnit,
    readonly missing: string
  ) {}
  add(value: number, threshold: number, w: number): void {
    if (!fin(value) || !fin(threshold)) return
    this.last = threshold
    this.observed += w
    if (value >= threshold) this.seconds += w
  }
  /** As summary JSON. */
  toSummary(): ThresholdSummary {
    return {
      label: this.label,
      seriesKey: this.seriesKey,
      unit: this.unit,
      missing: this.missing,
      seconds: this.seconds,
      observed: this.observed,
      last: fin(this.last) ? this.last : null
    }
  }
  /** Adds a summary of later samples. */
  merge(t: ThresholdSummary): void {
    this.seconds += t.seconds
    this.observed += t.observed
    if (t.last !== null) this.last = t.last
  }
  review(): ThresholdReview {
    const none = unavailable('unsupported', this.missing)
    const known = this.observed > 0
    return {
      label: this.label,
      seriesKey: this.seriesKey,
      unit: this.unit,
      threshold: known ? ok(this.last) : none,
      seconds: known ? ok(this.seconds) : none,
      fraction: known ? ok(this.seconds / this.observed) : none
    }
  }
}

interface DeviceAcc {
  key: string
  kind: DeviceReview['kind']
  label: string
  /** Series accumulators by field spec index. */
  accs: SeriesAcc[]
  thresholds: ThresholdAcc[]
  ratio: WeightedQuantiles | null
  ratioWhyNot: Reading<never>
  /** `ratioWhyNot` was set by a sample (not the default). */
  ratioWhyNotSet: boolean
  /** Seconds the device's throttle reasons were observable. */
  throttleObservedS: number
  throttleWhyNot: Reading<never> | null
  /** `fields.get(spec.field)` per field spec, valid while `slotsGen` is the reader's generation. */
  slots: (Slot | undefined)[]
  slotsGen: number
  slotsOf: Map<string, Slot> | null
}

/** Options of the reviewer. */
export interface SessionReviewOptions {
  /** Spacing above which two samples are not contiguous (ms). Default max(10 s, 5 intervals). */
  maxGapMs?: number
  /** Utilisation at or above which a device counts as busy for its sustained clock (%). Default 50. */
  busyUtilizationPct?: number
  /** Share of the power limit that counts as "at the limit". Default 0.98. */
  powerLimitFraction?: number
  /** VRAM and RAM share that counts as nearly full (%). Default 95. */
  memoryFullPct?: number
}

/** What the reviewer is told about the file before reading it. */
export interface ReviewContext {
  file: string
  version: number
  startedAtMs: number
  intervalMs: number
  inventory: Inventory
  command?: string[]
  throttleRecorded?: boolean
  alertsRecorded?: boolean
}

const MAX_LIST = 50
const MAX_ALERTS = 500
const MAX_MARKS = 500
const LONGEST = 5

interface CauseAcc {
  seconds: number
  episodes: number
  longest: EpisodeReview[]
}

interface ThrottleDeviceAcc {
  device: string
  label: string
  causes: Map<ThrottleCause, CauseAcc>
}

function pushLongest(list: EpisodeReview[], e: EpisodeReview): void {
  if (list.length < LONGEST) list.push(e)
  else if (e.seconds > list[list.length - 1].seconds) list[list.length - 1] = e
  else return
  list.sort((a, b) => b.seconds - a.seconds)
}

/** Throttle episodes folded into per-device, per-cause totals (bounded: counts and the five longest). */
export class ThrottleFold {
  readonly devices = new Map<string, ThrottleDeviceAcc>()
  private readonly open = new Map<string, ThrottleEvent>()
  /** Adds a closed episode. */
  closed(ev: ThrottleEvent): void {
    this.open.delete(eventKey(ev))
    if (ev.cause === 'idle' || ev.cause === 'config') return
    let d = this.devices.get(ev.device)
    if (!d)
      this.devices.set(
        ev.device,
        (d = { device: ev.device, label: ev.deviceLabel, causes: new Map() })
      )
    let c = d.causes.get(ev.cause)
    if (!c) d.causes.set(ev.cause, (c = { seconds: 0, episodes: 0, longest: [] }))
    c.seconds += Math.max(0, ev.durationSeconds)
    c.episodes++
    pushLongest(c.longest, {
      startMs: ev.startMs,
      endMs: ev.endMs ?? ev.startMs + ev.durationSeconds * 1000,
      seconds: ev.durationSeconds
    })
  }
  /** Notes an episode still open (closed at the end of the session if it never closes). */
  opened(ev: ThrottleEvent): void {
    if (this.open.size < 1000) this.open.set(eventKey(ev), ev)
  }
  /** Closes every still-open episode at `endMs`. */
  finish(endMs: number): void {
    for (const ev of [...this.open.values()]) {
      const seconds = Math.max(ev.durationSeconds, (endMs - ev.startMs) / 1000)
      this.closed({ ...ev, endMs, durationSeconds: seconds })
    }
    this.open.clear()
  }
}

/** Key of a throttle episode (device, cause, start). */
export function eventKey(ev: ThrottleEvent): string {
  return `${ev.device}|${ev.cause}|${ev.startMs}`
}

/** Review device key of a throttle tracker device (`nvidia:0000:01:00.0` → `gpu0`, `storage:sda` → `sda`). */
function reviewDeviceKey(device: string, inv: Inventory): string {
  const g = inv.gpus.find((x) => x.id === device)
  if (g) return `gpu${g.index}`
  if (device.startsWith('storage:')) return device.slice('storage:'.length)
  return device
}

/**
 * The one-pass reviewer: feed it what the reader reads, then `finish()`.
 *
 * `extraTick` lets callers see every tick with the same bindings (the CSV writer and the envelope
 * builder read the series through `seriesAt`).
 */
export class SessionReviewer {
  /** Path bindings of the current segment. */
  reader = new SessionSeriesReader()
  readonly throttle = new ThrottleFold()
  private readonly devices = new Map<string, DeviceAcc>()
  private readonly o: Required<SessionReviewOptions>
  private firstMs = NaN
  private lastMs = NaN
  private prevMs = NaN
  private samples = 0
  private observed = 0
  private readonly gaps: GapReview[] = []
  private gapCount = 0
  private gapSeconds = 0
  private readonly alerts: AlertTransition[] = []
  private alertsRaised = 0
  private readonly marks: MarkRecord[] = []
  private commandStart: { atMs: number; argv: string[] } | null = null
  private commandEnd: Extract<SessionRecord, { type: 'command-end' }> | null = null
  private readonly problems: string[] = []
  private problemCount = 0
  private tornTail = false
  private cleanEnd = false
  private readonly notes: string[] = []
  /** Weight (s) of the tick being read. */
  weightS = 0

  constructor(
    readonly ctx: ReviewContext,
    options: SessionReviewOptions = {}
  ) {
    this.o = {
      maxGapMs: options.maxGapMs ?? Math.max(10_000, 5 * ctx.intervalMs),
      busyUtilizationPct: options.busyUtilizationPct ?? 50,
      powerLimitFraction: options.powerLimitFraction ?? 0.98,
      memoryFullPct: options.memoryFullPct ?? 95
    }
  }

  /** The gap limit in use (ms). */
  get maxGapMs(): number {
    return this.o.maxGapMs
  }

  segment(): void {
    this.reader.segment()
  }

  node(id: number, table: LeafTable): void {
    this.reader.node(id, table)
  }

  /** Accumulates one tick whose leaves are in `table`. */
  tick(tMs: number, table: LeafTable): void {
    if (!fin(tMs)) return
    const dt = tMs - this.prevMs
    const contiguous = fin(this.prevMs) && dt > 0 && dt <= this.o.maxGapMs
    if (fin(this.prevMs) && dt > this.o.maxGapMs) {
      this.gapCount++
      const g = { startMs: this.prevMs, endMs: tMs, seconds: dt / 1000 }
      this.gapSeconds += g.seconds
      this.gaps.push(g)
      if (this.gaps.length > MAX_LIST * 2) {
        this.gaps.sort((a, b) => b.seconds - a.seconds)
        this.gaps.length = MAX_LIST
      }
    }
    const w = contiguous ? dt / 1000 : this.ctx.intervalMs / 1000
    this.weightS = w
    if (!fin(this.firstMs) || tMs < this.firstMs) this.firstMs = tMs
    if (!fin(this.lastMs) || tMs > this.lastMs) this.lastMs = tMs
    this.prevMs = tMs
    this.samples++
    this.observed += w
    this.reader.use(table.values)
    this.tickGpus(w)
    this.tickCpu(w)
    this.tickMemory(w)
    this.tickStorage(w)
  }

  /** Adds one non-sample record. */
  record(rec: SessionRecord): void {
    switch (rec.type) {
      case 'throttle-start':
        this.throttle.opened(rec.event)
        break
      case 'throttle-end':
        this.throttle.closed(rec.event)
        break
      case 'alert':
        if (rec.alert.kind === 'raise') this.alertsRaised++
        if (this.alerts.length < MAX_ALERTS) this.alerts.push(rec.alert)
        break
      case 'mark':
        if (this.marks.length < MAX_MARKS) this.marks.push(rec)
        break
      case 'command-start':
        this.commandStart = { atMs: rec.atMs, argv: rec.argv }
        break
      case 'command-end':
        this.commandEnd = rec
        break
      case 'note':
        if (this.notes.length < MAX_LIST) this.notes.push(rec.text)
        break
      case 'end':
        this.cleanEnd = true
        break
    }
  }

  /** Notes something the reader skipped. */
  problem(p: { where: string; message: string; kind: string }): void {
    if (p.kind === 'torn') {
      this.tornTail = true
      return
    }
    this.problemCount++
    if (this.problems.length < MAX_LIST) this.problems.push(`${p.where}: ${p.message}`)
  }

  private device(
    key: string,
    kind: DeviceReview['kind'],
    label: string,
    specs: readonly FieldSpec[]
  ): DeviceAcc {
    let d = this.devices.get(key)
    if (!d) {
      const accs = specs.map(
        (spec) => new SeriesAcc(`${key}.${spec.field}`, spec.label, spec.unit, key)
      )
      d = {
        key,
        kind,
        label,
        accs,
        thresholds: [],
        ratio: kind === 'gpu' || kind === 'cpu' ? new WeightedQuantiles() : null,
        ratioWhyNot: unavailable(
          'not-applicable',
          `never busy (utilisation below ${this.o.busyUtilizationPct}%)`
        ),
        ratioWhyNotSet: false,
        throttleObservedS: 0,
        throttleWhyNot: null,
        slots: [],
        slotsGen: -1,
        slotsOf: null
      }
      this.devices.set(key, d)
      this.all.push(...accs)
    }
    return d
  }

  /** Every series accumulator, in creation order (`value` is the current tick's when `stamp === ticks`). */
  readonly all: SeriesAcc[] = []

  /** Calls `fn` with each series value of the current tick (NaN when unavailable). */
  forEachCurrent(fn: (key: string, value: number) => void): void {
    const t = this.samples
    for (const a of this.all) if (a.stamp === t) fn(a.key, a.value)
  }

  /** Reads every spec of a device into its accumulators; returns the values by spec index. */
  private readAll(
    d: DeviceAcc,
    specs: readonly FieldSpec[],
    fields: Map<string, Slot>,
    parent: Slot | null,
    present: boolean,
    w: number,
    out: number[]
  ): number[] {
    const r = this.reader
    if (d.slotsGen !== r.generation || d.slotsOf !== fields) {
      d.slots = specs.map((spec) => fields.get(spec.field))
      d.slotsGen = r.generation
      d.slotsOf = fields
    }
    const slots = d.slots
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]
      const v = r.read(slots[i], parent, present, spec.scale)
      out[i] = v
      d.accs[i].add(v, w, r, this.samples)
    }
    return out
  }

  private readonly scratch: number[] = []

  private tickGpus(w: number): void {
    const r = this.reader
    const inv = this.ctx.inventory
    for (const [i, g] of r.gpus) {
      const present = r.has(g.name)
      const index = r.num(g.index) ?? i
      const info = inv.gpus.find((x) => x.index === index) ?? inv.gpus[i]
      const key = `gpu${index}`
      let d = this.devices.get(key)
      if (!d) {
        const name = r.text(g.name) ?? info?.name ?? ''
        d = this.device(key, 'gpu', name ? `GPU${index} ${name}` : `GPU${index}`, GPU_FIELDS)
      }
      const asleep = r.text(g.state) === 'asleep'
      const got = this.readAll(d, GPU_FIELDS, g.fields, null, present, w, this.scratch)
      const aux = (f: string): number => r.read(g.fields.get(f), null, present)
      const util = got[0]
      const temp = got[1]
      const power = got[4]
      const clock = got[5]
      const usedGib = got[7]
      const total = aux('memoryTotalBytes')
      const headroom = aux('temperatureHeadroomCelsius')
      const invSlow =
        info && info.tempSlowdownCelsius.status === 'ok' ? info.tempSlowdownCelsius.value : NaN
      const slowdown = fin(invSlow) ? invSlow : temp + headroom
      ;(d.thresholds[0] ??= new ThresholdAcc(
        'at or above its slowdown temperature',
        `${key}.temperatureCelsius`,
        'celsius',
        'the GPU does not report a slowdown temperature'
      )).add(temp, slowdown, w)
      const maxOp =
        info && info.tempMaxOperatingCelsius.status === 'ok'
          ? info.tempMaxOperatingCelsius.value
          : NaN
      ;(d.thresholds[1] ??= new ThresholdAcc(
        'at or above its maximum operating temperature',
        `${key}.temperatureCelsius`,
        'celsius',
        'the GPU does not report a maximum operating temperature'
      )).add(temp, maxOp, w)
      const limit = aux('powerLimitWatts')
      ;(d.thresholds[2] ??= new ThresholdAcc(
        `at or above ${Math.round(this.o.powerLimitFraction * 100)}% of its power limit`,
        `${key}.powerDrawWatts`,
        'watts',
        'the GPU does not report its power limit'
      )).add(power, limit * this.o.powerLimitFraction, w)
      ;(d.thresholds[3] ??= new ThresholdAcc(
        `with memory at least ${this.o.memoryFullPct}% full`,
        `${key}.memoryUsedBytes`,
        'gib',
        'the GPU does not report its memory size'
      )).add(usedGib, (total * this.o.memoryFullPct) / 100 / GIB, w)
      // Sustained clock: busy SM clock ÷ the GPU's own maximum.
      const maxClockSample = aux('clockMaxSmMhz')
      const invMax =
        info && info.clockMaxSmMhz.status === 'ok'
          ? info.clockMaxSmMhz.value
          : info && info.clockMaxGraphicsMhz.status === 'ok'
            ? info.clockMaxGraphicsMhz.value
            : NaN
      const maxClock = fin(maxClockSample) ? maxClockSample : invMax
      if (asleep || !fin(util) || !fin(clock) || !(maxClock > 0)) {
        if (d.ratio?.total === 0) d.ratioWhyNotSet = true
        if (d.ratio?.total === 0)
          d.ratioWhyNot = asleep
            ? unavailable('asleep', 'the GPU was asleep')
            : !(maxClock > 0) && fin(clock)
              ? unavailable('unsupported', 'the GPU does not report its maximum clock')
              : unavailable('unsupported', 'utilisation or clock not reported')
      } else if (util >= this.o.busyUtilizationPct) d.ratio?.add(clock / maxClock, w)
      // Throttle reasons observable: flags or counters.
      const flags = r.status(g.fields.get('throttleFlags'))
      const counters = r.status(g.fields.get('throttleCountersSeconds'))
      if (present && (flags === 'ok' || counters === 'ok')) d.throttleObservedS += w
      else if (d.throttleWhyNot === null) {
        r.read(g.fields.get('throttleFlags'), null, present)
        d.throttleWhyNot = unavailable(r.reason, r.detail ?? 'throttle reasons not reported')
      }
    }
  }

  private tickCpu(w: number): void {
    const r = this.reader
    if (r.cpu.s < 0) return
    const inv = this.ctx.inventory
    let d = this.devices.get('cpu')
    if (!d) {
      const model = inv.cpu.model.status === 'ok' ? inv.cpu.model.value : ''
      d = this.device('cpu', 'cpu', model ? `CPU ${model}` : 'CPU', CPU_FIELDS)
    }
    const got = this.readAll(d, CPU_FIELDS, r.cpuFields, r.cpu, true, w, this.scratch)
    const util = got[0]
    const clock = got[1]
    const temp = got[2]
    let limit = NaN
    for (const s of r.cpuSensors.values()) {
      const m = r.read(s.max, r.cpu, true)
      if (fin(m) && !(m >= limit)) limit = m
    }
    ;(d.thresholds[0] ??= new ThresholdAcc(
      'at or above its maximum temperature',
      'cpu.packageTemperatureCelsius',
      'celsius',
      'the CPU sensors report no maximum temperature'
    )).add(temp, limit, w)
    const max = r.read(r.cpuFields.get('frequencyMaxMhz'), r.cpu, true)
    const invMax = inv.cpu.maxMhz.status === 'ok' ? inv.cpu.maxMhz.value : NaN
    const maxMhz = fin(max) ? max : invMax
    if (!fin(util) || !fin(clock) || !(maxMhz > 0)) {
      if (d.ratio?.total === 0) d.ratioWhyNotSet = true
      if (d.ratio?.total === 0)
        d.ratioWhyNot =
          !(maxMhz > 0) && fin(clock)
            ? unavailable('unsupported', 'the CPU does not report its maximum clock')
            : unavailable('unsupported', 'utilisation or clock not reported')
    } else if (util >= this.o.busyUtilizationPct) d.ratio?.add(clock / maxMhz, w)
    const core = r.status(r.cpuFields.get('coreThrottle'))
    const pkg = r.status(r.cpuFields.get('packageThrottle'))
    if (r.status(r.cpu) === 'ok' && (core === 'ok' || pkg === 'ok')) d.throttleObservedS += w
    else if (d.throttleWhyNot === null) {
      r.read(r.cpuFields.get('packageThrottle'), r.cpu, true)
      d.throttleWhyNot = unavailable(r.reason, r.detail ?? 'no throttle counters')
    }
  }

  private tickMemory(w: number): void {
    const r = this.reader
    if (r.mem.s < 0) return
    const d = this.devices.get('memory') ?? this.device('memory', 'memory', 'Memory', MEM_FIELDS)
    const got = this.readAll(d, MEM_FIELDS, r.memFields, r.mem, true, w, this.scratch)
    const total = r.read(r.memFields.get('totalBytes'), r.mem, true)
    ;(d.thresholds[0] ??= new ThresholdAcc(
      `with RAM at least ${this.o.memoryFullPct}% full`,
      'memory.usedBytes',
      'gib',
      'total RAM not reported'
    )).add(got[0], (total * this.o.memoryFullPct) / 100 / GIB, w)
  }

  private tickStorage(w: number): void {
    const r = this.reader
    const inv = this.ctx.inventory
    for (const b of r.drives.values()) {
      const name = r.text(b.name)
      if (name === undefined) continue
      let d = this.devices.get(name)
      if (!d) {
        const info = inv.storage.find((x) => x.name === name)
        const model = info && info.model.status === 'ok' ? info.model.value : ''
        d = this.device(name, 'storage', model ? `${name} ${model}` : name, STORAGE_FIELDS)
      }
      const got = this.readAll(d, STORAGE_FIELDS, b.fields, r.storage, true, w, this.scratch)
      const temp = got[0]
      const tempReason = r.reason
      const tempDetail = r.detail
      const max = r.read(b.fields.get('tempMaxCelsius'), r.storage, true)
      const maxReason = r.reason
      const maxDetail = r.detail
      const crit = r.read(b.fields.get('tempCritCelsius'), r.storage, true)
      ;(d.thresholds[0] ??= new ThresholdAcc(
        'at or above its warning temperature',
        `${name}.temperatureCelsius`,
        'celsius',
        'the drive does not report a warning temperature'
      )).add(temp, max, w)
      ;(d.thresholds[1] ??= new ThresholdAcc(
        'at or above its critical temperature',
        `${name}.temperatureCelsius`,
        'celsius',
        'the drive does not report a critical temperature'
      )).add(temp, crit, w)
      if (fin(temp) && fin(max)) d.throttleObservedS += w
      else if (d.throttleWhyNot === null)
        d.throttleWhyNot = fin(temp)
          ? unavailable(maxReason, maxDetail ?? 'no warning temperature')
          : unavailable(tempReason, tempDetail ?? 'no temperature')
    }
  }

  /** Ticks read (or merged from summaries). */
  get ticks(): number {
    return this.samples
  }

  /** Takes over another reviewer's path bindings (the same segment continues). */
  adoptBindings(other: SessionReviewer): void {
    this.reader = other.reader
  }

  /** The options in use (recorded in segment summaries). */
  get options(): SummaryOptions {
    return { ...this.o }
  }

  /** Weighs the next tick against a previous one at `ms` (a segment summarizer continues the run). */
  continueFrom(ms: number): void {
    if (!fin(ms)) return
    this.prevMs = ms
    this.fromMs = ms
  }
  /** The tick before the first one read here (`continueFrom`), NaN when none. */
  private fromMs = NaN

  /** Time of the last tick read, in file order (NaN before any). */
  get previousMs(): number {
    return this.prevMs
  }

  /**
   * What was accumulated from ticks, as a segment summary (records, problems and the command are not in
   * it: a reader gets those from the segment's records). `bins` are the segment's chart bins.
   */
  toSummary(bins: Record<string, SeriesBins>, binMs = SUMMARY_BIN_MS): SegmentSummary {
    const devices: DeviceSummary[] = [...this.devices.values()].map((d) => ({
      key: d.key,
      kind: d.kind,
      label: d.label,
      series: d.accs.map((a) => a.toSummary()),
      thresholds: Array.from({ length: d.thresholds.length }, (_, i) => {
        const t = d.thresholds[i] as ThresholdAcc | undefined
        return t ? t.toSummary() : null
      }),
      ratio: d.ratio ? d.ratio.toState() : null,
      ratioWhyNot: d.ratioWhyNotSet ? d.ratioWhyNot : null,
      throttleObservedS: d.throttleObservedS,
      throttleWhyNot: d.throttleWhyNot
    }))
    return {
      v: SEGMENT_SUMMARY_VERSION,
      options: this.options,
      binMs,
      fromMs: fin(this.fromMs) ? this.fromMs : null,
      firstMs: this.firstMs,
      lastMs: this.lastMs,
      tailMs: this.prevMs,
      samples: this.samples,
      observed: this.observed,
      gapCount: this.gapCount,
      gapSeconds: this.gapSeconds,
      gaps: this.gaps.sort((a, b) => b.seconds - a.seconds).slice(0, MAX_LIST * 2),
      devices,
      bins
    }
  }

  /**
   * Why summary `s` cannot be merged into this reviewer (null when it can): other options, or a device
   * whose series do not match this build's fields.
   */
  summaryProblem(s: SegmentSummary): string | null {
    const o = this.o
    const so = s.options
    if (
      so.maxGapMs !== o.maxGapMs ||
      so.busyUtilizationPct !== o.busyUtilizationPct ||
      so.powerLimitFraction !== o.powerLimitFraction ||
      so.memoryFullPct !== o.memoryFullPct
    )
      return 'computed with other review options'
    // Its first tick was weighed against the tick before it: this reader must have read that one too (not
    // after damaged data, where the hole is a gap).
    const from = s.fromMs ?? NaN
    if (!(from === this.prevMs || (Number.isNaN(from) && Number.isNaN(this.prevMs))))
      return 'follows ticks this reader did not read'
    for (const d of s.devices) {
      if (d.series.length !== SPECS[d.kind].length) return `${d.key}: series do not match`
      if ((d.ratio === null) !== (d.kind === 'memory' || d.kind === 'storage'))
        return `${d.key}: clock ratio does not match`
      const have = this.devices.get(d.key)
      if (have && have.kind !== d.kind) return `${d.key}: device kind changed`
    }
    return null
  }

  /**
   * Adds a summary of the ticks that follow those read so far, as if they had been read (check
   * `summaryProblem` first).
   */
  mergeSummary(s: SegmentSummary): void {
    if (s.samples <= 0) return
    if (!fin(this.firstMs) || s.firstMs < this.firstMs) this.firstMs = s.firstMs
    if (!fin(this.lastMs) || s.lastMs > this.lastMs) this.lastMs = s.lastMs
    this.prevMs = s.tailMs
    this.samples += s.samples
    this.observed += s.observed
    this.gapCount += s.gapCount
    this.gapSeconds += s.gapSeconds
    for (const g of s.gaps)
      this.gaps.push({ startMs: g.startMs, endMs: g.endMs, seconds: g.seconds })
    if (this.gaps.length > MAX_LIST * 2) {
      this.gaps.sort((a, b) => b.seconds - a.seconds)
      this.gaps.length = MAX_LIST
    }
    for (const ds of s.devices) {
      const d = this.device(ds.key, ds.kind, ds.label, SPECS[ds.kind])
      for (let i = 0; i < d.accs.length; i++) d.accs[i].merge(ds.series[i])
      ds.thresholds.forEach((t, i) => {
        if (t === null) return
        ;(d.thresholds[i] ??= new ThresholdAcc(t.label, t.seriesKey, t.unit, t.missing)).merge(t)
      })
      if (d.ratio && ds.ratio) {
        if (d.ratio.total === 0 && ds.ratioWhyNot) {
          d.ratioWhyNot = ds.ratioWhyNot
          d.ratioWhyNotSet = true
        }
        d.ratio.mergeState(ds.ratio)
      }
      d.throttleObservedS += ds.throttleObservedS
      if (d.throttleWhyNot === null && ds.throttleWhyNot) d.throttleWhyNot = ds.throttleWhyNot
    }
  }

  /** Series seen so far, in device order. */
  seriesMeta(): SessionSeriesMeta[] {
    const out: SessionSeriesMeta[] = []
    for (const d of this.orderedDevices())
      for (const s of d.accs)
        out.push({ key: s.key, label: s.label, unit: s.unit, device: d.key, deviceLabel: d.label })
    return out
  }

  private orderedDevices(): DeviceAcc[] {
    const order = { gpu: 0, cpu: 1, memory: 2, storage: 3 }
    return [...this.devices.values()].sort(
      (a, b) => order[a.kind] - order[b.kind] || a.key.localeCompare(b.key, 'en', { numeric: true })
    )
  }

  /** The review. `throttleEvents` are added when throttling was detected now (not recorded). */
  finish(): SessionReview {
    const span = fin(this.firstMs)
      ? (this.lastMs - this.firstMs) / 1000 + this.ctx.intervalMs / 1000
      : 0
    const endMs = fin(this.lastMs) ? this.lastMs : NaN
    this.throttle.finish(fin(endMs) ? endMs : 0)
    const inv = this.ctx.inventory
    const devices: DeviceReview[] = this.orderedDevices().map((d) => {
      const ratio = d.ratio
      return {
        key: d.key,
        kind: d.kind,
        label: d.label,
        series: d.accs.map((s) => s.review(span)),
        thresholds: d.thresholds.filter(Boolean).map((t) => t.review()),
        sustainedClockRatio:
          ratio === null ? null : ratio.total > 0 ? ok(ratio.quantile(0.5)) : d.ratioWhyNot
      }
    })
    // Throttling: every device with observable reasons or recorded episodes.
    const byKey = new Map<string, ThrottleDeviceAcc>()
    for (const t of this.throttle.devices.values()) byKey.set(reviewDeviceKey(t.device, inv), t)
    const throttling: DeviceThrottleReview[] = []
    for (const d of this.orderedDevices()) {
      if (d.kind === 'memory') continue
      const t = byKey.get(d.key)
      byKey.delete(d.key)
      throttling.push(
        throttleReview(d.key, d.label, d.throttleObservedS, d.throttleWhyNot, t, span)
      )
    }
    for (const [key, t] of byKey)
      throttling.push(throttleReview(key, t.label, 0, null, t, span, true))
    const command = this.commandReview()
    const review: SessionReview = {
      file: this.ctx.file,
      version: this.ctx.version,
      host: inv.host.hostname,
      startMs: fin(this.firstMs) ? ok(this.firstMs) : unavailable('no-device', 'no samples'),
      endMs: fin(endMs) ? ok(endMs) : unavailable('no-device', 'no samples'),
      intervalMs: this.ctx.intervalMs,
      spanSeconds: span,
      observedSeconds: this.observed,
      samples: this.samples,
      coverage: span > 0 ? Math.min(1, this.observed / span) : 0,
      gaps: this.gaps.sort((a, b) => b.seconds - a.seconds).slice(0, MAX_LIST),
      gapCount: this.gapCount,
      gapSeconds: this.gapSeconds,
      devices,
      throttling,
      throttleSource: this.ctx.throttleRecorded ? 'recorded' : 'detected',
      alerts: {
        raised: this.alertsRaised,
        list: this.alerts,
        recorded: this.ctx.alertsRecorded === true
      },
      command,
      marks: this.marks,
      integrity: {
        tornTail: this.tornTail,
        cleanEnd: this.cleanEnd,
        problems: this.problems,
        problemCount: this.problemCount,
        notes: this.notes
      },
      verdict: ''
    }
    review.verdict = verdictOf(review)
    return review
  }

  private commandReview(): CommandReview | null {
    const argv = this.commandEnd?.argv ?? this.commandStart?.argv ?? this.ctx.command
    if (!argv || argv.length === 0) return null
    const end = this.commandEnd
    const startMs = this.commandStart?.atMs ?? null
    return {
      argv,
      startMs,
      endMs: end?.atMs ?? null,
      exitCode: end?.exitCode ?? null,
      signal: end?.signal ?? null,
      exitStatus: end?.exitStatus ?? null,
      durationSeconds: end ? end.durationMs / 1000 : null,
      error: end?.error ?? null,
      unfinished: end === null
    }
  }
}

function throttleReview(
  key: string,
  label: string,
  observedS: number,
  whyNot: Reading<never> | null,
  t: ThrottleDeviceAcc | undefined,
  span: number,
  fromEventsOnly = false
): DeviceThrottleReview {
  const byCause: CauseReview[] = []
  let total = 0
  const base = observedS > 0 ? observedS : span
  for (const [cause, c] of t?.causes ?? []) {
    total += c.seconds
    byCause.push({
      cause,
      label: describeThrottleCause(cause),
      seconds: c.seconds,
      fraction: base > 0 ? Math.min(1, c.seconds / base) : 0,
      episodes: c.episodes,
      longest: c.longest
    })
  }
  byCause.sort((a, b) => b.seconds - a.seconds)
  const known = observedS > 0 || fromEventsOnly || byCause.length > 0
  return {
    device: key,
    deviceLabel: label,
    observedSeconds: observedS,
    coverage: span > 0 ? Math.min(1, observedS / span) : 0,
    throttledSeconds: known
      ? ok(Math.min(total, base > 0 ? base : total))
      : (whyNot ?? unavailable('unsupported', 'throttle reasons not reported')),
    byCause
  }
}

/** "GPU0 held 97% of its clock; 4% of the run power-capped; no thermal throttling; command exited 0 after 3 h". */
export function verdictOf(r: SessionReview): string {
  if (r.samples === 0) return 'No samples: nothing to review.'
  const parts: string[] = []
  for (const d of r.devices.filter((x) => x.kind === 'gpu')) {
    const short = d.key.toUpperCase()
    const ratio = d.sustainedClockRatio
    if (ratio && ratio.status === 'ok')
      parts.push(`${short} held ${formatShare(ratio.value)} of its clock`)
    else if (ratio) parts.push(`${short} sustained clock unknown (${describeReason(ratio)})`)
    const t = r.throttling.find((x) => x.device === d.key)
    if (!t) continue
    if (t.throttledSeconds.status !== 'ok') {
      parts.push(`throttling unknown (${describeReason(t.throttledSeconds)})`)
      continue
    }
    const causes = t.byCause.filter((c) => c.seconds > 0)
    for (const c of causes.slice(0, 3))
      parts.push(
        `${formatShare(c.fraction)} of the run ${c.cause === 'power' ? 'power-capped' : `throttled (${c.label})`}`
      )
    if (!causes.some((c) => c.cause === 'thermal'))
      parts.push(
        t.coverage < 0.9
          ? `no thermal throttling seen (reasons observed ${formatShare(t.coverage)} of the run)`
          : 'no thermal throttling'
      )
  }
  if (!r.devices.some((x) => x.kind === 'gpu')) {
    const cpu = r.devices.find((x) => x.kind === 'cpu')
    if (cpu?.sustainedClockRatio?.status === 'ok')
      parts.push(`CPU held ${formatShare(cpu.sustainedClockRatio.value)} of its clock`)
  }
  for (const t of r.throttling.filter((x) => !x.device.startsWith('gpu') && x.byCause.length))
    parts.push(`${t.device} throttled ${formatSpan(t.byCause.reduce((a, c) => a + c.seconds, 0))}`)
  if (r.alerts.raised > 0) parts.push(`${r.alerts.raised} alert${r.alerts.raised === 1 ? '' : 's'}`)
  const c = r.command
  if (c) {
    if (c.error) parts.push(`command did not run (${c.error})`)
    else if (c.unfinished) parts.push('command end not recorded')
    else if (c.signal)
      parts.push(`command killed by ${c.signal} after ${formatSpan(c.durationSeconds ?? 0)}`)
    else
      parts.push(
        `command exited ${c.exitCode ?? '?'}${c.exitCode === 0 ? '' : ' (failed)'} after ${formatSpan(c.durationSeconds ?? 0)}`
      )
  }
  if (r.coverage < 0.99)
    parts.push(`samples cover ${formatShare(r.coverage)} of ${formatSpan(r.spanSeconds)}`)
  return parts.length ? parts.join('; ') : `${formatSpan(r.spanSeconds)} recorded`
}

// ---------------------------------------------------------------------------------------------------------
// Envelopes (min/max per bucket, for charts of the whole run or a range)
// ---------------------------------------------------------------------------------------------------------

/**
 * Min/max/mean per equal-time bucket over `[startMs, endMs]` for any number of series, in one pass.
 *
 * Min/max envelopes (not LTTB): a one-sample clock dip or temperature spike survives downsampling, which a
 * throttle review needs. Samples outside the range are ignored.
 */
export class EnvelopeBuilder {
  readonly bucketMs: number
  private readonly data = new Map<
    string,
    { min: Float64Array; max: Float64Array; sum: Float64Array; n: Uint32Array }
  >()
  /**
   * `alignMs`: when a bucket would be at least that long, it is rounded up to a whole multiple of it (so
   * fewer than `buckets` buckets), and chart bins of that size (segment summaries) fall in one bucket each.
   */
  constructor(
    readonly startMs: number,
    readonly endMs: number,
    readonly buckets: number,
    alignMs = 0
  ) {
    const n = Math.max(1, Math.floor(buckets))
    const raw = Math.max(1, (endMs - startMs) / n)
    if (alignMs > 0 && raw >= alignMs) {
      this.bucketMs = Math.ceil(raw / alignMs) * alignMs
      this.buckets = Math.max(1, Math.ceil((endMs - startMs) / this.bucketMs))
    } else {
      this.bucketMs = raw
      this.buckets = n
    }
  }
  /** True when every `binMs` bin from `startMs` falls in one bucket. */
  alignedTo(binMs: number): boolean {
    return Number.isInteger(this.bucketMs) && this.bucketMs % binMs === 0
  }
  /** Adds a series' chart bins of a segment summary (`alignedTo(binMs)` must hold). */
  addBins(key: string, bins: SeriesBins, binMs: number): void {
    const [first, min, max, sum, n] = bins
    for (let j = 0; j < n.length; j++) {
      if (!(n[j] > 0)) continue
      const b = this.bucketOf(this.startMs + (first + j) * binMs)
      if (b < 0) continue
      const d = this.series(key)
      const lo = min[j]
      const hi = max[j]
      if (lo !== null && lo < d.min[b]) d.min[b] = lo
      if (hi !== null && hi > d.max[b]) d.max[b] = hi
      d.sum[b] += sum[j]
      d.n[b] += n[j]
    }
  }
  private series(key: string): {
    min: Float64Array
    max: Float64Array
    sum: Float64Array
    n: Uint32Array
  } {
    let d = this.data.get(key)
    if (!d) {
      const n = this.buckets
      d = {
        min: new Float64Array(n).fill(Infinity),
        max: new Float64Array(n).fill(-Infinity),
        sum: new Float64Array(n),
        n: new Uint32Array(n)
      }
      this.data.set(key, d)
    }
    return d
  }
  /** Bucket of a time, or -1 outside the range. */
  bucketOf(tMs: number): number {
    if (!(tMs >= this.startMs) || !(tMs <= this.endMs)) return -1
    return Math.min(this.buckets - 1, Math.floor((tMs - this.startMs) / this.bucketMs))
  }
  add(key: string, bucket: number, v: number): void {
    if (bucket < 0 || !fin(v)) return
    const d = this.series(key)
    if (v < d.min[bucket]) d.min[bucket] = v
    if (v > d.max[bucket]) d.max[bucket] = v
    d.sum[bucket] += v
    d.n[bucket]++
  }
  /** Bucket start times and, per series, min/max/mean (null where no sample fell). */
  result(keys?: readonly string[]): {
    t: number[]
    series: {
      key: string
      min: (number | null)[]
      max: (number | null)[]
      mean: (number | null)[]
    }[]
  } {
    const t: number[] = []
    for (let i = 0; i < this.buckets; i++) t.push(Math.round(this.startMs + i * this.bucketMs))
    const series = []
    for (const key of keys ?? [...this.data.keys()]) {
      const d = this.data.get(key)
      const min: (number | null)[] = []
      const max: (number | null)[] = []
      const mean: (number | null)[] = []
      for (let i = 0; i < this.buckets; i++) {
        const n = d ? d.n[i] : 0
        min.push(n && d ? round6(d.min[i]) : null)
        max.push(n && d ? round6(d.max[i]) : null)
        mean.push(n && d ? round6(d.sum[i] / n) : null)
      }
      series.push({ key, min, max, mean })
    }
    return { t, series }
  }
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6
