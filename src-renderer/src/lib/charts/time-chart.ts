/**
 * A thin uPlot wrapper for the Live view's time-series charts.
 *
 * Colours come from the theme's CSS variables (read at creation; charts are recreated on theme change).
 * Values arrive already in display units; the axis and legend format them with the chart's unit. Charts in
 * the same sync group share a cursor, so inspecting one time shows it on every chart.
 */
import uPlot from 'uplot'
import { formatBytes, formatMhz, formatPercent, formatRate, formatWatts } from '../format/units'
import type { ChartUnit } from './series'

/** One line on a chart. */
export interface LineSpec {
  label: string
  dashed: boolean
}

/** Options for createTimeChart. */
export interface TimeChartOptions {
  title: string
  unit: ChartUnit
  lines: LineSpec[]
  width: number
  height: number
  syncKey?: string
}

/** Formats a value in the chart's unit. */
export function formatForUnit(unit: ChartUnit, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  switch (unit) {
    case 'pct':
      return formatPercent(v)
    case 'mhz':
      return formatMhz(v)
    case 'celsius':
      return `${v.toFixed(0)} °C`
    case 'fahrenheit':
      return `${v.toFixed(0)} °F`
    case 'watts':
      return Math.abs(v) >= 100 || Number.isInteger(v) ? `${Math.round(v)} W` : formatWatts(v)
    case 'bytes':
      return formatBytes(v)
    case 'rate':
      return formatRate(v)
  }
}

/** The palette: CSS variables `--series-0` … `--series-7` from the active theme. */
function palette(): string[] {
  const style = getComputedStyle(document.documentElement)
  const out: string[] = []
  for (let i = 0; i < 8; i++) out.push(style.getPropertyValue(`--series-${i}`).trim() || '#888')
  return out
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback
}

/** Tick steps for byte axes: 1, 2, 4 … 512 of each binary unit, so labels read 8 GiB, 16 GiB, not 18.6 GiB. */
const BINARY_INCRS: number[] = [1, 1024, 1024 ** 2, 1024 ** 3, 1024 ** 4].flatMap((unit) =>
  [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * unit)
)

const two = (n: number): string => (n < 10 ? '0' : '') + n

/** Time-axis labels: `HH:MM` when ticks are a minute or more apart, else `HH:MM:SS` (cheaper than uPlot's date templates). */
function timeAxisValues(
  _u: uPlot,
  splits: number[],
  _axisIdx: number,
  _space: number,
  incr: number
): string[] {
  return splits.map((s) => {
    const d = new Date(s * 1000)
    const hm = `${two(d.getHours())}:${two(d.getMinutes())}`
    return incr >= 60 ? hm : `${hm}:${two(d.getSeconds())}`
  })
}

/**
 * A line path builder that draws at most two vertices per pixel column: the column's lowest and highest
 * value, in the order they occur. uPlot's own linear builder only merges points per column once there
 * are four times more points than pixels; a 24 h window keeps up to 2000 points on a ~600 px plot, so
 * without this every redraw strokes three times more segments than the screen can show. Peaks survive
 * (the min and max of each column are kept), gaps (null) lift the pen.
 */
export function columnMinMaxPaths(
  u: uPlot,
  seriesIdx: number,
  idx0: number,
  idx1: number
): uPlot.Series.Paths | null {
  const xs = u.data[0]
  const ys = u.data[seriesIdx]
  const scaleKey = u.series[seriesIdx]?.scale ?? 'y'
  const sx = u.scales.x
  const sy = u.scales[scaleKey]
  if (!ys || !sx || !sy || sx.min == null || sx.max == null || sy.min == null || sy.max == null)
    return null
  const x0 = u.valToPos(sx.min, 'x', true)
  const x1 = u.valToPos(sx.max, 'x', true)
  const y0 = u.valToPos(sy.min, scaleKey, true)
  const y1 = u.valToPos(sy.max, scaleKey, true)
  const kx = sx.max === sx.min ? 0 : (x1 - x0) / (sx.max - sx.min)
  const ky = sy.max === sy.min ? 0 : (y1 - y0) / (sy.max - sy.min)
  const stroke = new Path2D()
  let col = NaN
  let penDown = false
  // The current column: its lowest and highest y (canvas px) and which of them came first.
  let lo = 0
  let hi = 0
  let loFirst = true
  const flush = (): void => {
    if (Number.isNaN(col)) return
    const a = loFirst ? lo : hi
    const b = loFirst ? hi : lo
    if (penDown) stroke.lineTo(col, a)
    else stroke.moveTo(col, a)
    if (b !== a) stroke.lineTo(col, b)
    penDown = true
  }
  for (let i = idx0; i <= idx1; i++) {
    const v = ys[i]
    if (v === null || v === undefined) {
      flush()
      col = NaN
      penDown = false
      continue
    }
    const px = Math.round(x0 + (xs[i]! - sx.min) * kx)
    const py = y0 + (v - sy.min) * ky
    if (px !== col) {
      flush()
      col = px
      lo = hi = py
      loFirst = true
    } else if (py < lo) {
      if (hi === lo) loFirst = false
      lo = py
    } else if (py > hi) {
      if (hi === lo) loFirst = true
      hi = py
    }
  }
  flush()
  return { stroke, fill: null, clip: null, band: null }
}

/** Text for the inspect readout at data index `idx`. */
function readoutText(u: uPlot, idx: number, unit: ChartUnit): string {
  const x = u.data[0][idx]
  if (x === undefined) return ''
  const d = new Date(x * 1000)
  const parts = [`${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`]
  for (let i = 1; i < u.series.length; i++) {
    const v = u.data[i]?.[idx]
    parts.push(
      `${u.series[i]!.label ?? ''} ${v === null || v === undefined ? 'n/a' : formatForUnit(unit, v)}`
    )
  }
  return parts.join(' · ')
}

/**
 * Creates a chart inside `el`.
 *
 * The legend is static (labels and colours); values under the cursor go to `readout`, written only while
 * the cursor is on the chart, because a live legend costs more per redraw than the lines themselves.
 */
export function createTimeChart(
  el: HTMLElement,
  opts: TimeChartOptions,
  data: uPlot.AlignedData,
  readout?: HTMLElement
): uPlot {
  const colours = palette()
  const axisColour = cssVar('--text-muted', '#666')
  const gridColour = cssVar('--border', '#ddd')
  const font = `12px ${cssVar('--font-ui', 'system-ui')}`
  const axisValues = (_u: uPlot, splits: number[]): string[] =>
    splits.map((v) => formatForUnit(opts.unit, v))
  const series: uPlot.Series[] = [
    {},
    ...opts.lines.map((line, i) => ({
      label: line.label,
      stroke: colours[i % colours.length],
      width: 1,
      dash: line.dashed ? [6, 4] : undefined,
      spanGaps: false,
      points: { show: false },
      paths: columnMinMaxPaths,
      value: (_u: uPlot, v: number | null) => formatForUnit(opts.unit, v)
    }))
  ]
  const options: uPlot.Options = {
    title: undefined,
    width: opts.width,
    height: opts.height,
    pxAlign: 1,
    series,
    cursor: {
      sync: opts.syncKey ? { key: opts.syncKey } : undefined,
      drag: { x: false, y: false }
    },
    legend: { live: false },
    hooks: readout
      ? {
          setCursor: [
            (u: uPlot) => {
              const idx = u.cursor.idx
              readout.textContent =
                idx === null || idx === undefined ? '' : readoutText(u, idx, opts.unit)
            }
          ]
        }
      : {},
    scales: {
      x: { time: true },
      y: {
        range:
          opts.unit === 'pct'
            ? [0, 100]
            : (_u, min, max) => [Math.min(0, min ?? 0), (max ?? 1) * 1.08 || 1]
      }
    },
    axes: [
      {
        stroke: axisColour,
        grid: { stroke: gridColour, width: 1 },
        ticks: { stroke: gridColour },
        font,
        values: timeAxisValues
      },
      {
        stroke: axisColour,
        grid: { stroke: gridColour, width: 1 },
        ticks: { stroke: gridColour },
        font,
        values: axisValues,
        size: 78,
        ...(opts.unit === 'bytes' || opts.unit === 'rate' ? { incrs: BINARY_INCRS } : {})
      }
    ]
  }
  return new uPlot(options, data, el)
}
