/**
 * A thin uPlot wrapper for the Live view: min/max lines per bucket, a fixed x span, theme colours, and an
 * optional throttle band drawn on its own canvas, aligned with the plot area.
 *
 * Colours come from the theme's CSS variables (set from the shared palette; charts are recreated on
 * theme change). Values arrive in display units; axes and readouts format them with the chart's unit.
 */
import uPlot from 'uplot'
import {
  causeFromCode,
  describeThrottleCause,
  formatBytes,
  formatClock,
  formatClockMinutes,
  formatMhz,
  formatPercent,
  formatRate,
  formatWatts,
  temperatureSymbol,
  type ChartUnit,
  type TemperatureUnit
} from '$shared/present'

/** One line on a chart. */
export interface LineSpec {
  label: string
  dashed: boolean
  /** CSS colour. */
  colour: string
  /** Bucket minima of this line (drawn as the low end of each column). */
  min: (number | null)[]
}

/** One row of the throttle band: per bucket a cause code (0 = not throttled, null = unknown). */
export interface BandRow {
  label: string
  codes: (number | null)[]
}

/** Options for createTimeChart. */
export interface TimeChartOptions {
  unit: ChartUnit
  temperatureUnit: TemperatureUnit
  lines: LineSpec[]
  width: number
  height: number
  /** The x span to show (seconds), read at every redraw. */
  xRange: () => [number, number]
  syncKey?: string
  /** Band rows and their canvas, drawn under the plot after every redraw. */
  band?: {
    rows: () => BandRow[]
    canvas: HTMLCanvasElement
    rowHeight: number
    x: () => number[]
    /** Bucket width (s): each code covers [t, t + bucket). */
    bucketSeconds: () => number
  }
  /** Receives the readout text for the cursor position ('' when it leaves). */
  onCursor?: (text: string) => void
}

/** Formats a value in the chart's unit. */
export function formatForUnit(
  unit: ChartUnit,
  v: number | null | undefined,
  temperatureUnit: TemperatureUnit = 'celsius'
): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  switch (unit) {
    case 'pct':
      return formatPercent(v)
    case 'mhz':
      return formatMhz(v)
    case 'celsius':
      return `${Math.round(v)} ${temperatureSymbol(temperatureUnit)}`
    case 'watts':
      return formatWatts(v)
    case 'bytes':
      return formatBytes(v)
    case 'rate':
      return formatRate(v)
  }
}

/** A CSS custom property of the root element. */
export function cssVar(name: string, fallback: string): string {
  if (typeof document === 'undefined') return fallback
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback
}

/** Tick steps for byte axes: 1, 2, 4 … 512 of each binary unit, so labels read 8 GiB, 16 GiB. */
const BINARY_INCRS: number[] = [1, 1024, 1024 ** 2, 1024 ** 3, 1024 ** 4].flatMap((unit) =>
  [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * unit)
)

/** Time-axis labels: `HH:MM` when ticks are a minute or more apart, else `HH:MM:SS`. */
function timeAxisValues(
  _u: uPlot,
  splits: number[],
  _axisIdx: number,
  _space: number,
  incr: number
): string[] {
  return splits.map((s) => (incr >= 60 ? formatClockMinutes(s * 1000) : formatClock(s * 1000)))
}

/**
 * A path builder that draws each pixel column once, from the lowest to the highest value in it (bucket
 * minima from `mins`, maxima from the data), in time order. A 24 h window keeps peaks and dips of every
 * bucket, and a redraw strokes at most two vertices per pixel column. Gaps (null) lift the pen.
 */
export function minMaxPaths(mins: (number | null)[] | undefined) {
  return (u: uPlot, seriesIdx: number, idx0: number, idx1: number): uPlot.Series.Paths | null => {
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
    let first = 0
    let last = 0
    let lo = 0
    let hi = 0
    const flush = (): void => {
      if (Number.isNaN(col)) return
      if (penDown) stroke.lineTo(col, first)
      else stroke.moveTo(col, first)
      // Visit the column's extremes, then end where the data ended, so the next column joins there.
      const a = Math.abs(lo - first) < Math.abs(hi - first) ? hi : lo
      const b = a === hi ? lo : hi
      if (a !== first) stroke.lineTo(col, a)
      if (b !== a) stroke.lineTo(col, b)
      if (last !== b) stroke.lineTo(col, last)
      penDown = true
    }
    for (let i = idx0; i <= idx1; i++) {
      const vMax = ys[i]
      if (vMax === null || vMax === undefined) {
        flush()
        col = NaN
        penDown = false
        continue
      }
      const vMin = mins?.[i] ?? vMax
      const px = Math.round(x0 + (xs[i]! - sx.min) * kx)
      const pMax = y0 + (vMax - sy.min) * ky
      const pMin = y0 + (vMin - sy.min) * ky
      if (px !== col) {
        flush()
        col = px
        first = pMin
        lo = Math.min(pMin, pMax)
        hi = Math.max(pMin, pMax)
      } else {
        lo = Math.min(lo, pMin, pMax)
        hi = Math.max(hi, pMin, pMax)
      }
      last = pMax
    }
    flush()
    return { stroke, fill: null, clip: null, band: null }
  }
}

/** Text for the cursor readout at data index `idx`: time, then each line's value (min–max in a bucket). */
function readoutText(
  u: uPlot,
  idx: number,
  opts: Pick<TimeChartOptions, 'unit' | 'temperatureUnit' | 'lines'>
): string {
  const x = u.data[0][idx]
  if (x === undefined) return ''
  const parts = [formatClock(x * 1000)]
  for (let i = 1; i < u.series.length; i++) {
    const hi = u.data[i]?.[idx]
    const lo = opts.lines[i - 1]?.min[idx]
    const label = u.series[i]!.label ?? ''
    if (hi === null || hi === undefined) parts.push(`${label} no reading`)
    else if (lo !== null && lo !== undefined && Math.abs(hi - lo) > 1e-9)
      parts.push(
        `${label} ${formatForUnit(opts.unit, lo, opts.temperatureUnit)}–${formatForUnit(opts.unit, hi, opts.temperatureUnit)}`
      )
    else parts.push(`${label} ${formatForUnit(opts.unit, hi, opts.temperatureUnit)}`)
  }
  return parts.join(' · ')
}

/** Draws the throttle band rows aligned with the plot area of `u`. */
export function drawBand(u: uPlot, band: NonNullable<TimeChartOptions['band']>): void {
  const { canvas, rowHeight } = band
  const rows = band.rows()
  const dpr = typeof devicePixelRatio === 'number' ? devicePixelRatio : 1
  const cssWidth = u.width
  const cssHeight = rows.length * rowHeight
  if (
    canvas.width !== Math.round(cssWidth * dpr) ||
    canvas.height !== Math.round(cssHeight * dpr)
  ) {
    canvas.width = Math.round(cssWidth * dpr)
    canvas.height = Math.round(cssHeight * dpr)
  }
  const ctx = canvas.getContext('2d')
  if (!ctx) return
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  ctx.clearRect(0, 0, cssWidth, cssHeight)
  const left = u.bbox.left / dpr
  const plotWidth = u.bbox.width / dpr
  const xs = band.x()
  const sx = u.scales.x
  if (sx.min == null || sx.max == null) return
  const toPx = (t: number): number => left + u.valToPos(t, 'x')
  const bucket = band.bucketSeconds()
  const ok = cssVar('--ok', '#1a6e36')
  const unknown = cssVar('--surface-2', '#eceef2')
  const edge = cssVar('--graphic', '#868d98')
  for (let r = 0; r < rows.length; r++) {
    const y = r * rowHeight + 1
    const h = rowHeight - 3
    ctx.fillStyle = unknown
    ctx.fillRect(left, y, plotWidth, h)
    ctx.strokeStyle = edge
    ctx.lineWidth = 1
    ctx.strokeRect(left + 0.5, y + 0.5, plotWidth - 1, h - 1)
    const codes = rows[r]!.codes
    for (let i = 0; i < xs.length; i++) {
      const code = codes[i]
      if (code === null || code === undefined) continue
      const a = Math.max(left, toPx(xs[i]!))
      const b = Math.min(left + plotWidth, toPx(xs[i]! + bucket))
      if (b <= a) continue
      const cause = causeFromCode(code)
      ctx.fillStyle = cause === null ? ok : cssVar(`--cause-${cause}`, '#b45309')
      ctx.fillRect(a, y, Math.max(1, b - a), h)
    }
  }
}

/** Words for a band row's share of each state over the span (for assistive technology). */
export function bandSummary(row: BandRow): string {
  const counts = new Map<string, number>()
  let known = 0
  for (const c of row.codes) {
    if (c === null || c === undefined) continue
    known++
    const cause = causeFromCode(c)
    const name = cause === null ? 'not throttled' : describeThrottleCause(cause)
    counts.set(name, (counts.get(name) ?? 0) + 1)
  }
  if (known === 0) return `${row.label}: unknown (no throttle readings in this range)`
  const parts = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${Math.round((n / known) * 100)} %`)
  return `${row.label}: ${parts.join(', ')} of the time with readings`
}

/** Creates a chart inside `el`. */
export function createTimeChart(
  el: HTMLElement,
  opts: TimeChartOptions,
  data: uPlot.AlignedData
): uPlot {
  const axisColour = cssVar('--text-muted', '#535b66')
  const gridColour = cssVar('--graphic', '#868d98')
  const font = `12px ${cssVar('--font-ui', 'system-ui')}`
  const axisValues = (_u: uPlot, splits: number[]): string[] =>
    splits.map((v) => formatForUnit(opts.unit, v, opts.temperatureUnit).replace(/\.0(?= )/, ''))
  const series: uPlot.Series[] = [
    {},
    ...opts.lines.map((line) => ({
      label: line.label,
      stroke: line.colour,
      width: line.dashed ? 1.5 : 2,
      dash: line.dashed ? [6, 4] : undefined,
      spanGaps: false,
      points: { show: false },
      paths: minMaxPaths(line.min)
    }))
  ]
  const hooks: uPlot.Hooks.Arrays = {}
  if (opts.onCursor) {
    const onCursor = opts.onCursor
    hooks.setCursor = [
      (u: uPlot) => {
        const idx = u.cursor.idx
        onCursor(idx === null || idx === undefined ? '' : readoutText(u, idx, opts))
      }
    ]
  }
  if (opts.band) {
    const band = opts.band
    hooks.draw = [(u: uPlot) => drawBand(u, band)]
  }
  const options: uPlot.Options = {
    width: opts.width,
    height: opts.height,
    pxAlign: 1,
    series,
    cursor: {
      sync: opts.syncKey ? { key: opts.syncKey } : undefined,
      drag: { x: false, y: false }
    },
    legend: { show: false },
    hooks,
    scales: {
      x: { time: true, range: () => opts.xRange() },
      y: {
        range:
          opts.unit === 'pct'
            ? [0, 100]
            : (_u, min, max) => {
                const hi = max ?? 1
                return [Math.min(0, min ?? 0), hi > 0 ? hi * 1.1 : 1]
              }
      }
    },
    axes: [
      {
        stroke: axisColour,
        grid: { stroke: gridColour, width: 1, dash: [2, 4] },
        ticks: { stroke: gridColour, width: 1 },
        font,
        space: 70,
        values: timeAxisValues
      },
      {
        stroke: axisColour,
        grid: { stroke: gridColour, width: 1, dash: [2, 4] },
        ticks: { stroke: gridColour, width: 1 },
        font,
        space: 36,
        values: axisValues,
        size: 76,
        ...(opts.unit === 'bytes' ? { incrs: BINARY_INCRS } : {})
      }
    ]
  }
  return new uPlot(options, data, el)
}
