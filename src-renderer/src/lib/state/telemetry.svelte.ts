/**
 * Live telemetry: the inventory, the latest and previous snapshot, and when the last one arrived.
 *
 * Every view reads "now" from here, so two views never show different live values; charts subscribe
 * through `onSample` and keep their own buffers (see `charts.svelte.ts`).
 */
import { getContext, setContext } from 'svelte'
import type { Inventory, Snapshot } from '$shared/telemetry'
import type { Bridge, ConnectionState } from '../bridge'
import { TELEMETRY_KEY } from './context'

/** Telemetry state. */
export class TelemetryState {
  inventory = $state.raw<Inventory | null>(null)
  latest = $state.raw<Snapshot | null>(null)
  /** The snapshot before `latest` (CPU throttle counters compare the two). */
  previous = $state.raw<Snapshot | null>(null)
  connection = $state<ConnectionState>('connecting')
  error = $state<string | null>(null)
  /** Wall-clock time the last live sample arrived (replays shift timestamps, so use arrival). */
  receivedAtMs = $state(0)
  private listeners = new Set<(s: Snapshot) => void>()
  private offs: (() => void)[] = []

  constructor(private readonly bridge: Bridge) {}

  /** Loads the inventory and the latest snapshot, then follows live samples. */
  async load(): Promise<void> {
    if (this.offs.length === 0) {
      this.offs.push(this.bridge.on('telemetry:did-sample', (s) => this.onSample(s)))
      this.offs.push(this.bridge.onConnection((c) => (this.connection = c)))
    }
    try {
      const [inventory, latest] = await Promise.all([
        this.bridge.invoke('telemetry:get-inventory'),
        this.bridge.invoke('telemetry:get-snapshot')
      ])
      this.inventory = inventory
      if (latest && (this.latest === null || latest.timestampMs > this.latest.timestampMs))
        this.latest = latest
      this.error = null
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e)
    }
  }

  /** Applies one live sample (older or repeated samples are ignored). */
  onSample(s: Snapshot): void {
    if (this.latest !== null && s.timestampMs <= this.latest.timestampMs) return
    this.previous = this.latest
    this.latest = s
    this.receivedAtMs = Date.now()
    for (const l of this.listeners) l(s)
  }

  /** Subscribes to applied samples; returns an unsubscribe function. */
  subscribe(listener: (s: Snapshot) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Unsubscribes from the bridge. */
  dispose(): void {
    for (const off of this.offs) off()
    this.offs = []
    this.listeners.clear()
  }
}

/** Provides telemetry state. */
export function setTelemetry(state: TelemetryState): TelemetryState {
  return setContext(TELEMETRY_KEY, state)
}

/** The telemetry state provided by an ancestor. */
export function getTelemetry(): TelemetryState {
  return getContext<TelemetryState>(TELEMETRY_KEY)
}
