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
      return Math.abs(v) >= 100 ? `${Math.round(v)} W` : formatWatts(v)
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

const two = (n: number): string => (n < 10 ? '0' : '') + n

/** Time-axis labels: `HH:MM` when ticks are a minute or more apart, else `HH:MM:SS` (cheaper than uPlot's date templates). */
function timeAxisValues(_u: uPlot, splits: number[], _axisIdx: number, _space: number, incr: number): string[] {
  return splits.map((s) => {
    const d = new Date(s * 1000)
    const hm = `${two(d.getHours())}:${two(d.getMinutes())}`
    return incr >= 60 ? hm : `${hm}:${two(d.getSeconds())}`
  })
}

/** Text for the inspect readout at data index `idx`. */
function readoutText(u: uPlot, idx: number, unit: ChartUnit): string {
  const x = u.data[0][idx]
  if (x === undefined) return ''
  const d = new Date(x * 1000)
  const parts = [`${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`]
  for (let i = 1; i < u.series.length; i++) {
    const v = u.data[i]?.[idx]
    parts.push(`${u.series[i]!.label ?? ''} ${v === null || v === undefined ? 'n/a' : formatForUnit(unit, v)}`)
  }
  return parts.join(' · ')
}

/**
 * Creates a chart inside `el`.
 *
 * The legend is static (labels and colours); values under the cursor go to `readout`, written only while
 * the cursor is on the chart, because a live legend costs more per redraw than the lines themselves.
 */
export function createTimeChart(el: HTMLElement, opts: TimeChartOptions, data: uPlot.AlignedData, readout?: HTMLElement): uPlot {
  const colours = palette()
  const axisColour = cssVar('--text-muted', '#666')
  const gridColour = cssVar('--border', '#ddd')
  const font = `12px ${cssVar('--font-ui', 'system-ui')}`
  const axisValues = (_u: uPlot, splits: number[]): string[] => splits.map((v) => formatForUnit(opts.unit, v))
  const series: uPlot.Series[] = [
    {},
    ...opts.lines.map((line, i) => ({
      label: line.label,
      stroke: colours[i % colours.length],
      width: 1,
      dash: line.dashed ? [6, 4] : undefined,
      spanGaps: false,
      points: { show: false },
      value: (_u: uPlot, v: number | null) => formatForUnit(opts.unit, v)
    }))
  ]
  const options: uPlot.Options = {
    title: undefined,
    width: opts.width,
    height: opts.height,
    pxAlign: 1,
    series,
    cursor: { sync: opts.syncKey ? { key: opts.syncKey } : undefined, drag: { x: false, y: false } },
    legend: { live: false },
    hooks: readout
      ? {
          setCursor: [
            (u: uPlot) => {
              const idx = u.cursor.idx
              readout.textContent = idx === null || idx === undefined ? '' : readoutText(u, idx, opts.unit)
            }
          ]
        }
      : {},
    scales: {
      x: { time: true },
      y: { range: opts.unit === 'pct' ? [0, 100] : (_u, min, max) => [Math.min(0, min ?? 0), (max ?? 1) * 1.08 || 1] }
    },
    axes: [
      { stroke: axisColour, grid: { stroke: gridColour, width: 1 }, ticks: { stroke: gridColour }, font, values: timeAxisValues },
      { stroke: axisColour, grid: { stroke: gridColour, width: 1 }, ticks: { stroke: gridColour }, font, values: axisValues, size: 78 }
    ]
  }
  return new uPlot(options, data, el)
}
