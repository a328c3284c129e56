/**
 * Fleet view types: RigReady instances as a Prometheus server sees them.
 *
 * The engine queries the configured Prometheus (PromQL over its HTTP API, bounded and with timeouts) and
 * answers one row per instance that exports `rigready_*` metrics. Every value is a Reading: an instance
 * without a GPU has `hottest` unavailable with a reason, never a 0 °C device. Credentials go in with
 * `fleet:set-config` and never come back out (`FleetConfigView` tells only which kind is set).
 */
import type { Reading } from './reading'

/** How the engine authenticates to Prometheus. */
export type FleetAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string }

/** What the user configures. */
export interface FleetConfig {
  /** Base URL of the Prometheus server (`https://prometheus.lan:9090`, a path prefix is kept); null = off. */
  prometheusUrl: string | null
  auth: FleetAuth
}

/** The configuration as shown back to the UI (no secrets). */
export interface FleetConfigView {
  prometheusUrl: string | null
  authKind: FleetAuth['kind']
  username: string | null
  /**
   * Where the credentials live: `memory` (this agent's memory only, lost on restart), `encrypted` (the
   * desktop app's OS keychain through Electron safeStorage), or `none` when no secret is set.
   */
  storage: 'none' | 'memory' | 'encrypted'
}

/** The hottest device of an instance, against its own limit. */
export interface FleetHottestDevice {
  /** `gpu0`, `cpu`, `nvme0n1`. */
  device: string
  temperatureCelsius: number
  /** The device's own limit (GPU slowdown, drive warning temperature), when known. */
  limitCelsius: Reading<number>
}

/** Throttling over the last 24 h, from the throttle counters. */
export interface FleetThrottle24h {
  /** Largest throttled share of observed time over the instance's devices (0–1). */
  throttledFraction: number
  /** Share of observed time per cause on the worst device for that cause (0–1). */
  byCause: Record<string, number>
  /** Observed seconds on the device with the most observation. */
  observedSeconds: number
}

/** One RigReady instance in the fleet. */
export interface FleetInstance {
  /** Prometheus `instance` label (`host:port`). */
  instance: string
  job: string
  hostname: Reading<string>
  version: Reading<string>
  /** Whether Prometheus's latest scrape succeeded. */
  up: Reading<boolean>
  /** The agent's own UI (`http(s)://host:port/`) from the scrape URL. */
  agentUrl: Reading<string>
  /** Whether this engine could reach the agent's `/healthz` just now. */
  reachable: Reading<boolean>
  trainingScore: Reading<number>
  inferenceScore: Reading<number>
  hottest: Reading<FleetHottestDevice>
  /** Causes active now (empty: observed and not throttled). */
  throttlingNow: Reading<string[]>
  throttled24h: Reading<FleetThrottle24h>
  /** Time of the newest snapshot Prometheus holds from the instance (epoch ms). */
  lastSeenMs: Reading<number>
}

/** The fleet as one query saw it. */
export interface FleetOverview {
  prometheusUrl: string
  queriedAtMs: number
  instances: FleetInstance[]
  /** Queries that failed (the rows show those values as unavailable). */
  errors: string[]
  /** True when more instances exist than were listed. */
  truncated: boolean
}
