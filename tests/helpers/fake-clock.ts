/**
 * A Clock backed by vitest's fake timers (call vi.useFakeTimers() first).
 */
import type { Clock } from '../../src-main/node/platform/clock'

/** Clock whose time and timers follow vi fake timers. */
export function fakeTimerClock(): Clock {
  return {
    now: () => Date.now(),
    monotonic: () => Date.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>)
  }
}
