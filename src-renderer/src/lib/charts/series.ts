/**
 * Chart series: which numbers each chart plots, and a bounded, bucketed buffer that keeps a display
 * window at most `maxPoints` long however long the history is.
 *
 * A 24 h window at 1 Hz is 86 400 samples; the buffer merges samples into `windowMs / maxPoints` buckets
 * as they arrive (mean or peak per series), so adding one sample costs O(series), never O(history).
 * Unavailable readings become `null`, which uPlot draws as a gap.
 */
import type { GpuSample, Inventory, Snapshot } from '$shared/telemetry'
import type { Reading } from '$shared/reading'

/** The charts of the Live view. */
export type ChartId = 'utilization' | 'clocks' | 'temperature' | 'power' | 'memory' | 'disk'

/** Axis unit of a chart. */
export type ChartUnit = 'pct' | 'mhz' | 'celsius' | 'fahrenheit' | 'watts' | 'bytes' | 'rate'

/** One plotted line. */
export interface SeriesSpec {
  key: string
  label: string
  chart: ChartId
  /** Thresholds and limits are dashed. */
  dashed: boolean
  /** How samples merge inside a bucket: limits and temperatures keep the peak. */
  agg: 'mean' | 'max'
  extract: (s: Snapshot) => number | null
}

/** Chart titles and units. */
export const CHARTS: { id: ChartId; title: string; unit: ChartUnit }[] = [
  { id: 'utilization', title: 'Utilisation', unit: 'pct' },
  { id: 'clocks', title: 'Clocks against maximum', unit: 'mhz' },
  { id: 'temperature', title: 'Temperatures against limits', unit: 'celsius' },
  { id: 'power', title: 'Power against limit', unit: 'watts' },
  { id: 'memory', title: 'VRAM and RAM use', unit: 'bytes' },
  { id: 'disk', title: 'Disk throughput', unit: 'rate' }
]

function val(r: Reading<number> | undefined): number | null {
  return r !== undefined && r.status === 'ok' && Number.isFinite(r.value) ? r.value : null
}

function gpuOf(s: Snapshot, id: string): GpuSample | undefined {
  return s.gpus.find((g) => g.id === id)
}

/**
 * Builds the series for a machine: per GPU utilisation, SM clock vs max, temperature vs slowdown, power vs
 * limit, VRAM; CPU utilisation, frequency vs max, package temperature; RAM; per disk read/write and
 * temperature vs its own max.
 */
export function buildSeriesSpecs(
  inventory: Inventory | null,
  sample: Snapshot | null,
  unit: 'celsius' | 'fahrenheit' = 'celsius'
): SeriesSpec[] {
  const t = (c: number | null): number | null =>
    c === null ? null : unit === 'fahrenheit' ? (c * 9) / 5 + 32 : c
  const specs: SeriesSpec[] = []
  const add = (
    s: Omit<SeriesSpec, 'dashed' | 'agg'> & Partial<Pick<SeriesSpec, 'dashed' | 'agg'>>
  ): void => {
    specs.push({ dashed: false, agg: 'mean', ...s })
  }
  const gpus = sample?.gpus ?? []
  for (const g of gpus) {
    const info = inventory?.gpus.find((x) => x.id === g.id)
    const name = `GPU ${g.index}`
    const id = g.id
    add({
      key: `${id}/util`,
      label: `${name} util`,
      chart: 'utilization',
      extract: (s) => val(gpuOf(s, id)?.utilizationPct)
    })
    add({
      key: `${id}/sm`,
      label: `${name} SM clock`,
      chart: 'clocks',
      extract: (s) => val(gpuOf(s, id)?.clockSmMhz)
    })
    add({
      key: `${id}/sm-max`,
      label: `${name} max`,
      chart: 'clocks',
      dashed: true,
      agg: 'max',
      extract: (s) => val(gpuOf(s, id)?.clockMaxSmMhz) ?? val(info?.clockMaxSmMhz)
    })
    add({
      key: `${id}/temp`,
      label: `${name} temp`,
      chart: 'temperature',
      agg: 'max',
      extract: (s) => t(val(gpuOf(s, id)?.temperatureCelsius))
    })
    if (info && info.tempSlowdownCelsius.status === 'ok') {
      const limit = info.tempSlowdownCelsius.value
      add({
        key: `${id}/temp-slowdown`,
        label: `${name} slowdown`,
        chart: 'temperature',
        dashed: true,
        agg: 'max',
        extract: () => t(limit)
      })
    }
    add({
      key: `${id}/power`,
      label: `${name} power`,
      chart: 'power',
      agg: 'max',
      extract: (s) => val(gpuOf(s, id)?.powerDrawWatts)
    })
    add({
      key: `${id}/power-limit`,
      label: `${name} limit`,
      chart: 'power',
      dashed: true,
      agg: 'max',
      extract: (s) => val(gpuOf(s, id)?.powerLimitWatts)
    })
    add({
      key: `${id}/vram`,
      label: `${name} VRAM`,
      chart: 'memory',
      agg: 'max',
      extract: (s) => val(gpuOf(s, id)?.memoryUsedBytes)
    })
  }
  add({
    key: 'cpu/util',
    label: 'CPU util',
    chart: 'utilization',
    extract: (s) => (s.cpu.status === 'ok' ? val(s.cpu.value.utilizationPct) : null)
  })
  add({
    key: 'cpu/freq',
    label: 'CPU clock',
    chart: 'clocks',
    extract: (s) => (s.cpu.status === 'ok' ? val(s.cpu.value.frequencyMhz) : null)
  })
  add({
    key: 'cpu/freq-max',
    label: 'CPU max',
    chart: 'clocks',
    dashed: true,
    agg: 'max',
    extract: (s) => (s.cpu.status === 'ok' ? val(s.cpu.value.frequencyMaxMhz) : null)
  })
  add({
    key: 'cpu/temp',
    label: 'CPU package',
    chart: 'temperature',
    agg: 'max',
    extract: (s) => (s.cpu.status === 'ok' ? t(val(s.cpu.value.packageTemperatureCelsius)) : null)
  })
  add({
    key: 'ram/used',
    label: 'RAM used',
    chart: 'memory',
    agg: 'max',
    extract: (s) => (s.memory.status === 'ok' ? val(s.memory.value.usedBytes) : null)
  })
  add({
    key: 'ram/total',
    label: 'RAM total',
    chart: 'memory',
    dashed: true,
    agg: 'max',
    extract: (s) => (s.memory.status === 'ok' ? val(s.memory.value.totalBytes) : null)
  })
  const disks = sample && sample.storage.status === 'ok' ? sample.storage.value.devices : []
  for (const d of disks) {
    const name = d.name
    const dev = (s: Snapshot) =>
      s.storage.status === 'ok' ? s.storage.value.devices.find((x) => x.name === name) : undefined
    add({
      key: `disk/${name}/read`,
      label: `${name} read`,
      chart: 'disk',
      extract: (s) => val(dev(s)?.readBytesPerSec)
    })
    add({
      key: `disk/${name}/write`,
      label: `${name} write`,
      chart: 'disk',
      extract: (s) => val(dev(s)?.writeBytesPerSec)
    })
    if (d.temperatureCelsius.status === 'ok') {
      add({
        key: `disk/${name}/temp`,
        label: `${name} temp`,
        chart: 'temperature',
        agg: 'max',
        extract: (s) => t(val(dev(s)?.temperatureCelsius))
      })
      if (d.tempMaxCelsius.status === 'ok') {
        const max = d.tempMaxCelsius.value
        add({
          key: `disk/${name}/temp-max`,
          label: `${name} max`,
          chart: 'temperature',
          dashed: true,
          agg: 'max',
          extract: () => t(max)
        })
      }
    }
  }
  return specs
}

/**
 * A bucketed time-series table for one chart: `x` in seconds (uPlot's convention), one column per series.
 *
 * Arrays are kept as plain arrays and handed to uPlot directly (no copy per update).
 */
export class DisplayBuffer {
  readonly x: number[] = []
  readonly cols: (number | null)[][]
  private readonly counts: number[][]
  private readonly aggs: ('mean' | 'max')[]

  constructor(
    aggs: ('mean' | 'max')[],
    readonly windowMs: number,
    readonly bucketMs: number
  ) {
    this.aggs = aggs
    this.cols = aggs.map(() => [])
    this.counts = aggs.map(() => [])
  }

  /** Number of display points. */
  get length(): number {
    return this.x.length
  }

  /** Adds one sample (`timestampMs`, one value per series, null = unavailable). Out-of-order samples are ignored. */
  push(timestampMs: number, values: (number | null)[]): void {
    const bucketStartMs = Math.floor(timestampMs / this.bucketMs) * this.bucketMs
    const xs = bucketStartMs / 1000
    const n = this.x.length
    const lastX = n > 0 ? this.x[n - 1]! : -Infinity
    if (xs < lastX) return
    if (xs === lastX && this.bucketMs > 1) {
      for (let c = 0; c < this.cols.length; c++) {
        const v = values[c] ?? null
        if (v === null) continue
        const col = this.cols[c]!
        const cnt = this.counts[c]!
        const prev = col[n - 1] ?? null
        const k = cnt[n - 1] ?? 0
        if (prev === null || k === 0) {
          col[n - 1] = v
          cnt[n - 1] = 1
        } else if (this.aggs[c] === 'max') {
          col[n - 1] = v > prev ? v : prev
          cnt[n - 1] = k + 1
        } else {
          col[n - 1] = prev + (v - prev) / (k + 1)
          cnt[n - 1] = k + 1
        }
      }
    } else {
      this.x.push(xs)
      for (let c = 0; c < this.cols.length; c++) {
        const v = values[c] ?? null
        this.cols[c]!.push(v)
        this.counts[c]!.push(v === null ? 0 : 1)
      }
    }
    this.trim(timestampMs)
  }

  /** Drops points older than the window before `nowMs`. */
  trim(nowMs: number): void {
    const minX = (nowMs - this.windowMs) / 1000
    let drop = 0
    while (drop < this.x.length && this.x[drop]! < minX) drop++
    if (drop === 0) return
    this.x.splice(0, drop)
    for (const col of this.cols) col.splice(0, drop)
    for (const cnt of this.counts) cnt.splice(0, drop)
  }

  /** uPlot's AlignedData view over the buffer (same arrays, no copy). */
  data(): [number[], ...(number | null)[][]] {
    return [this.x, ...this.cols]
  }
}

/** Bucket size for a window: the sample interval, or wider so the window holds at most `maxPoints`. */
export function bucketMsFor(windowMs: number, intervalMs: number, maxPoints: number): number {
  const interval = Math.max(1, intervalMs)
  return Math.max(interval, Math.ceil(windowMs / Math.max(1, maxPoints) / interval) * interval)
}
