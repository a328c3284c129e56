/**
 * Throttle causes as people see them: one name (from `throttle-causes.ts`), one severity and one rank per
 * cause, and a device's throttle state that is never "not throttled" without observation.
 */
import { describeThrottleCause } from '../throttle-causes'
import type { ThrottleCause, ThrottleFlag } from '../telemetry'
import type { Severity } from './palette'

export { describeThrottleCause }
export type { ThrottleCause }

/**
 * Causes that slow work down, worst first: the first one present is the one a band or badge shows.
 *
 * `idle` and `config` are never throttling (the GPU has nothing to do, or clocks were set on purpose).
 */
export const THROTTLING_CAUSES: readonly ThrottleCause[] = [
  'psu',
  'thermal',
  'hw-slowdown',
  'current',
  'power',
  'storage-thermal',
  'pcie-link',
  'battery',
  'other'
]

/** True for causes that slow work down. */
export function isThrottlingCause(cause: ThrottleCause): boolean {
  return cause !== 'idle' && cause !== 'config'
}

/** Severity of a cause: heat, the PSU brake and HW slowdown are problems; caps and limits are cautions. */
export function causeSeverity(cause: ThrottleCause): Severity {
  switch (cause) {
    case 'psu':
    case 'thermal':
    case 'hw-slowdown':
    case 'storage-thermal':
      return 'bad'
    case 'power':
    case 'current':
    case 'pcie-link':
    case 'battery':
    case 'other':
      return 'warn'
    case 'idle':
    case 'config':
      return 'ok'
  }
}

/** The worst of several causes, or null when none throttles. */
export function dominantCause(causes: Iterable<ThrottleCause>): ThrottleCause | null {
  const set = new Set(causes)
  return THROTTLING_CAUSES.find((c) => set.has(c)) ?? null
}

/**
 * A cause as a number for time series (bucketed by max, so the worst cause in a bucket wins):
 * 0 = observed and not throttled, higher = worse. Unknown stays `null`.
 */
export function causeCode(cause: ThrottleCause | null): number {
  return cause === null ? 0 : THROTTLING_CAUSES.length - THROTTLING_CAUSES.indexOf(cause)
}

/** The cause a code stands for (`null` for 0 = not throttled). */
export function causeFromCode(code: number): ThrottleCause | null {
  if (!Number.isFinite(code) || code <= 0) return null
  return THROTTLING_CAUSES[THROTTLING_CAUSES.length - Math.round(code)] ?? 'other'
}

/** Whether a device is throttling now, and what we know about it. */
export type ThrottleState =
  | {
      state: 'throttled'
      causes: ThrottleCause[]
      /** Vendor flag names behind it (`sw_power_cap`), for details. */
      flags: string[]
    }
  | { state: 'not-throttled' }
  | {
      state: 'unknown'
      /** Why it cannot be said, in words ("this CPU exposes no throttle counters"). */
      reason: string
    }

/** The throttle state of a set of active vendor flags (throttling causes only count). */
export function stateFromFlags(flags: ThrottleFlag[]): ThrottleState {
  const active = flags.filter((f) => isThrottlingCause(f.cause))
  if (active.length === 0) return { state: 'not-throttled' }
  const causes = [...new Set(active.map((f) => f.cause))]
  const worst = dominantCause(causes)
  causes.sort((a, b) => (a === worst ? -1 : b === worst ? 1 : 0))
  return { state: 'throttled', causes, flags: active.map((f) => f.name) }
}

/** One-line words for a throttle state ("power cap", "not throttled", "unknown: …"). */
export function describeThrottleState(s: ThrottleState): string {
  switch (s.state) {
    case 'throttled':
      return s.causes.map(describeThrottleCause).join(', ')
    case 'not-throttled':
      return 'not throttled'
    case 'unknown':
      return `unknown: ${s.reason}`
  }
}

/** Severity of a throttle state (unknown is never shown as good). */
export function throttleSeverity(s: ThrottleState): Severity {
  if (s.state === 'not-throttled') return 'ok'
  if (s.state === 'unknown') return 'unknown'
  return causeSeverity(s.causes[0] ?? 'other')
}
