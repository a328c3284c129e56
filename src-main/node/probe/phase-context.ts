/**
 * What the runner hands each load phase: the load controller, the stop signal, a status line sink and the
 * tool-failure hook (a failing tool stops the whole probe, not just its phase).
 */
import type { LoadController } from './load-controller'

/** The environment of one phase. */
export interface PhaseContext {
  controller: LoadController
  /** Aborted when the probe stops (Ctrl-C, Stop, threshold, battery, tool failure). */
  signal: AbortSignal
  /** Epoch milliseconds. */
  now(): number
  /** Live status for the progress line ("cpu 12.4 GFLOPS"). */
  status(line: string): void
  /** Reports a failing tool; the runner stops every phase at once. */
  toolFailed(detail: string): void
}

/** Resolves after `ms` or as soon as `signal` aborts (never rejects). */
export function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, Math.max(0, ms))
    signal.addEventListener('abort', done, { once: true })
  })
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })
}

/** Median of a list (undefined when empty). */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}
