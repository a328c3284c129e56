/**
 * Time source, injectable so samplers and detectors are tested with fake time.
 */

/** Wall and monotonic time plus timers. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number
  /** Monotonic milliseconds (for durations and rates). */
  monotonic(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** The real clock. */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    monotonic: () => performance.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>)
  }
}
