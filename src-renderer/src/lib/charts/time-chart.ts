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

/** Creates a chart inside `el`. */
export function createTimeChart(el: HTMLElement, opts: TimeChartOptions, data: uPlot.AlignedData): uPlot {
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
      width: line.dashed ? 1 : 1.5,
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
    pxAlign: 0,
    series,
    cursor: { sync: opts.syncKey ? { key: opts.syncKey } : undefined, drag: { x: false, y: false } },
    legend: { live: true },
    scales: {
      x: { time: true },
      y: { range: opts.unit === 'pct' ? [0, 100] : (_u, min, max) => [Math.min(0, min ?? 0), (max ?? 1) * 1.08 || 1] }
    },
    axes: [
      { stroke: axisColour, grid: { stroke: gridColour, width: 1 }, ticks: { stroke: gridColour }, font },
      { stroke: axisColour, grid: { stroke: gridColour, width: 1 }, ticks: { stroke: gridColour }, font, values: axisValues, size: 78 }
    ]
  }
  return new uPlot(options, data, el)
}
