/**
 * Throttle detection: turns a Snapshot stream into throttle episodes with causes, per-device window
 * summaries with coverage, and sustained-operation evidence for readiness.
 *
 * Rules (READINESS.md "Throttling"; telemetry reference §3.1–3.6, §7 items 4–8) live one file per device
 * class (`gpu.ts`, `cpu.ts`, `storage.ts`, `power.ts`) behind the `ThrottleRule` interface (`rule.ts`);
 * `tracker.ts` is the one incremental tracker, `episodes.ts` the bounded episode book, `summary.ts` the
 * window summaries. Batch analysis of a recording is a replay into the tracker.
 */
import type { SustainedEvidence, ThrottleEvent, ThrottleSummary } from '../../shared/readiness'
import type { Inventory, Snapshot } from '../../shared/telemetry'
import { DEFAULT_THROTTLE_OPTIONS, type ThrottleOptions } from './options'
import { fin } from './rule'
import { createThrottleTracker, type ThrottleAnalysis } from './tracker'

export { DEFAULT_THROTTLE_OPTIONS, type ThrottleOptions } from './options'
export type { ThrottleRule, DeviceKind, CauseHit, RuleTick, TickContext } from './rule'
export { createThrottleTracker, type ThrottleAnalysis, type ThrottleTracker } from './tracker'

function batchOptions(
  snapshots: Snapshot[],
  options: Partial<ThrottleOptions> | undefined
): Partial<ThrottleOptions> {
  let min = Infinity
  let max = -Infinity
  for (const s of snapshots) {
    const t = s?.timestampMs
    if (!fin(t)) continue
    if (t < min) min = t
    if (t > max) max = t
  }
  const span = Number.isFinite(min) ? (max - min) / 1000 : 0
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
 * Replays a recorded stream into one tracker and analyses the window ending at the last snapshot.
 *
 * The window covers the whole recording unless `options.windowSeconds` is given; events, summaries and
 * sustained evidence are all of that window.
 */
export function analyzeThrottle(
  snapshots: Snapshot[],
  inventory: Inventory | null,
  options?: Partial<ThrottleOptions>
): ThrottleAnalysis {
  const t = createThrottleTracker(batchOptions(snapshots, options))
  for (const s of snapshots) t.push(s, inventory ?? undefined)
  return t.analysis(lastTimestamp(snapshots))
}

/** Events and summaries of a recorded stream (see {@link analyzeThrottle}). */
export function detectThrottle(
  snapshots: Snapshot[],
  inventory: Inventory | null,
  options?: Partial<ThrottleOptions>
): { events: ThrottleEvent[]; summaries: ThrottleSummary[] } {
  const a = analyzeThrottle(snapshots, inventory, options)
  return { events: a.events, summaries: a.summaries }
}

/** Sustained-operation evidence of a recorded stream (see {@link analyzeThrottle}). */
export function summarizeSustained(
  snapshots: Snapshot[],
  inventory: Inventory | null,
  options?: Partial<ThrottleOptions>
): SustainedEvidence {
  return analyzeThrottle(snapshots, inventory, options).sustained
}
