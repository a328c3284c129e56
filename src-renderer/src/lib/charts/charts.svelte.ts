/**
 * The Live view's charts: the time range, which series each chart shows, and their buffers.
 *
 * A range loads the series shown from the agent, downsampled to min/max per bucket
 * (`telemetry:get-series`); live samples then join the buffers. The x axis always spans the range it
 * names (1 h shows an hour, with data where the agent has it), or the whole session.
 */
import {
  CHART_DEFS,
  compileSeriesKey,
  compileSeriesReading,
  listSeries,
  noGpuReason,
  readingText,
  toTemperatureUnit,
  type ChartDef,
  type SeriesDef,
  type SeriesHistory,
  type TemperatureUnit
} from '$shared/present'
import type { Inventory, Snapshot } from '$shared/telemetry'
import type { Bridge } from '../bridge'
import { SeriesBuffer, type Convert } from './series-buffer'

/** A time range of the Live view. */
export interface TimeRange {
  id: string
  label: string
  /** Window length (ms); null for the whole session. */
  ms: number | null
}

/** The ranges offered, shortest first. */
export const TIME_RANGES: readonly TimeRange[] = [
  { id: '1m', label: '1 min', ms: 60_000 },
  { id: '5m', label: '5 min', ms: 300_000 },
  { id: '15m', label: '15 min', ms: 900_000 },
  { id: '1h', label: '1 h', ms: 3_600_000 },
  { id: '6h', label: '6 h', ms: 21_600_000 },
  { id: '24h', label: '24 h', ms: 86_400_000 },
  { id: 'session', label: 'Session', ms: null }
]

/** One chart: its lines, its throttle band rows, its buffer, or why it has nothing to show. */
export interface ChartModel {
  def: ChartDef
  /** Lines, in buffer order after the bands. */
  lines: SeriesDef[]
  /** Throttle band rows (GPU clock chart only), in buffer order first. */
  bands: SeriesDef[]
  buffer: SeriesBuffer
  /** Why the chart is empty (one line per missing reading), when it has no lines. */
  empty: string[]
}

/** Buckets asked for: about one per pixel column of a wide chart, bounded. */
export function bucketsForWidth(viewportWidth: number): number {
  return Math.max(300, Math.min(1500, Math.round(viewportWidth)))
}

const GPU_CHARTS = new Set(['gpu-clocks', 'power'])

/** Charts state. */
export class ChartsState {
  rangeId = $state('5m')
  /** Bumped once per applied sample (charts redraw on it). */
  version = $state(0)
  /** Bumped when the chart set or buffers are rebuilt. */
  layout = $state(0)
  /** The span on screen (ms). */
  fromMs = $state(0)
  toMs = $state(0)
  /** Oldest sample the agent holds (ms). */
  sessionStartMs = $state<number | null>(null)
  bucketMs = $state(1000)
  loading = $state(false)
  error = $state<string | null>(null)
  paused = $state(false)
  charts: ChartModel[] = []
  private unit: TemperatureUnit = 'celsius'
  private seq = 0
  private signature = ''
  private readers = new Map<string, (s: Snapshot) => number | null>()

  constructor(
    private readonly bridge: Bridge,
    private readonly viewportWidth: () => number = () =>
      typeof window === 'undefined' ? 1280 : window.innerWidth
  ) {}

  /** The selected range. */
  get range(): TimeRange {
    return TIME_RANGES.find((r) => r.id === this.rangeId) ?? TIME_RANGES[1]!
  }

  /** Loads a range for the machine in `inventory`/`latest`. */
  async load(
    rangeId: string,
    inventory: Inventory | null,
    latest: Snapshot | null,
    unit: TemperatureUnit
  ): Promise<void> {
    this.rangeId = rangeId
    this.unit = unit
    const seq = ++this.seq
    const defs = listSeries(inventory, latest, { onlyAvailable: false })
    const keys = defs.map((d) => d.key)
    this.signature = signatureOf(latest)
    if (keys.length === 0) return
    this.loading = true
    let h: SeriesHistory
    try {
      h = await this.bridge.invoke('telemetry:get-series', {
        keys,
        windowMs: this.range.ms,
        buckets: bucketsForWidth(this.viewportWidth())
      })
      this.error = null
    } catch (e) {
      if (seq === this.seq) {
        this.error = e instanceof Error ? e.message : String(e)
        this.loading = false
      }
      return
    }
    if (seq !== this.seq) return
    this.loading = false
    this.readers = new Map(keys.map((k) => [k, compileSeriesKey(k, inventory) ?? (() => null)]))
    this.charts = buildCharts(defs, h, inventory, latest, unit)
    this.bucketMs = h.bucketMs
    this.sessionStartMs = h.sessionStartMs
    this.setSpan(h.toMs || (latest?.timestampMs ?? Date.now()))
    this.layout++
    this.version++
  }

  /** True when a sample shows a different set of devices than the charts were built for. */
  needsRebuild(s: Snapshot): boolean {
    return signatureOf(s) !== this.signature
  }

  private setSpan(toMs: number): void {
    this.toMs = toMs
    const ms = this.range.ms
    this.fromMs = ms === null ? (this.sessionStartMs ?? toMs) : toMs - ms
  }

  /** Applies one live sample to every buffer. */
  onSample(s: Snapshot): void {
    if (this.charts.length === 0) return
    if (this.sessionStartMs === null) this.sessionStartMs = s.timestampMs
    for (const c of this.charts) {
      const keys = c.buffer.keys
      const row = new Array<number | null>(keys.length)
      for (let i = 0; i < keys.length; i++) row[i] = this.readers.get(keys[i]!)?.(s) ?? null
      c.buffer.push(s.timestampMs, row)
    }
    this.setSpan(Math.max(this.toMs, s.timestampMs))
    for (const c of this.charts) c.buffer.trim(this.fromMs)
    if (!this.paused) this.version++
  }

  /** Pauses or resumes redraws (samples still enter the buffers). */
  setPaused(paused: boolean): void {
    this.paused = paused
    if (!paused) this.version++
  }

  /** The temperature unit the buffers hold. */
  get temperatureUnit(): TemperatureUnit {
    return this.unit
  }
}

function signatureOf(s: Snapshot | null): string {
  if (!s) return ''
  const disks = s.storage.status === 'ok' ? s.storage.value.devices.map((d) => d.name) : []
  return [...s.gpus.map((g) => g.id), '|', ...disks].join(',')
}

function buildCharts(
  defs: SeriesDef[],
  h: SeriesHistory,
  inventory: Inventory | null,
  latest: Snapshot | null,
  unit: TemperatureUnit
): ChartModel[] {
  const hasData = (key: string): boolean => {
    const s = h.series.find((x) => x.key === key)
    if (s && s.max.some((v) => v !== null)) return true
    if (!latest) return false
    return compileSeriesKey(key, inventory)?.(latest) !== null
  }
  const whyMissing = (d: SeriesDef): string | null => {
    if (!latest) return `${d.label}: no sample yet`
    const r = compileSeriesReading(d.key, inventory)?.(latest)
    const t = readingText(r)
    return t.ok ? null : `${d.label}: ${t.reason}`
  }
  const out: ChartModel[] = []
  const noGpu = (latest?.gpus.length ?? 0) === 0
  for (const def of CHART_DEFS) {
    if (noGpu && def.id === 'power') continue
    const mine = defs.filter((d) => d.chart === def.id)
    const bands = mine.filter((d) => d.role === 'throttle')
    const lines = mine.filter((d) => d.role !== 'throttle' && hasData(d.key))
    const missing = mine
      .filter((d) => d.role !== 'throttle' && !lines.includes(d))
      .map(whyMissing)
      .filter((x): x is string => x !== null)
    if (lines.length === 0 && def.id === 'disk' && missing.length === 0 && latest) {
      const r = latest.storage
      missing.push(r.status === 'ok' ? 'No drives are sampled' : `Drives: ${readingText(r).reason}`)
    }
    if (lines.length === 0 && GPU_CHARTS.has(def.id) && noGpu && inventory)
      missing.unshift(`No GPU: ${noGpuReason(inventory)}`)
    if (lines.length === 0 && missing.length === 0) continue
    // Lines and their limits share a scale only where they measure the same thing (°C with °C…);
    // every chart has one unit, and GPU and CPU clocks are separate charts.
    const convert: Convert[] = [...bands, ...lines].map((d) =>
      def.unit === 'celsius' && d.role !== 'throttle'
        ? (v: number) => toTemperatureUnit(v, unit)
        : (v: number) => v
    )
    const keys = [...bands, ...lines].map((d) => d.key)
    const buffer = new SeriesBuffer(keys, h.bucketMs, convert)
    buffer.fill(h)
    out.push({ def, lines, bands: lines.length > 0 ? bands : [], buffer, empty: missing })
  }
  return out
}
