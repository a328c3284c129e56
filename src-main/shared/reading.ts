/**
 * A value that is either known or unavailable with a reason.
 *
 * Unknown is never encoded as 0, '', null or NaN: every consumer (UI, CLI, /metrics) shows why a value is
 * missing. Readings are plain JSON so they cross IPC, HTTP and session files unchanged.
 */
export type UnavailableReason =
  | 'unsupported'
  | 'no-device'
  | 'tool-missing'
  | 'permission-denied'
  | 'timeout'
  | 'parse-error'
  | 'failed'
  | 'asleep'
  | 'not-applicable'
  | 'warming-up'

/** All reasons, in a stable order (for schemas and exhaustive tests). */
export const UNAVAILABLE_REASONS: readonly UnavailableReason[] = [
  'unsupported',
  'no-device',
  'tool-missing',
  'permission-denied',
  'timeout',
  'parse-error',
  'failed',
  'asleep',
  'not-applicable',
  'warming-up'
]

/** A known value. */
export interface ReadingOk<T> {
  status: 'ok'
  value: T
}

/** A value that could not be read, and why. */
export interface ReadingUnavailable {
  status: 'unavailable'
  reason: UnavailableReason
  detail?: string
}

/** Either a value or the reason it is missing. */
export type Reading<T> = ReadingOk<T> | ReadingUnavailable

/** Wraps a known value. */
export function ok<T>(value: T): ReadingOk<T> {
  return { status: 'ok', value }
}

/** Builds an unavailable reading. */
export function unavailable(reason: UnavailableReason, detail?: string): ReadingUnavailable {
  return detail === undefined
    ? { status: 'unavailable', reason }
    : { status: 'unavailable', reason, detail }
}

/** True when the reading holds a value. */
export function isOk<T>(r: Reading<T> | undefined): r is ReadingOk<T> {
  return r !== undefined && r.status === 'ok'
}

/** The value, or `fallback` when unavailable. Use only where a fallback is honest (e.g. display sorting). */
export function valueOr<T, F>(r: Reading<T> | undefined, fallback: F): T | F {
  return r !== undefined && r.status === 'ok' ? r.value : fallback
}

/** The value or undefined. */
export function valueOf<T>(r: Reading<T> | undefined): T | undefined {
  return r !== undefined && r.status === 'ok' ? r.value : undefined
}

/** Maps the value of an ok reading; passes unavailable readings through. */
export function mapReading<T, U>(r: Reading<T>, fn: (v: T) => U): Reading<U> {
  return r.status === 'ok' ? ok(fn(r.value)) : r
}

/** A finite number as a reading, or unavailable('parse-error') for NaN/Infinity. */
export function numberReading(n: number, detail = 'not a finite number'): Reading<number> {
  return Number.isFinite(n) ? ok(n) : unavailable('parse-error', detail)
}

/** Human text for a reason, used by the CLI and the UI. */
export function describeReason(r: ReadingUnavailable): string {
  const base: Record<UnavailableReason, string> = {
    unsupported: 'not supported here',
    'no-device': 'no such device',
    'tool-missing': 'tool not installed',
    'permission-denied': 'permission denied',
    timeout: 'timed out',
    'parse-error': 'unreadable output',
    failed: 'failed',
    asleep: 'device asleep (not woken)',
    'not-applicable': 'does not apply here',
    'warming-up': 'warming up (needs a second sample)'
  }
  return r.detail ? `${base[r.reason]}: ${r.detail}` : base[r.reason]
}

/** Exhaustiveness guard for switches over unions. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`)
}
