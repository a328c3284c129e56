/**
 * The Live view's charts: the time range, which series each chart shows, and their buffers.
 *
 * A range loads the series shown from the agent's downsampled history (`telemetry:get-series`, min/max
 * per bucket, only the keys on screen); live samples then join the buffers. The x axis always spans the
 * range it names (1 h shows an hour, with data where the agent has it), or the whole session the agent
 * holds. Device limits are constant dashed lines from the shared presentation layer.
 */
import {
  CHART_DEFS,
  compileSeriesKey,
  compileSeriesReading,
  historyKeys,
  listSeries,
  noGpuReason,
  readingText,
  toTemperatureUnit,
  type ChartDef,
  type SeriesDef,
  type TemperatureUnit
} from '$shared/present'
import { MAX_SERIES_PER_QUERY, MAX_SERIES_POINTS, type SeriesResponse } from '$shared/history'
import type { Inventory, Snapshot } from '$shared/telemetry'
import type { Bridge } from '../bridge'
import { SeriesBuffer, type Convert } from './series-buffer'

/** A time range of the Live view. */
export interface TimeRange {
  id: string
  label: string
  /** Range length (ms); null for the whole session. */
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
  /** Lines (values, limits and constants). */
  lines: SeriesDef[]
  /** Throttle band rows (GPU clock chart only). */
  bands: SeriesDef[]
  buffer: SeriesBuffer
  /** Why the chart is empty (one line per missing reading), when it has no lines. */
  empty: string[]
}

/** Buckets asked for: about one per pixel column of a wide chart, bounded by the agent's cap. */
export function bucketsForWidth(viewportWidth: number): number {
  return Math.max(120, Math.min(MAX_SERIES_POINTS, Math.round(viewportWidth / 2)))
}

/** Bucket width no finer than the sample interval (1 s): a 1-minute range has 60 buckets. */
function pointsFor(rangeMs: number, viewportWidth: number, intervalMs: number): number {
  return Math.max(1, Math.min(bucketsForWidth(viewportWidth), Math.floor(rangeMs / intervalMs)))
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
    unit: TemperatureUnit,
    intervalMs = 1000
  ): Promise<void> {
    this.rangeId = rangeId
    const seq = ++this.seq
    const defs = listSeries(inventory, latest)
    const keys = historyKeys(defs).slice(0, MAX_SERIES_PER_QUERY)
    this.signature = signatureOf(latest)
    if (keys.length === 0 || !latest) return
    this.loading = true
    const endMs = latest.timestampMs
    let h: SeriesResponse
    try {
      let rangeMs = this.range.ms
      if (rangeMs === null) {
        // The whole session: ask once what the agent holds, then for exactly that span.
        const probe = await this.bridge.invoke('telemetry:get-series', {
          rangeMs: 1000,
          points: 1,
          series: keys.slice(0, 1),
          endMs
        })
        rangeMs = Math.max(1000, endMs - (probe.oldestMs ?? endMs) + 1)
      }
      h = await this.bridge.invoke('telemetry:get-series', {
        rangeMs,
        points: pointsFor(rangeMs, this.viewportWidth(), intervalMs),
        series: keys,
        endMs
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
    this.readers = new Map(keys.map((k) => [k, compileSeriesKey(k) ?? (() => null)]))
    this.charts = buildCharts(defs, h, inventory, latest, unit)
    this.bucketMs = h.bucketMs
    this.sessionStartMs = h.oldestMs
    this.setSpan(endMs)
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
}

function signatureOf(s: Snapshot | null): string {
  if (!s) return ''
  const disks = s.storage.status === 'ok' ? s.storage.value.devices.map((d) => d.name) : []
  return [...s.gpus.map((g) => g.id), '|', ...disks].join(',')
}

function buildCharts(
  defs: SeriesDef[],
  h: SeriesResponse,
  inventory: Inventory | null,
  latest: Snapshot,
  unit: TemperatureUnit
): ChartModel[] {
  const hasData = (d: SeriesDef): boolean => {
    if (d.role === 'constant') return d.constant?.status === 'ok'
    const s = h.series.find((x) => x.key === d.key)
    if (s && s.max.some((v) => v !== null)) return true
    return compileSeriesKey(d.key)?.(latest) !== null
  }
  const whyMissing = (d: SeriesDef): string | null => {
    if (d.role === 'constant') return null
    const t = readingText(compileSeriesReading(d.key)?.(latest))
    return t.ok ? null : `${d.label}: ${t.reason}`
  }
  const out: ChartModel[] = []
  const noGpu = latest.gpus.length === 0
  for (const def of CHART_DEFS) {
    if (noGpu && def.id === 'power') continue
    const mine = defs.filter((d) => d.chart === def.id)
    const bands = mine.filter((d) => d.role === 'throttle')
    const values = mine.filter((d) => d.role === 'value' && hasData(d))
    // A limit line is drawn only beside a value of its device.
    const lines = mine.filter(
      (d) =>
        (d.role === 'value' && values.includes(d)) ||
        ((d.role === 'limit' || d.role === 'constant') &&
          hasData(d) &&
          values.some((v) => v.group === d.group))
    )
    const missing = mine
      .filter((d) => d.role === 'value' && !values.includes(d))
      .map(whyMissing)
      .filter((x): x is string => x !== null)
    if (lines.length === 0 && def.id === 'disk' && missing.length === 0) {
      const r = latest.storage
      missing.push(r.status === 'ok' ? 'No drives are sampled' : `Drives: ${readingText(r).reason}`)
    }
    if (lines.length === 0 && GPU_CHARTS.has(def.id) && noGpu && inventory)
      missing.unshift(`No GPU: ${noGpuReason(inventory)}`)
    if (lines.length === 0 && missing.length === 0) continue
    const bandKeys = bands.flatMap((b) => b.throttleKeys ?? [])
    const keys = [...bandKeys, ...lines.map((d) => d.key)]
    const constants = new Map<string, number | null>()
    for (const d of lines)
      if (d.role === 'constant')
        constants.set(d.key, d.constant?.status === 'ok' ? d.constant.value : null)
    const convert: Convert[] = keys.map((k) =>
      def.unit === 'celsius' && !k.startsWith('throttle.')
        ? (v: number) => toTemperatureUnit(v, unit)
        : (v: number) => v
    )
    const buffer = new SeriesBuffer(keys, h.bucketMs, convert, constants)
    buffer.fill(h)
    out.push({ def, lines, bands: lines.length > 0 ? bands : [], buffer, empty: missing })
  }
  return out
}
