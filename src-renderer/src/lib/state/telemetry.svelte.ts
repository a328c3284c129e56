/**
 * Live telemetry: the inventory, the latest snapshot, and per-chart display buffers for the chosen window.
 *
 * Buffers are plain (non-reactive) objects handed to uPlot; `version` is the one reactive counter charts
 * watch, bumped once per applied sample. While paused, samples still enter the buffers but charts stop
 * redrawing, so the cursor can inspect a frozen picture; resuming catches up at once.
 */
import { getContext, setContext } from 'svelte'
import type { Inventory, Snapshot } from '$shared/telemetry'
import type { Bridge, ConnectionState } from '../bridge'
import {
  bucketMsFor,
  buildSeriesSpecs,
  CHARTS,
  DisplayBuffer,
  type ChartId,
  type SeriesSpec
} from '../charts/series'
import { TELEMETRY_KEY } from './context'

/** Display windows offered by the Live view. */
export const WINDOWS: { label: string; ms: number }[] = [
  { label: '1 min', ms: 60_000 },
  { label: '5 min', ms: 300_000 },
  { label: '1 h', ms: 3_600_000 },
  { label: '24 h', ms: 86_400_000 }
]

/** Most points a chart shows, whatever the window. */
export const MAX_DISPLAY_POINTS = 2000

/** One chart's series and buffer. */
export interface ChartBuffer {
  id: ChartId
  specs: SeriesSpec[]
  buffer: DisplayBuffer
}

function deviceSignature(s: Snapshot): string {
  const disks = s.storage.status === 'ok' ? s.storage.value.devices.map((d) => d.name) : []
  return [...s.gpus.map((g) => g.id), '|', ...disks].join(',')
}

/** Telemetry state. */
export class TelemetryState {
  inventory = $state.raw<Inventory | null>(null)
  latest = $state.raw<Snapshot | null>(null)
  windowMs = $state(300_000)
  paused = $state(false)
  connection = $state<ConnectionState>('connecting')
  error = $state<string | null>(null)
  /** Bumped when charts should redraw. */
  version = $state(0)
  /** Bumped when the chart set (series or buffers) is rebuilt. */
  layout = $state(0)
  charts: ChartBuffer[] = []
  temperatureUnit: 'celsius' | 'fahrenheit' = 'celsius'
  private intervalMs = 1000
  private signature = ''
  private offs: (() => void)[] = []
  private loadSeq = 0

  constructor(private readonly bridge: Bridge) {}

  /** Loads the inventory and the current window, then follows live samples. */
  async load(): Promise<void> {
    if (this.offs.length === 0) {
      this.offs.push(this.bridge.on('telemetry:did-sample', (s) => this.onSample(s)))
      this.offs.push(this.bridge.onConnection((c) => (this.connection = c)))
    }
    try {
      this.inventory = await this.bridge.invoke('telemetry:get-inventory')
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e)
    }
    await this.setWindow(this.windowMs)
  }

  /** Switches the display window and reloads its history. */
  async setWindow(windowMs: number): Promise<void> {
    this.windowMs = windowMs
    const seq = ++this.loadSeq
    let history: Snapshot[]
    try {
      history = await this.bridge.invoke('telemetry:get-history', {
        windowMs,
        maxPoints: MAX_DISPLAY_POINTS
      })
      this.error = null
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e)
      return
    }
    if (seq !== this.loadSeq) return
    // The sample interval is the smallest spacing in the history (a downsampled history only widens it,
    // and then the display bucket is at least that wide anyway).
    let minDelta = Infinity
    for (let i = 1; i < history.length; i++) {
      const d = history[i]!.timestampMs - history[i - 1]!.timestampMs
      if (d > 0 && d < minDelta) minDelta = d
    }
    if (Number.isFinite(minDelta)) this.intervalMs = Math.max(100, minDelta)
    const last = history.at(-1) ?? this.latest
    this.rebuild(last)
    for (const s of history) this.pushToBuffers(s)
    if (last && (this.latest === null || last.timestampMs >= this.latest.timestampMs))
      this.latest = last
    this.version++
  }

  /** Changes the temperature unit of the charts (reloads the window). */
  async setTemperatureUnit(unit: 'celsius' | 'fahrenheit'): Promise<void> {
    if (unit === this.temperatureUnit) return
    this.temperatureUnit = unit
    this.signature = ''
    await this.setWindow(this.windowMs)
  }

  /** Wall-clock time the last live sample arrived (replays shift sample timestamps, so use arrival). */
  receivedAtMs = $state(0)

  /** Applies one live sample. */
  onSample(s: Snapshot): void {
    if (this.latest !== null && s.timestampMs < this.latest.timestampMs) return
    this.latest = s
    this.receivedAtMs = Date.now()
    if (deviceSignature(s) !== this.signature) {
      // A device appeared or vanished: rebuild series and start the window afresh from this sample.
      this.rebuild(s)
    }
    this.pushToBuffers(s)
    if (!this.paused) this.version++
  }

  /** Pauses or resumes chart updates. */
  setPaused(paused: boolean): void {
    this.paused = paused
    if (!paused) this.version++
  }

  private rebuild(sample: Snapshot | null): void {
    this.signature = sample ? deviceSignature(sample) : ''
    const specs = buildSeriesSpecs(this.inventory, sample, this.temperatureUnit)
    const bucketMs = bucketMsFor(this.windowMs, this.intervalMs, MAX_DISPLAY_POINTS)
    this.charts = CHARTS.map((c) => {
      const mine = specs.filter((s) => s.chart === c.id)
      return {
        id: c.id,
        specs: mine,
        buffer: new DisplayBuffer(
          mine.map((s) => s.agg),
          this.windowMs,
          bucketMs
        )
      }
    }).filter((c) => c.specs.length > 0)
    this.layout++
  }

  private pushToBuffers(s: Snapshot): void {
    for (const chart of this.charts) {
      const row = new Array<number | null>(chart.specs.length)
      for (let i = 0; i < chart.specs.length; i++) row[i] = chart.specs[i]!.extract(s)
      chart.buffer.push(s.timestampMs, row)
    }
  }

  /** Unsubscribes from the bridge. */
  dispose(): void {
    for (const off of this.offs) off()
    this.offs = []
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
