/**
 * Memory pressure over a telemetry window: what the swap/zram advice stands on.
 *
 * Signals (procfs): PSI `memory` some/full avg10 (%), swap-in and swap-out rates (bytes/s), MemAvailable
 * against MemTotal, and the swap configured. Each is summarised only over the snapshots that read it, with
 * how many did; a signal never read is unknown, never "no pressure".
 */
import type { Reading } from '../../../shared/reading'
import { ok, unavailable } from '../../../shared/reading'
import type { Snapshot } from '../../../shared/telemetry'

/** PSI `some avg10` above which memory pressure counts as seen (%): tasks stalled on memory ≥ 10% of the time. */
export const PSI_SOME_PRESSURE_PCT = 10
/** Swap-in rate above which swapping counts as seen (bytes/s): 1 MB/s of pages coming back from swap. */
export const SWAP_IN_PRESSURE_BPS = 1e6
/** MemAvailable below this share of MemTotal counts as memory nearly exhausted. */
export const LOW_AVAILABLE_FRACTION = 0.05

/** Memory pressure summarised over a window. */
export interface MemoryPressureEvidence {
  /** Snapshots in the window, and how many read memory at all. */
  samples: number
  observedSamples: number
  /** Highest PSI some avg10 seen (%). */
  psiSomeMaxPct: Reading<number>
  /** Highest PSI full avg10 seen (%). */
  psiFullMaxPct: Reading<number>
  /** Highest swap-in rate seen (bytes/s). */
  swapInMaxBytesPerSec: Reading<number>
  /** Lowest MemAvailable ÷ MemTotal seen. */
  availableMinFraction: Reading<number>
  /** Swap configured (bytes, last reading). */
  swapTotalBytes: Reading<number>
  /** Pressure was seen by some signal. */
  pressureSeen: boolean
  /** The signals behind `pressureSeen`, in words. */
  findings: string[]
}

function maxOf(xs: number[], what: string): Reading<number> {
  return xs.length > 0 ? ok(Math.max(...xs)) : unavailable('unsupported', `${what} not read`)
}

/** Summarises memory pressure over the snapshots of a window (the report's window). */
export function memoryPressureEvidence(snapshots: readonly Snapshot[]): MemoryPressureEvidence {
  const psiSome: number[] = []
  const psiFull: number[] = []
  const swapIn: number[] = []
  const avail: number[] = []
  let swapTotal: Reading<number> = unavailable('unsupported', 'swap size not read')
  let observed = 0
  for (const s of snapshots) {
    if (s.memory.status !== 'ok') continue
    observed++
    const m = s.memory.value
    if (m.pressureSomeAvg10Pct.status === 'ok') psiSome.push(m.pressureSomeAvg10Pct.value)
    if (m.pressureFullAvg10Pct.status === 'ok') psiFull.push(m.pressureFullAvg10Pct.value)
    if (m.swapInBytesPerSec.status === 'ok') swapIn.push(m.swapInBytesPerSec.value)
    if (m.availableBytes.status === 'ok' && m.totalBytes.status === 'ok' && m.totalBytes.value > 0)
      avail.push(m.availableBytes.value / m.totalBytes.value)
    if (m.swapTotalBytes.status === 'ok') swapTotal = m.swapTotalBytes
  }
  const some = maxOf(psiSome, 'memory PSI')
  const full = maxOf(psiFull, 'memory PSI')
  const sin = maxOf(swapIn, 'swap-in rate')
  const minAvail =
    avail.length > 0 ? ok(Math.min(...avail)) : unavailable('unsupported', 'MemAvailable not read')
  const findings: string[] = []
  if (some.status === 'ok' && some.value >= PSI_SOME_PRESSURE_PCT)
    findings.push(
      `tasks stalled on memory up to ${some.value.toFixed(0)}% of the time (PSI some avg10)`
    )
  if (sin.status === 'ok' && sin.value >= SWAP_IN_PRESSURE_BPS)
    findings.push(`pages came back from swap at up to ${(sin.value / 1e6).toFixed(1)} MB/s`)
  if (minAvail.status === 'ok' && minAvail.value < LOW_AVAILABLE_FRACTION)
    findings.push(`available memory fell to ${(minAvail.value * 100).toFixed(1)}% of RAM`)
  return {
    samples: snapshots.length,
    observedSamples: observed,
    psiSomeMaxPct: some,
    psiFullMaxPct: full,
    swapInMaxBytesPerSec: sin,
    availableMinFraction: minAvail,
    swapTotalBytes: swapTotal,
    pressureSeen: findings.length > 0,
    findings
  }
}
