/**
 * Throttle detection: turns a Snapshot stream into throttle episodes with causes and per-device summaries.
 *
 * Rules (READINESS.md "Throttling"; telemetry reference §3.1–3.6, §7 items 4–8):
 * - Counters first, flags second. Time in throttle per cause comes from cumulative counters where both
 *   samples of an interval carry them (NVIDIA `clocks_event_reasons_counters.*`, Intel `thermal_throttle`
 *   `*_count`/`*_total_time_ms`), and from active flags times the sample spacing otherwise.
 * - `idle` and `config` flags (NVIDIA gpu_idle, application clocks, sync boost, display clocks) are never
 *   throttling.
 * - NVIDIA `hw_slowdown` blinks on P-state changes, so it counts only from its Nth consecutive sample
 *   (`hwSlowdownDebounceSamples`, default 2); a one-sample blink leaves no trace.
 * - Power-cap reasons (NVIDIA sw_power_cap, AMD PPT) count only while the GPU is busy or drawing close to its
 *   limit: at idle the driver parks clocks and raises sw_power_cap (seen on an RTX 2080 SUPER at P8, 0 %),
 *   which is power management, not a performance limit.
 * - AMD TEMP_HOTSPOT is dropped unless the hotspot reading is at least `hotspotFilterCelsius` (RDNA3/RDNA4
 *   report it almost always).
 * - A PCIe link below the device's own maximum (gen or width) is flagged only while the GPU is busy; links
 *   train down at idle.
 * - Storage: a drive's main temperature above its own `tempMaxCelsius`. Power: running on battery.
 *
 * Memory is bounded: each device keeps a fixed-capacity ring of per-sample records covering the window, and
 * the event list has a fixed maximum, so a 24 h live session does not grow the heap.
 */
import { isOk, ok, unavailable, valueOf, type Reading } from '../shared/reading'
import { classifyThrottleReason, describeThrottleCause } from '../shared/throttle-causes'
import type { SustainedEvidence, ThrottleEvent, ThrottleSummary } from '../shared/readiness'
import type {
  CoreThrottleCounter,
  CpuSample,
  GpuInfo,
  GpuSample,
  Inventory,
  PackageThrottleCounter,
  PowerSample,
  Snapshot,
  StorageDeviceSample,
  ThrottleCause,
  ThrottleFlag
} from '../shared/telemetry'

// ---------------------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------------------

/** Tunables of the detector. Every threshold is an argument; nothing reads the clock. */
export interface ThrottleOptions {
  /** Length of the summary window (s). Default 3600. */
  windowSeconds: number
  /** Consecutive samples NVIDIA `hw_slowdown` must be active before it counts. Default 2. */
  hwSlowdownDebounceSamples: number
  /** GPU utilisation at or above which the GPU is busy (%). Default 50. */
  busyUtilizationPct: number
  /** Without a utilisation reading, SM clock ÷ max clock at or above which the GPU is busy. Default 0.5. */
  busyClockFraction: number
  /** Power draw ÷ enforced limit at or above which a power cap counts even when utilisation is low. Default 0.9. */
  powerNearLimitFraction: number
  /** CPU utilisation at or above which the CPU is busy, for its sustained clock (%). Default 50. */
  cpuBusyUtilizationPct: number
  /** AMD TEMP_HOTSPOT is kept only when the hotspot reading is at least this (°C). Default 90. */
  hotspotFilterCelsius: number
  /** Weight of a sample with no usable predecessor (first sample, after a gap) (ms). Default 1000. */
  nominalIntervalMs: number
  /** Spacing above which two samples are not contiguous; the gap is not attributed (ms). Default 10000. */
  maxGapMs: number
  /** Fixed capacity of each device's ring of per-sample records. Default: window at 4 Hz. */
  maxSamplesPerDevice: number
  /** Fixed maximum number of kept events (oldest closed ones are dropped first). Default 1000. */
  maxEvents: number
}

/** Default detector options. */
export const DEFAULT_THROTTLE_OPTIONS: Readonly<ThrottleOptions> = {
  windowSeconds: 3600,
  hwSlowdownDebounceSamples: 2,
  busyUtilizationPct: 50,
  busyClockFraction: 0.5,
  powerNearLimitFraction: 0.9,
  cpuBusyUtilizationPct: 50,
  hotspotFilterCelsius: 90,
  nominalIntervalMs: 1000,
  maxGapMs: 10_000,
  maxSamplesPerDevice: 3600 * 4,
  maxEvents: 1000
}

function resolveOptions(partial: Partial<ThrottleOptions> | undefined): ThrottleOptions {
  const o: ThrottleOptions = { ...DEFAULT_THROTTLE_OPTIONS, ...(partial ?? {}) }
  if (partial?.maxSamplesPerDevice === undefined) {
    o.maxSamplesPerDevice = Math.max(16, Math.ceil(o.windowSeconds * 4))
  }
  o.hwSlowdownDebounceSamples = Math.max(1, Math.floor(o.hwSlowdownDebounceSamples))
  o.maxEvents = Math.max(1, Math.floor(o.maxEvents))
  o.maxSamplesPerDevice = Math.max(2, Math.floor(o.maxSamplesPerDevice))
  return o
}

// ---------------------------------------------------------------------------------------------------------
// Tracker
// ---------------------------------------------------------------------------------------------------------

/** Incremental detector. */
export interface ThrottleTracker {
  /** Feeds one snapshot (in time order); `inventory` supplies device maxima and thresholds. */
  push(snapshot: Snapshot, inventory?: Inventory): void
  /** Episodes seen so far (open ones have `endMs: null`), oldest first. Copies. */
  events(): ThrottleEvent[]
  /** Per-device summaries over the window ending at `nowMs`. */
  summaries(nowMs: number): ThrottleSummary[]
  /** Sustained-operation evidence over the window ending at `nowMs` (used by readiness). */
  sustained(nowMs: number): SustainedEvidence
}

type DeviceKind = 'gpu' | 'cpu' | 'storage' | 'power'

/** What one sample contributed for one device. */
interface TickRecord {
  tMs: number
  weightS: number
  causeS: Partial<Record<ThrottleCause, number>>
  throttledS: number
  busyClockMhz?: number
  maxClockMhz?: number
  headroomCelsius?: number
  cpuThrottleCount?: number
  powerBelowDefault?: boolean
}

/** Fixed-capacity ring buffer (oldest overwritten). */
class Ring<T> {
  private readonly items: (T | undefined)[]
  private start = 0
  private size = 0
  constructor(private readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity)
  }
  push(item: T): void {
    const end = (this.start + this.size) % this.capacity
    this.items[end] = item
    if (this.size < this.capacity) this.size++
    else this.start = (this.start + 1) % this.capacity
  }
  dropWhile(pred: (item: T) => boolean): void {
    while (this.size > 0 && pred(this.items[this.start] as T)) {
      this.items[this.start] = undefined
      this.start = (this.start + 1) % this.capacity
      this.size--
    }
  }
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.size; i++) yield this.items[(this.start + i) % this.capacity] as T
  }
}

interface CounterPrev {
  count?: number
  totalTimeMs?: number
}

interface DeviceState {
  key: string
  kind: DeviceKind
  label: string
  shortLabel: string
  ring: Ring<TickRecord>
  prevTs: number | undefined
  prevCounters: Record<string, number> | undefined
  prevCpuCounters: Map<string, CounterPrev> | undefined
  hwSlowdownRun: number
  open: Map<ThrottleCause, ThrottleEvent>
  /** Lowest clock ratio seen in each open event (to keep the most telling evidence). */
  openWorst: Map<ThrottleCause, number>
}

/** One cause active in one tick, with its attribution and evidence. */
interface CauseHit {
  cause: ThrottleCause
  seconds: number
  source: ThrottleEvent['source']
  evidence: string[]
  /** Lower is worse; used to keep the most telling evidence for an episode. */
  severity: number
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0)
const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
const num = (r: Reading<number> | undefined): number | undefined => {
  const v = valueOf(r)
  return fin(v) ? v : undefined
}
const round = (x: number): string => String(Math.round(x))

function pct(fraction: number): string {
  const p = fraction * 100
  if (p > 0 && p < 1) return '<1%'
  return `${Math.round(p)}%`
}

function describeSpan(seconds: number): string {
  if (seconds >= 3540 && seconds <= 3660) return 'the last hour'
  if (seconds >= 86400 - 60 && seconds <= 86400 + 60) return 'the last day'
  if (seconds < 120) return `the last ${Math.max(1, Math.round(seconds))} s`
  if (seconds < 5400) return `the last ${Math.round(seconds / 60)} min`
  const h = seconds / 3600
  return `the last ${h < 10 ? h.toFixed(1).replace(/\.0$/, '') : Math.round(h)} h`
}

function findGpuInfo(inv: Inventory | undefined, g: GpuSample): GpuInfo | undefined {
  if (!inv) return undefined
  return (
    inv.gpus.find((x) => x.id === g.id) ??
    inv.gpus.find((x) => x.index === g.index && x.vendor === g.vendor)
  )
}

/** Max SM clock from the sample, else the inventory. */
function gpuMaxClock(g: GpuSample, info: GpuInfo | undefined): number | undefined {
  const v = num(g.clockMaxSmMhz) ?? num(info?.clockMaxSmMhz) ?? num(info?.clockMaxGraphicsMhz)
  return v !== undefined && v > 0 ? v : undefined
}

/** Headroom to the slowdown temperature: NVIDIA tlimit directly, else slowdown − current. */
function gpuHeadroom(g: GpuSample, info: GpuInfo | undefined): number | undefined {
  const direct = num(g.temperatureHeadroomCelsius)
  if (direct !== undefined) return direct
  const t = num(g.temperatureCelsius)
  const slow = num(info?.tempSlowdownCelsius)
  return t !== undefined && slow !== undefined ? slow - t : undefined
}

/** True when the GPU is doing work (utilisation, or clock ratio when utilisation is unavailable). */
function gpuBusy(g: GpuSample, info: GpuInfo | undefined, o: ThrottleOptions): boolean {
  if (g.state === 'asleep') return false
  const u = num(g.utilizationPct)
  if (u !== undefined) return u >= o.busyUtilizationPct
  const c = num(g.clockSmMhz)
  const max = gpuMaxClock(g, info)
  return c !== undefined && max !== undefined && c >= o.busyClockFraction * max
}

function gpuNearPowerLimit(g: GpuSample, o: ThrottleOptions): boolean {
  const d = num(g.powerDrawWatts) ?? num(g.powerAverageWatts)
  const l = num(g.powerLimitWatts)
  return d !== undefined && l !== undefined && l > 0 && d >= o.powerNearLimitFraction * l
}

/** "SM clock 1410 of 2520 MHz (56 %), 83 °C vs slowdown 90 °C, power 447/450 W, 98 % busy". */
function gpuStateEvidence(g: GpuSample, info: GpuInfo | undefined): string {
  const parts: string[] = []
  const c = num(g.clockSmMhz)
  const max = gpuMaxClock(g, info)
  if (c !== undefined && max !== undefined)
    parts.push(`SM clock ${round(c)} of ${round(max)} MHz (${Math.round((c / max) * 100)} %)`)
  else if (c !== undefined) parts.push(`SM clock ${round(c)} MHz`)
  const t = num(g.temperatureCelsius)
  if (t !== undefined) {
    const h = gpuHeadroom(g, info)
    parts.push(h !== undefined ? `${round(t)} °C vs slowdown ${round(t + h)} °C` : `${round(t)} °C`)
  }
  const d = num(g.powerDrawWatts) ?? num(g.powerAverageWatts)
  const l = num(g.powerLimitWatts)
  if (d !== undefined && l !== undefined) parts.push(`power ${round(d)}/${round(l)} W`)
  else if (d !== undefined) parts.push(`power ${round(d)} W`)
  const u = num(g.utilizationPct)
  if (u !== undefined) parts.push(`${round(u)} % busy`)
  return parts.join(', ')
}

function normaliseCounterName(name: string): string {
  return name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name
}

function sanitizeCounters(
  r: Reading<Record<string, number>> | undefined
): Record<string, number> | undefined {
  const v = valueOf(r)
  if (v === undefined || v === null || typeof v !== 'object') return undefined
  const out: Record<string, number> = {}
  for (const [k, x] of Object.entries(v)) if (fin(x) && x >= 0) out[normaliseCounterName(k)] = x
  return out
}

function sanitizeFlags(r: Reading<ThrottleFlag[]> | undefined): ThrottleFlag[] | undefined {
  const v = valueOf(r)
  if (!Array.isArray(v)) return undefined
  return v.filter(
    (f): f is ThrottleFlag =>
      f !== null &&
      typeof f === 'object' &&
      typeof f.name === 'string' &&
      typeof f.cause === 'string'
  )
}

function fmtSeconds(s: number): string {
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(2).replace(/0+$/, '').replace(/\.$/, '')} s`
}

/** Builds a tracker. */
export function createThrottleTracker(options?: Partial<ThrottleOptions>): ThrottleTracker {
  const o = resolveOptions(options)
  const devices = new Map<string, DeviceState>()
  const allEvents: ThrottleEvent[] = []
  let lastInventory: Inventory | undefined

  function device(key: string, kind: DeviceKind, label: string, shortLabel: string): DeviceState {
    let d = devices.get(key)
    if (!d) {
      d = {
        key,
        kind,
        label,
        shortLabel,
        ring: new Ring<TickRecord>(o.maxSamplesPerDevice),
        prevTs: undefined,
        prevCounters: undefined,
        prevCpuCounters: undefined,
        hwSlowdownRun: 0,
        open: new Map(),
        openWorst: new Map()
      }
      devices.set(key, d)
    }
    d.label = label
    return d
  }

  /** Weight of this sample and whether its predecessor is contiguous (usable for counter deltas). */
  function weigh(d: DeviceState, ts: number): { weightS: number; contiguous: boolean } {
    const prev = d.prevTs
    if (prev === undefined || !fin(ts))
      return { weightS: o.nominalIntervalMs / 1000, contiguous: false }
    const dt = ts - prev
    if (!(dt > 0) || dt > o.maxGapMs)
      return { weightS: o.nominalIntervalMs / 1000, contiguous: false }
    return { weightS: dt / 1000, contiguous: true }
  }

  function trimEvents(): void {
    while (allEvents.length > o.maxEvents) {
      const i = allEvents.findIndex((e) => e.endMs !== null)
      allEvents.splice(i >= 0 ? i : 0, 1)
    }
  }

  /** Opens, extends or closes episodes of a device from this tick's hits. */
  function applyHits(d: DeviceState, ts: number, hits: CauseHit[]): void {
    const active = new Set<ThrottleCause>()
    for (const h of hits) {
      if (h.seconds <= 0) continue
      active.add(h.cause)
      const ev = d.open.get(h.cause)
      if (ev) {
        ev.durationSeconds += h.seconds
        // Counter evidence outranks flag evidence; otherwise keep the deepest clock drop.
        const upgrade = h.source === 'counter' && ev.source !== 'counter'
        if (h.source === 'counter') ev.source = 'counter'
        if (upgrade || h.severity < (d.openWorst.get(h.cause) ?? Infinity)) {
          ev.evidence = h.evidence.slice()
          d.openWorst.set(h.cause, h.severity)
        }
      } else {
        const ne: ThrottleEvent = {
          device: d.key,
          deviceLabel: d.label,
          cause: h.cause,
          startMs: Math.round(ts - h.seconds * 1000),
          endMs: null,
          evidence: h.evidence.slice(),
          durationSeconds: h.seconds,
          source: h.source
        }
        d.open.set(h.cause, ne)
        d.openWorst.set(h.cause, h.severity)
        allEvents.push(ne)
        trimEvents()
      }
    }
    for (const [cause, ev] of d.open) {
      if (!active.has(cause)) {
        ev.endMs = ts
        d.open.delete(cause)
        d.openWorst.delete(cause)
      }
    }
  }

  function record(d: DeviceState, rec: TickRecord): void {
    let sum = 0
    for (const k of Object.keys(rec.causeS) as ThrottleCause[]) {
      const s = Math.min(rec.weightS, Math.max(0, rec.causeS[k] ?? 0))
      rec.causeS[k] = s
      sum += s
    }
    rec.throttledS = Math.min(rec.weightS, sum)
    d.ring.push(rec)
    const horizon = rec.tMs - o.windowSeconds * 1000
    d.ring.dropWhile((r) => r.tMs <= horizon)
  }

  function hitsToCauses(hits: CauseHit[]): Partial<Record<ThrottleCause, number>> {
    const out: Partial<Record<ThrottleCause, number>> = {}
    for (const h of hits) if (h.seconds > 0) out[h.cause] = (out[h.cause] ?? 0) + h.seconds
    return out
  }

  // --- GPU ---------------------------------------------------------------------------------------------
  function pushGpu(g: GpuSample, ts: number, inv: Inventory | undefined): TickRecord {
    const info = findGpuInfo(inv, g)
    const shortLabel = `GPU${fin(g.index) ? g.index : '?'}`
    const label = typeof g.name === 'string' && g.name ? `${shortLabel} ${g.name}` : shortLabel
    const key = typeof g.id === 'string' && g.id ? g.id : `gpu:${String(g.index)}`
    const d = device(key, 'gpu', label, shortLabel)
    const { weightS, contiguous } = weigh(d, ts)
    const busy = gpuBusy(g, info, o)
    const powerRelevant = busy || gpuNearPowerLimit(g, o)
    const state = gpuStateEvidence(g, info)
    const c = num(g.clockSmMhz)
    const max = gpuMaxClock(g, info)
    const severity = c !== undefined && max !== undefined ? c / max : 1
    const hits: CauseHit[] = []

    // Counters first.
    const counters = g.state === 'asleep' ? undefined : sanitizeCounters(g.throttleCountersSeconds)
    const counterCauses = new Set<ThrottleCause>()
    if (counters && d.prevCounters && contiguous) {
      const perCause = new Map<ThrottleCause, { seconds: number; names: string[] }>()
      for (const [name, v] of Object.entries(counters)) {
        const before = d.prevCounters[name]
        if (before === undefined) continue
        const cause = classifyThrottleReason(name)
        if (cause === 'idle' || cause === 'config') continue
        const delta = v - before
        if (delta < 0) continue // counter reset (driver reload): no attribution this tick
        counterCauses.add(cause)
        const e = perCause.get(cause) ?? { seconds: 0, names: [] }
        e.seconds += delta
        if (delta > 0)
          e.names.push(`${name} counter +${fmtSeconds(delta)} in ${fmtSeconds(weightS)}`)
        perCause.set(cause, e)
      }
      for (const [cause, e] of perCause) {
        if (e.seconds <= 0) continue
        if (cause === 'power' && !powerRelevant) continue
        hits.push({
          cause,
          seconds: Math.min(weightS, e.seconds),
          source: 'counter',
          evidence: [e.names.join('; '), state].filter(Boolean),
          severity
        })
      }
    }
    d.prevCounters = counters

    // Flags for causes no counter covered this tick.
    const flags = g.state === 'asleep' ? undefined : sanitizeFlags(g.throttleFlags)
    let hwSlowdown = false
    if (flags) {
      const byCause = new Map<ThrottleCause, string[]>()
      for (const f of flags) {
        if (f.cause === 'idle' || f.cause === 'config') continue
        if (f.cause === 'hw-slowdown') {
          hwSlowdown = true
          continue
        }
        if (counterCauses.has(f.cause)) continue
        if (f.cause === 'power' && !powerRelevant) continue
        if (f.name.toUpperCase() === 'TEMP_HOTSPOT') {
          const hot = num(g.hotspotTemperatureCelsius)
          if (hot === undefined || hot < o.hotspotFilterCelsius) continue
        }
        byCause.set(f.cause, [...(byCause.get(f.cause) ?? []), f.name])
      }
      const mask = valueOf(g.throttleMaskHex)
      const maskText = typeof mask === 'string' ? ` (mask ${mask})` : ''
      for (const [cause, names] of byCause) {
        hits.push({
          cause,
          seconds: weightS,
          source: 'flag',
          evidence: [`${names.join(', ')} active${maskText}`, state].filter(Boolean),
          severity
        })
      }
    }
    d.hwSlowdownRun = hwSlowdown ? d.hwSlowdownRun + 1 : 0
    if (d.hwSlowdownRun >= o.hwSlowdownDebounceSamples) {
      hits.push({
        cause: 'hw-slowdown',
        seconds: weightS,
        source: 'flag',
        evidence: [`hw_slowdown active for ${d.hwSlowdownRun} consecutive samples`, state].filter(
          Boolean
        ),
        severity
      })
    }

    // PCIe link below the device's own maximum, only under load.
    const gen = num(g.pcieGen)
    const width = num(g.pcieWidth)
    const maxGen = num(g.pcieMaxGen) ?? num(info?.pcieMaxGen)
    const maxWidth = num(g.pcieMaxWidth) ?? num(info?.pcieMaxWidth)
    if (
      busy &&
      ((gen !== undefined && maxGen !== undefined && gen < maxGen) ||
        (width !== undefined && maxWidth !== undefined && width < maxWidth))
    ) {
      const cur = `Gen${gen ?? '?'} x${width ?? '?'}`
      const top = `Gen${maxGen ?? '?'} x${maxWidth ?? '?'}`
      hits.push({
        cause: 'pcie-link',
        seconds: weightS,
        source: 'reading',
        evidence: [`PCIe link ${cur} under load; the card and slot support ${top}`, state].filter(
          Boolean
        ),
        severity:
          (gen !== undefined && maxGen ? gen / maxGen : 1) *
          (width !== undefined && maxWidth ? width / maxWidth : 1)
      })
    }

    applyHits(d, ts, hits)
    const limit = num(g.powerLimitWatts)
    const def = num(info?.powerDefaultLimitWatts)
    const rec: TickRecord = {
      tMs: ts,
      weightS,
      causeS: hitsToCauses(hits),
      throttledS: 0,
      busyClockMhz: busy && c !== undefined ? c : undefined,
      maxClockMhz: max,
      headroomCelsius: g.state === 'asleep' ? undefined : gpuHeadroom(g, info),
      powerBelowDefault: limit !== undefined && def !== undefined ? limit < def - 1 : undefined
    }
    record(d, rec)
    d.prevTs = ts
    return rec
  }

  // --- CPU ---------------------------------------------------------------------------------------------
  function pushCpu(cpu: CpuSample, ts: number): void {
    const d = device('cpu', 'cpu', 'CPU', 'CPU')
    const { weightS, contiguous } = weigh(d, ts)
    const current = new Map<string, CounterPrev>()
    const pkgs = valueOf(cpu.packageThrottle)
    const cores = valueOf(cpu.coreThrottle)
    if (Array.isArray(pkgs)) {
      for (const p of pkgs as PackageThrottleCounter[]) {
        if (p && typeof p === 'object')
          current.set(`pkg:${String(p.packageId)}`, {
            count: num(p.count),
            totalTimeMs: num(p.totalTimeMs)
          })
      }
    }
    if (Array.isArray(cores)) {
      for (const c of cores as CoreThrottleCounter[]) {
        if (c && typeof c === 'object')
          current.set(`core:${String(c.cpu)}`, {
            count: num(c.count),
            totalTimeMs: num(c.totalTimeMs)
          })
      }
    }
    const hits: CauseHit[] = []
    let pkgEvents = 0
    let coreEventsMax = 0
    let countersUsable = false
    let bestSeconds = 0
    const notes: string[] = []
    if (contiguous && d.prevCpuCounters) {
      for (const [k, now] of current) {
        const before = d.prevCpuCounters.get(k)
        if (!before) continue
        const dc =
          now.count !== undefined && before.count !== undefined
            ? now.count - before.count
            : undefined
        const dt =
          now.totalTimeMs !== undefined && before.totalTimeMs !== undefined
            ? now.totalTimeMs - before.totalTimeMs
            : undefined
        if ((dc !== undefined && dc < 0) || (dt !== undefined && dt < 0)) continue // counters reset
        if (dc === undefined && dt === undefined) continue
        countersUsable = true
        const isPkg = k.startsWith('pkg:')
        if (dc !== undefined && dc > 0) {
          if (isPkg) pkgEvents += dc
          else coreEventsMax = Math.max(coreEventsMax, dc)
        }
        // *_total_time_ms grows only when an episode de-asserts; a rising count with no time yet means an
        // episode asserted inside this interval, so the interval is attributed.
        let s = dt !== undefined ? dt / 1000 : 0
        if (s === 0 && dc !== undefined && dc > 0) s = weightS
        if (s > 0) {
          bestSeconds = Math.max(bestSeconds, s)
          const what = isPkg ? `package ${k.slice(4)}` : `core ${k.slice(5)}`
          notes.push(
            `${what} throttle count +${dc ?? '?'}${dt !== undefined ? `, time +${Math.round(dt)} ms` : ''}`
          )
        }
      }
    }
    d.prevCpuCounters = current.size > 0 ? current : undefined
    const freq = num(cpu.frequencyMhz)
    const fmax = num(cpu.frequencyMaxMhz)
    const temp = num(cpu.packageTemperatureCelsius)
    const stateParts: string[] = []
    if (freq !== undefined && fmax !== undefined && fmax > 0)
      stateParts.push(
        `clock ${round(freq)} of ${round(fmax)} MHz (${Math.round((freq / fmax) * 100)} %)`
      )
    if (temp !== undefined) stateParts.push(`package ${round(temp)} °C`)
    const state = stateParts.join(', ')
    const severity = freq !== undefined && fmax ? freq / fmax : 1
    if (bestSeconds > 0) {
      const shown = notes.length > 4 ? [...notes.slice(0, 4), `… ${notes.length - 4} more`] : notes
      hits.push({
        cause: 'thermal',
        seconds: Math.min(weightS, bestSeconds),
        source: 'counter',
        evidence: [shown.join('; '), state].filter(Boolean),
        severity
      })
    } else if (!countersUsable) {
      // No counters (AMD, other OSes): a sensor at or above its own max threshold is the reading-based signal.
      const sensors = valueOf(cpu.temperatures)
      if (Array.isArray(sensors)) {
        const hot = sensors.find((s) => {
          const t = num(s?.temperatureCelsius)
          const lim = num(s?.maxCelsius) ?? num(s?.critCelsius)
          return t !== undefined && lim !== undefined && lim > 0 && t >= lim
        })
        if (hot) {
          const lim = num(hot.maxCelsius) ?? num(hot.critCelsius)
          hits.push({
            cause: 'thermal',
            seconds: weightS,
            source: 'reading',
            evidence: [
              `${hot.label} ${round(num(hot.temperatureCelsius) ?? 0)} °C at or above its limit ${round(lim ?? 0)} °C`,
              state
            ].filter(Boolean),
            severity
          })
        }
      }
    }
    applyHits(d, ts, hits)
    const util = num(cpu.utilizationPct)
    const busy = util !== undefined && util >= o.cpuBusyUtilizationPct
    record(d, {
      tMs: ts,
      weightS,
      causeS: hitsToCauses(hits),
      throttledS: 0,
      busyClockMhz: busy && freq !== undefined ? freq : undefined,
      maxClockMhz: fmax !== undefined && fmax > 0 ? fmax : undefined,
      cpuThrottleCount: pkgEvents > 0 ? pkgEvents : coreEventsMax
    })
    d.prevTs = ts
  }

  // --- Storage -----------------------------------------------------------------------------------------
  function pushStorage(s: StorageDeviceSample, ts: number): void {
    if (!s || typeof s.name !== 'string') return
    const t = num(s.temperatureCelsius)
    const lim = num(s.tempMaxCelsius)
    if (t === undefined) return
    const d = device(`storage:${s.name}`, 'storage', s.name, s.name)
    const { weightS } = weigh(d, ts)
    const hits: CauseHit[] = []
    // A limit outside 1–200 °C is a sentinel (drives report 65535-style values), not a threshold.
    if (lim !== undefined && lim > 0 && lim < 200 && t > lim) {
      const crit = num(s.tempCritCelsius)
      hits.push({
        cause: 'storage-thermal',
        seconds: weightS,
        source: 'reading',
        evidence: [
          `${s.name} ${round(t)} °C above its own limit ${round(lim)} °C${crit !== undefined && crit < 200 ? ` (critical ${round(crit)} °C)` : ''}`
        ],
        severity: lim / t
      })
    }
    applyHits(d, ts, hits)
    record(d, { tMs: ts, weightS, causeS: hitsToCauses(hits), throttledS: 0 })
    d.prevTs = ts
  }

  // --- Power -------------------------------------------------------------------------------------------
  function pushPower(p: PowerSample, ts: number): void {
    const src = valueOf(p.source)
    if (src !== 'ac' && src !== 'battery') return
    const d = device('power', 'power', 'Power supply', 'System')
    const { weightS } = weigh(d, ts)
    const hits: CauseHit[] = []
    if (src === 'battery') {
      const bats = Array.isArray(p.batteries) ? p.batteries : []
      const detail = bats
        .map((b) => {
          const cap = num(b?.capacityPct)
          const w = num(b?.powerWatts)
          const values = [
            cap !== undefined ? `${round(cap)} %` : '',
            w !== undefined ? `${w.toFixed(1)} W` : ''
          ]
            .filter(Boolean)
            .join(', ')
          return [b?.name, values].filter(Boolean).join(' ')
        })
        .filter(Boolean)
      hits.push({
        cause: 'battery',
        seconds: weightS,
        source: 'reading',
        evidence: [
          `running on battery${detail.length ? ` (${detail.join('; ')})` : ''}: firmware lowers CPU/GPU power limits`
        ],
        severity: 0
      })
    }
    applyHits(d, ts, hits)
    record(d, { tMs: ts, weightS, causeS: hitsToCauses(hits), throttledS: 0 })
    d.prevTs = ts
  }

  function push(snapshot: Snapshot, inventory?: Inventory): void {
    if (!snapshot || typeof snapshot !== 'object') return
    if (inventory) lastInventory = inventory
    const ts = snapshot.timestampMs
    if (!fin(ts)) return
    const seen = new Set<string>()
    const gpuRecs: TickRecord[] = []
    for (const g of Array.isArray(snapshot.gpus) ? snapshot.gpus : []) {
      if (!g || typeof g !== 'object') continue
      gpuRecs.push(pushGpu(g, ts, lastInventory))
      seen.add(typeof g.id === 'string' && g.id ? g.id : `gpu:${String(g.index)}`)
    }
    // Aggregate "any GPU" record: per cause the worst GPU, for readiness evidence.
    if (gpuRecs.length > 0) {
      const agg = device('*gpu', 'gpu', 'GPUs', 'GPUs')
      const causeS: Partial<Record<ThrottleCause, number>> = {}
      for (const r of gpuRecs)
        for (const [k, v] of Object.entries(r.causeS) as [ThrottleCause, number][])
          causeS[k] = Math.max(causeS[k] ?? 0, v / r.weightS)
      const { weightS } = weigh(agg, ts)
      for (const k of Object.keys(causeS) as ThrottleCause[]) causeS[k] = (causeS[k] ?? 0) * weightS
      record(agg, { tMs: ts, weightS, causeS, throttledS: 0 })
      agg.prevTs = ts
      seen.add('*gpu')
    }
    if (isOk(snapshot.cpu) && snapshot.cpu.value && typeof snapshot.cpu.value === 'object') {
      pushCpu(snapshot.cpu.value, ts)
      seen.add('cpu')
    }
    if (
      isOk(snapshot.storage) &&
      snapshot.storage.value &&
      Array.isArray(snapshot.storage.value.devices)
    ) {
      for (const s of snapshot.storage.value.devices) {
        pushStorage(s, ts)
        if (s && typeof s.name === 'string') seen.add(`storage:${s.name}`)
      }
    }
    if (isOk(snapshot.power) && snapshot.power.value && typeof snapshot.power.value === 'object') {
      pushPower(snapshot.power.value, ts)
      seen.add('power')
    }
    // A device that vanished (unplugged, collector failed) ends its episodes here.
    for (const d of devices.values()) {
      if (seen.has(d.key)) continue
      for (const ev of d.open.values()) ev.endMs = ts
      d.open.clear()
      d.openWorst.clear()
      d.hwSlowdownRun = 0
    }
  }

  function windowRecords(d: DeviceState, nowMs: number): TickRecord[] {
    const from = nowMs - o.windowSeconds * 1000
    const out: TickRecord[] = []
    for (const r of d.ring) if (r.tMs > from && r.tMs <= nowMs) out.push(r)
    return out
  }

  function clockRatio(recs: TickRecord[], kind: DeviceKind): Reading<number> {
    if (kind === 'storage' || kind === 'power')
      return unavailable('unsupported', 'no clock for this device')
    const busy = recs.filter((r) => r.busyClockMhz !== undefined)
    if (busy.length === 0)
      return unavailable('unsupported', 'not busy in the window (the ratio is measured under load)')
    const ratios = busy
      .filter((r) => r.maxClockMhz !== undefined)
      .map((r) => (r.busyClockMhz as number) / (r.maxClockMhz as number))
    if (ratios.length === 0) return unavailable('unsupported', 'maximum clock unknown')
    return ok(median(ratios))
  }

  function summarise(d: DeviceState, nowMs: number): ThrottleSummary {
    const recs = windowRecords(d, nowMs)
    let observed = 0
    let throttled = 0
    const causeS: Partial<Record<ThrottleCause, number>> = {}
    for (const r of recs) {
      observed += r.weightS
      throttled += r.throttledS
      for (const [k, v] of Object.entries(r.causeS) as [ThrottleCause, number][])
        causeS[k] = (causeS[k] ?? 0) + v
    }
    const byCause: Partial<Record<ThrottleCause, number>> = {}
    for (const [k, v] of Object.entries(causeS) as [ThrottleCause, number][])
      if (v > 0 && observed > 0) byCause[k] = clamp01(v / observed)
    const fraction = observed > 0 ? clamp01(throttled / observed) : 0
    const ratio = clockRatio(recs, d.kind)
    const span = Math.min(o.windowSeconds, observed)
    let headline: string
    if (observed <= 0) headline = `${d.shortLabel}: no samples in the window`
    else if (fraction <= 0) {
      headline = `${d.shortLabel} not throttled in ${describeSpan(span)}`
      if (ratio.status === 'ok')
        headline += ` (sustained clock ${Math.round(ratio.value * 100)}% of max)`
    } else {
      const parts = (Object.entries(byCause) as [ThrottleCause, number][])
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${pct(v)} ${describeThrottleCause(k)}`)
      headline = `${d.shortLabel} throttled ${pct(fraction)} of ${describeSpan(span)}: ${parts.join(', ')}`
    }
    return {
      device: d.key,
      deviceLabel: d.label,
      windowSeconds: span,
      throttledFraction: fraction,
      byCause,
      sustainedClockRatio: ratio,
      headline
    }
  }

  const ORDER: Record<DeviceKind, number> = { gpu: 0, cpu: 1, storage: 2, power: 3 }

  return {
    push,
    events: () => allEvents.map((e) => ({ ...e, evidence: e.evidence.slice() })),
    summaries(nowMs: number): ThrottleSummary[] {
      return [...devices.values()]
        .filter((d) => d.key !== '*gpu')
        .sort(
          (a, b) =>
            ORDER[a.kind] - ORDER[b.kind] || a.key.localeCompare(b.key, 'en', { numeric: true })
        )
        .map((d) => summarise(d, nowMs))
    },
    sustained(nowMs: number): SustainedEvidence {
      const agg = devices.get('*gpu')
      const aggRecs = agg ? windowRecords(agg, nowMs) : []
      let observed = 0
      const causeS: Partial<Record<ThrottleCause, number>> = {}
      for (const r of aggRecs) {
        observed += r.weightS
        for (const [k, v] of Object.entries(r.causeS) as [ThrottleCause, number][])
          causeS[k] = (causeS[k] ?? 0) + v
      }
      const byCause: Partial<Record<ThrottleCause, number>> = {}
      for (const [k, v] of Object.entries(causeS) as [ThrottleCause, number][])
        if (v > 0 && observed > 0) byCause[k] = clamp01(v / observed)
      let headroom: number | undefined
      let powerBelow = false
      const ratios: Reading<number>[] = []
      const gpus = [...devices.values()].filter((d) => d.kind === 'gpu' && d.key !== '*gpu')
      for (const d of gpus) {
        const recs = windowRecords(d, nowMs)
        for (const r of recs) {
          if (r.headroomCelsius !== undefined)
            headroom =
              headroom === undefined ? r.headroomCelsius : Math.min(headroom, r.headroomCelsius)
        }
        const last = recs[recs.length - 1]
        if (last?.powerBelowDefault) powerBelow = true
        ratios.push(clockRatio(recs, 'gpu'))
      }
      const okRatios = ratios.filter(isOk).map((r) => r.value)
      const cpu = devices.get('cpu')
      const cpuEvents = cpu
        ? windowRecords(cpu, nowMs).reduce((n, r) => n + (r.cpuThrottleCount ?? 0), 0)
        : 0
      return {
        windowSeconds: Math.min(o.windowSeconds, observed),
        gpuThrottleFractionByCause: byCause,
        gpuThermalHeadroomCelsius:
          headroom !== undefined
            ? ok(headroom)
            : unavailable(
                'unsupported',
                gpus.length ? 'no slowdown threshold or headroom reading' : 'no GPU samples'
              ),
        // The worst GPU binds a multi-GPU job.
        sustainedClockRatio:
          okRatios.length > 0
            ? ok(Math.min(...okRatios))
            : (ratios.find((r) => r.status === 'unavailable') ??
              unavailable('no-device', 'no GPU samples')),
        cpuThrottleEvents: cpuEvents,
        powerLimitBelowDefault: powerBelow
      }
    }
  }
}

/** Median of a non-empty list (mean of the middle pair for even lengths). */
function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

// ---------------------------------------------------------------------------------------------------------
// Batch entry points
// ---------------------------------------------------------------------------------------------------------

function batchOptions(
  snapshots: Snapshot[],
  options: Partial<ThrottleOptions> | undefined
): Partial<ThrottleOptions> {
  const times = snapshots.map((s) => s?.timestampMs).filter(fin)
  const span = times.length > 0 ? (Math.max(...times) - Math.min(...times)) / 1000 : 0
  const nominal = (options?.nominalIntervalMs ?? DEFAULT_THROTTLE_OPTIONS.nominalIntervalMs) / 1000
  return {
    // By default a batch covers the whole recording.
    windowSeconds: span + nominal + 1,
    maxSamplesPerDevice: snapshots.length + 2,
    maxEvents: Math.max(DEFAULT_THROTTLE_OPTIONS.maxEvents, snapshots.length),
    ...(options ?? {})
  }
}

function lastTimestamp(snapshots: Snapshot[]): number {
  let t = -Infinity
  for (const s of snapshots) if (fin(s?.timestampMs) && s.timestampMs > t) t = s.timestampMs
  return Number.isFinite(t) ? t : 0
}

/**
 * Runs the detector over a recorded stream.
 *
 * Summaries cover the whole recording unless `options.windowSeconds` is given (then the window ending at the
 * last snapshot).
 */
export function detectThrottle(
  snapshots: Snapshot[],
  inventory: Inventory | null,
  options?: Partial<ThrottleOptions>
): { events: ThrottleEvent[]; summaries: ThrottleSummary[] } {
  const t = createThrottleTracker(batchOptions(snapshots, options))
  for (const s of snapshots) t.push(s, inventory ?? undefined)
  return { events: t.events(), summaries: t.summaries(lastTimestamp(snapshots)) }
}

/**
 * Sustained-operation evidence for the readiness engine, from a recorded window.
 *
 * `gpuThrottleFractionByCause` is, per cause, the fraction of time the worst GPU was throttled;
 * `sustainedClockRatio` is the lowest per-GPU median busy clock ÷ max clock; `cpuThrottleEvents` counts
 * package throttle assertions (core assertions where no package counter exists).
 */
export function summarizeSustained(
  snapshots: Snapshot[],
  inventory: Inventory | null,
  options?: Partial<ThrottleOptions>
): SustainedEvidence {
  const t = createThrottleTracker(batchOptions(snapshots, options))
  for (const s of snapshots) t.push(s, inventory ?? undefined)
  return t.sustained(lastTimestamp(snapshots))
}
