/**
 * The one incremental throttle tracker: Snapshot stream → per-tick records per device → episodes, window
 * summaries and sustained evidence, all from the same state and the same window.
 *
 * Each device class has a rule (`gpu.ts`, `cpu.ts`, `storage.ts`, `power.ts`) that turns one device's
 * reading of one tick into an observation status and cause hits. The tracker weighs each tick by the spacing
 * to the previous snapshot (a gap above `maxGapMs`, or the first snapshot, weighs the nominal interval and
 * breaks counter contiguity), keeps a fixed-capacity ring of records per device, and feeds the episode book.
 * A device that is listed but not read, or missing from a snapshot, gets an unobserved record: that time is
 * asked but not observed, so it lowers coverage instead of counting as "not throttled".
 *
 * Batch analysis is a replay into this tracker (`index.ts`). Memory is bounded: rings per device, a fixed
 * number of devices and a fixed number of events.
 */
import { unavailable, type ReadingUnavailable } from '../../shared/reading'
import type { SustainedEvidence, ThrottleEvent, ThrottleSummary } from '../../shared/readiness'
import type { Inventory, Snapshot, ThrottleCause } from '../../shared/telemetry'
import { cpuRule } from './cpu'
import { EpisodeBook } from './episodes'
import { gpuRule } from './gpu'
import { resolveOptions, type ThrottleOptions } from './options'
import { powerRule } from './power'
import { Ring } from './ring'
import { fin, type AnyThrottleRule, type DeviceKind, type RuleTick } from './rule'
import { storageRule } from './storage'
import {
  summarizeDevice,
  sustainedEvidence,
  tickRecord,
  unobservedRecord,
  type SummaryDevice,
  type TickRecord
} from './summary'

/** The device rules, one per class, in summary order. */
const RULES: readonly AnyThrottleRule[] = [gpuRule, cpuRule, storageRule, powerRule]

/** Most devices tracked at once (a malformed stream cannot grow the map without bound). */
const MAX_DEVICES = 256

/** Everything the tracker concludes about one window. */
export interface ThrottleAnalysis {
  /** Seconds the engine was sampling in the window (the summaries' `coverage.requestedSeconds` at most). */
  windowSeconds: number
  /** Episodes overlapping the window, clipped to it. */
  events: ThrottleEvent[]
  summaries: ThrottleSummary[]
  sustained: SustainedEvidence
}

/** Incremental detector. */
export interface ThrottleTracker {
  /** Feeds one snapshot (in time order); `inventory` supplies device maxima and thresholds. */
  push(snapshot: Snapshot, inventory?: Inventory): void
  /** Every kept episode since the start (open ones have `endMs: null`), oldest first. Copies. */
  events(): ThrottleEvent[]
  /** Episodes of the window ending at `nowMs`, clipped to it. */
  windowEvents(nowMs: number): ThrottleEvent[]
  /** Per-device summaries over the window ending at `nowMs`. */
  summaries(nowMs: number): ThrottleSummary[]
  /** Sustained-operation evidence over the window ending at `nowMs` (used by readiness). */
  sustained(nowMs: number): SustainedEvidence
  /** Events, summaries and sustained evidence of the window ending at `nowMs`, from one state. */
  analysis(nowMs: number): ThrottleAnalysis
}

interface DeviceState extends SummaryDevice {
  rule: AnyThrottleRule
  state: unknown
  ring: Ring<TickRecord>
  /** Timestamp of the last observed tick (counter contiguity). */
  lastObservedMs: number | undefined
  /** Timestamp of the last snapshot that listed the device (read or not). */
  lastListedMs: number
}

const ORDER: Record<DeviceKind, number> = { gpu: 0, cpu: 1, storage: 2, power: 3 }

/** Builds a tracker. */
export function createThrottleTracker(options?: Partial<ThrottleOptions>): ThrottleTracker {
  const o = resolveOptions(options)
  const devices = new Map<string, DeviceState>()
  const episodes = new EpisodeBook(o.maxEvents)
  const stream = new Ring<{ tMs: number; weightS: number }>(o.maxSamplesPerDevice)
  const gpuAggregate = new Ring<TickRecord>(o.maxSamplesPerDevice)
  let lastInventory: Inventory | undefined
  let prevTs: number | undefined

  const horizonOf = (tMs: number): number => tMs - o.windowSeconds * 1000

  function record(ring: Ring<TickRecord>, rec: TickRecord): void {
    ring.push(rec)
    const horizon = horizonOf(rec.tMs)
    ring.dropWhile((r) => r.tMs <= horizon)
  }

  function deviceFor(
    key: string,
    rule: AnyThrottleRule,
    label: string,
    shortLabel: string
  ): DeviceState | undefined {
    let d = devices.get(key)
    if (!d) {
      if (devices.size >= MAX_DEVICES) return undefined
      d = {
        key,
        kind: rule.kind,
        label,
        shortLabel,
        rule,
        state: rule.initialState(),
        ring: new Ring<TickRecord>(o.maxSamplesPerDevice),
        lastObservedMs: undefined,
        lastListedMs: Number.NEGATIVE_INFINITY
      }
      devices.set(key, d)
    }
    // A sample's name is better than the inventory's placeholder; keep the latest non-empty one.
    if (label) d.label = label
    if (shortLabel) d.shortLabel = shortLabel
    return d
  }

  function unobserve(
    d: DeviceState,
    ts: number,
    weightS: number,
    reason: ReadingUnavailable
  ): TickRecord {
    d.state = d.rule.initialState()
    episodes.closeDevice(d.key, ts)
    const rec = unobservedRecord(ts, weightS, reason)
    record(d.ring, rec)
    return rec
  }

  function push(snapshot: Snapshot, inventory?: Inventory): void {
    if (!snapshot || typeof snapshot !== 'object') return
    if (inventory) lastInventory = inventory
    const ts = snapshot.timestampMs
    if (!fin(ts)) return
    const dt = prevTs === undefined ? Number.NaN : ts - prevTs
    const gap = !(dt > 0) || dt > o.maxGapMs
    const weightS = gap ? o.nominalIntervalMs / 1000 : dt / 1000
    const previousTick = prevTs
    prevTs = ts
    stream.push({ tMs: ts, weightS })
    const horizon = horizonOf(ts)
    stream.dropWhile((r) => r.tMs <= horizon)

    const listed = new Set<string>()
    const gpuRecs: TickRecord[] = []
    for (const rule of RULES) {
      for (const dr of rule.devices(snapshot, lastInventory)) {
        if (listed.has(dr.key)) continue
        listed.add(dr.key)
        const d = deviceFor(dr.key, rule, dr.label, dr.shortLabel)
        if (!d) continue
        d.lastListedMs = ts
        let rec: TickRecord
        if (dr.input.status !== 'ok') rec = unobserve(d, ts, weightS, dr.input)
        else {
          const contiguous = !gap && previousTick !== undefined && d.lastObservedMs === previousTick
          const tick: RuleTick = rule.evaluate(dr.input.value, d.state, {
            tMs: ts,
            weightS,
            contiguous,
            options: o,
            inventory: lastInventory
          })
          if (!tick.observation.observed) rec = unobserve(d, ts, weightS, tick.observation.reason)
          else {
            episodes.apply(d, ts, tick.hits)
            rec = tickRecord(ts, weightS, tick)
            record(d.ring, rec)
            d.lastObservedMs = ts
          }
        }
        if (rule.kind === 'gpu') gpuRecs.push(rec)
      }
    }
    // A known device missing from this snapshot (unplugged, collector failed) was not observed; one missing
    // for a whole window (an unplugged drive) is forgotten, so the map stays bounded by what is attached.
    for (const d of devices.values()) {
      if (listed.has(d.key)) continue
      if (d.lastListedMs <= horizon) {
        episodes.closeDevice(d.key, ts)
        devices.delete(d.key)
        continue
      }
      const reason =
        d.rule.missingReason?.(snapshot) ?? unavailable('no-device', 'not in this snapshot')
      const rec = unobserve(d, ts, weightS, reason)
      if (d.kind === 'gpu') gpuRecs.push(rec)
    }
    // "Any GPU": per cause the worst GPU; observed only when every GPU was (the worst one binds a job).
    if (gpuRecs.length > 0) {
      const causeS: Partial<Record<ThrottleCause, number>> = {}
      const missing = gpuRecs.find((r) => !r.observed)
      if (!missing) {
        for (const r of gpuRecs)
          for (const [k, v] of Object.entries(r.causeS) as [ThrottleCause, number][])
            causeS[k] = Math.max(causeS[k] ?? 0, (v / r.weightS) * weightS)
      }
      record(gpuAggregate, {
        tMs: ts,
        weightS,
        observed: !missing,
        reason: missing?.reason,
        causeS,
        throttledS: 0,
        facts: {}
      })
    }
  }

  const inWindow = <T extends { tMs: number }>(ring: Iterable<T>, nowMs: number): T[] => {
    const from = horizonOf(nowMs)
    const out: T[] = []
    for (const r of ring) if (r.tMs > from && r.tMs <= nowMs) out.push(r)
    return out
  }

  function sortedDevices(): DeviceState[] {
    return [...devices.values()].sort(
      (a, b) => ORDER[a.kind] - ORDER[b.kind] || a.key.localeCompare(b.key, 'en', { numeric: true })
    )
  }

  function summaries(nowMs: number): ThrottleSummary[] {
    return sortedDevices().map((d) => summarizeDevice(d, inWindow(d.ring, nowMs)))
  }

  function sustained(nowMs: number): SustainedEvidence {
    const gpus = sortedDevices().filter((d) => d.kind === 'gpu')
    return sustainedEvidence({
      requestedSeconds: inWindow(stream, nowMs).reduce((s, r) => s + r.weightS, 0),
      gpuAggregate: inWindow(gpuAggregate, nowMs),
      gpus: gpus.map((d) => inWindow(d.ring, nowMs)),
      cpu: devices.has('cpu')
        ? inWindow((devices.get('cpu') as DeviceState).ring, nowMs)
        : undefined
    })
  }

  function windowEvents(nowMs: number): ThrottleEvent[] {
    const from = horizonOf(nowMs)
    return episodes.inWindow(from, nowMs, (e) => {
      const d = devices.get(e.device)
      if (!d) return 0
      let s = 0
      for (const r of d.ring)
        if (
          r.tMs > from &&
          r.tMs <= nowMs &&
          r.tMs > e.startMs &&
          (e.endMs === null || r.tMs <= e.endMs)
        )
          s += r.causeS[e.cause] ?? 0
      return s
    })
  }

  return {
    push,
    events: () => episodes.all(),
    windowEvents,
    summaries,
    sustained,
    analysis(nowMs: number): ThrottleAnalysis {
      return {
        windowSeconds: inWindow(stream, nowMs).reduce((s, r) => s + r.weightS, 0),
        events: windowEvents(nowMs),
        summaries: summaries(nowMs),
        sustained: sustained(nowMs)
      }
    }
  }
}
