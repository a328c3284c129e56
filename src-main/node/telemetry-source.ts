/**
 * Where snapshots come from: the live sampler or a replayed session. Every face talks to this.
 */
import type { CollectorHealth, Snapshot } from '../shared/telemetry'

/** A snapshot source (live sampler or replay). */
export interface TelemetrySource {
  start(): void
  stop(): Promise<void>
  /** Produces one snapshot now (live: a tick; replay: the next recorded snapshot). */
  tick(): Promise<Snapshot>
  latest(): Snapshot | null
  /** Snapshots newer than `sinceMs`. */
  history(sinceMs: number): Snapshot[]
  health(): CollectorHealth[]
  subscribe(listener: (s: Snapshot) => void): () => void
  /**
   * Changes the sampling cadence (ms) from the next tick on. Live samplers implement it; a replay keeps
   * the recording's cadence and leaves it out.
   */
  setIntervalMs?(intervalMs: number): void
}
