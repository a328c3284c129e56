/**
 * The one interface every device rule implements, and the small numeric helpers the rules share.
 *
 * A rule turns one device's reading of one tick into an observation status (were this device's throttle
 * signals readable?), the causes it throttled for with their attributed seconds and evidence, and a few facts
 * the summaries need (busy clock, thermal headroom, CPU throttle count). Rules hold no clock and no history
 * beyond their own per-device state (previous counters, debounce runs), which the tracker keeps for them.
 */
import { valueOf, type Reading, type ReadingUnavailable } from '../../shared/reading'
import type { ThrottleEvent } from '../../shared/readiness'
import type { Inventory, Snapshot, ThrottleCause } from '../../shared/telemetry'
import type { ThrottleOptions } from './options'

/** Device classes with a rule, in the order summaries list them. */
export type DeviceKind = 'gpu' | 'cpu' | 'storage' | 'power'

/** One cause active in one tick, with its attribution and evidence. */
export interface CauseHit {
  cause: ThrottleCause
  /** Seconds of this tick attributed to the cause (at most the tick's weight). */
  seconds: number
  source: ThrottleEvent['source']
  evidence: string[]
  /** Lower is worse; used to keep the most telling evidence for an episode. */
  severity: number
}

/** Per-tick facts a rule records for summaries and sustained evidence (each optional). */
export interface TickFacts {
  /** Clock while busy (MHz); absent when not busy. */
  busyClockMhz?: number
  /** Maximum clock of the device (MHz). */
  maxClockMhz?: number
  /** Headroom to the device's own slowdown temperature (°C). */
  headroomCelsius?: number
  /** Throttle assertions counted by the CPU's counters in this tick; absent without counter deltas. */
  cpuThrottleCount?: number
  /** The CPU sample carried throttle counters (a delta needs a second sample). */
  cpuHasCounters?: boolean
  /** The GPU's enforced power limit is below its default; absent when either is unknown. */
  powerBelowDefault?: boolean
}

/** Whether a device's throttle signals were readable in a tick. */
export type Observation = { observed: true } | { observed: false; reason: ReadingUnavailable }

/** What a rule made of one device's reading in one tick. */
export interface RuleTick {
  observation: Observation
  /** Causes active in this tick; empty when not observed. */
  hits: CauseHit[]
  facts: TickFacts
}

/** What the tracker tells a rule about the tick. */
export interface TickContext {
  /** Timestamp of the snapshot (epoch ms). */
  tMs: number
  /** Seconds this tick stands for (spacing to the previous snapshot, or the nominal interval). */
  weightS: number
  /** The device was observed on the previous snapshot and the spacing is no gap: counter deltas are usable. */
  contiguous: boolean
  options: ThrottleOptions
  inventory: Inventory | undefined
}

/** One device of a rule's class in one snapshot, with the input the rule reads. */
export interface DeviceReading<I> {
  /** Stable device key (`nvidia:0`, `cpu`, `storage:nvme0n1`, `power`). */
  key: string
  /** Label for people (`GPU0 NVIDIA GeForce RTX 4090`). */
  label: string
  /** Short label used in headlines (`GPU0`). */
  shortLabel: string
  /** The device's sample; unavailable (with the reason) when the device is listed but was not read. */
  input: Reading<I>
}

/**
 * A throttle rule for one device class.
 *
 * Adding a device class is one file implementing this and one line in the tracker's rule list.
 */
export interface ThrottleRule<I, S> {
  readonly kind: DeviceKind
  /** The devices of this class in a snapshot. */
  devices(snapshot: Snapshot, inventory: Inventory | undefined): DeviceReading<I>[]
  /**
   * Why a device of this class that the tracker knows is missing from a snapshot (e.g. the storage section
   * failed); undefined for the generic "not in this snapshot".
   */
  missingReason?(snapshot: Snapshot): ReadingUnavailable | undefined
  /** Fresh per-device state; the tracker also resets to it after a tick the device was not observed. */
  initialState(): S
  /** One device's reading of one tick. */
  evaluate(input: I, state: S, ctx: TickContext): RuleTick
}

/** A rule of any device class (what the tracker holds). */
// Rule methods are bivariant in their parameters, so every concrete rule is assignable to this.
export type AnyThrottleRule = ThrottleRule<unknown, unknown>

/** A finite number. */
export const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)

/** The finite value of a numeric reading, else undefined. */
export const num = (r: Reading<number> | undefined): number | undefined => {
  const v = valueOf(r)
  return fin(v) ? v : undefined
}

/** Rounds for display. */
export const round = (x: number): string => String(Math.round(x))

/** Seconds for evidence text: whole seconds from 10 s, else up to two decimals. */
export function fmtSeconds(s: number): string {
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(2).replace(/0+$/, '').replace(/\.$/, '')} s`
}

/** A reading that is neither ok nor a well-formed unavailable reading: the input itself is malformed. */
export function reasonOf(r: unknown, fallbackDetail: string): ReadingUnavailable {
  if (
    r !== null &&
    typeof r === 'object' &&
    (r as { status?: unknown }).status === 'unavailable' &&
    typeof (r as { reason?: unknown }).reason === 'string'
  )
    return r as ReadingUnavailable
  return { status: 'unavailable', reason: 'parse-error', detail: fallbackDetail }
}

/** Folds hits into seconds per cause. */
export function hitsToCauses(hits: CauseHit[]): Partial<Record<ThrottleCause, number>> {
  const out: Partial<Record<ThrottleCause, number>> = {}
  for (const h of hits) if (h.seconds > 0) out[h.cause] = (out[h.cause] ?? 0) + h.seconds
  return out
}
