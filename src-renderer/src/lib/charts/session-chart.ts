/**
 * A uPlot chart of one reviewed quantity over a recorded run: each series as its min–max band per bucket
 * with the mean as a line, throttle episodes shaded in their cause's colour, alert markers on top, the
 * device's own limit as a dashed line, and drag-to-zoom (the caller fetches the range and sets new data).
 */
import uPlot from 'uplot'
import type { AlertTransition } from '$shared/alerts'
import {
  ALERT_SEVERITY_COLORS,
  REVIEW_UNITS,
  THROTTLE_CAUSE_COLORS,
  type ReviewUnit,
  type SessionEpisode,
  type SessionRange
} from '$shared/session-format'

/** What one chart shows. */
export interface SessionChartSpec {
  title: string
  unit: ReviewUnit
  keys: string[]
  labels: string[]
  /** Devices whose episodes and alerts appear on this chart. */
  devices: string[]
  limit: number | null
}

/** Builds uPlot's data for a spec from a range: x in seconds, then min, max, mean per key. */
export function chartData(spec: SessionChartSpec, range: SessionRange): uPlot.AlignedData {
  const x = range.t.map((t) => (t + range.bucketMs / 2) / 1000)
  const cols: (number | null)[][] = []
  for (const key of spec.keys) {
    const s = range.series.find((r) => r.key === key)
    const n = x.length
    cols.push(s?.min ?? new Array<null>(n).fill(null))
    cols.push(s?.max ?? new Array<null>(n).fill(null))
    cols.push(s?.mean ?? new Array<null>(n).fill(null))
  }
  return [x, ...cols] as uPlot.AlignedData
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback
}

const alpha = (hex: string, a: number): string => {
  const m = /^#([0-9a-f]{6})$/i.exec(hex)
  if (!m) return hex
  const n = parseInt(m[1], 16)
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`
}

/** Options of a session chart. */
export interface SessionChartOptions {
  width: number
  height: number
  episodes: () => SessionEpisode[]
  alerts: () => AlertTransition[]
  onZoom: (startMs: number, endMs: number) => void
  syncKey: string
}

/** Creates the chart in `host`. */
export function createSessionChart(
  host: HTMLElement,
  spec: SessionChartSpec,
  range: SessionRange,
  o: SessionChartOptions
): uPlot {
  const palette: string[] = []
  for (let i = 0; i < 8; i++) palette.push(cssVar(`--series-${i}`, '#2454c5'))
  const text = cssVar('--text-muted', '#5b6470')
  const grid = cssVar('--border', '#d9dde3')
  const unit = REVIEW_UNITS[spec.unit]
  const series: uPlot.Series[] = [{}]
  const bands: uPlot.Band[] = []
  spec.keys.forEach((_key, i) => {
    const color = palette[i % palette.length]
    const base = 1 + i * 3
    series.push({
      label: `${spec.labels[i]} min`,
      stroke: 'transparent',
      points: { show: false },
      spanGaps: false
    })
    series.push({
      label: `${spec.labels[i]} max`,
      stroke: 'transparent',
      points: { show: false },
      spanGaps: false
    })
    series.push({
      label: spec.labels[i],
      stroke: color,
      width: 1.5,
      points: { show: false },
      spanGaps: false,
      value: (_u, v) => (v == null ? '—' : `${v.toFixed(unit.decimals)} ${unit.symbol}`)
    })
    bands.push({ series: [base + 1, base], fill: alpha(color, 0.22) })
  })
  const drawOverlay = (u: uPlot): void => {
    const ctx = u.ctx
    const top = u.bbox.top
    const height = u.bbox.height
    ctx.save()
    for (const e of o.episodes()) {
      if (!spec.devices.includes(e.device)) continue
      const x0 = u.valToPos(e.startMs / 1000, 'x', true)
      const x1 = u.valToPos(e.endMs / 1000, 'x', true)
      if (x1 < u.bbox.left || x0 > u.bbox.left + u.bbox.width) continue
      ctx.fillStyle = alpha(THROTTLE_CAUSE_COLORS[e.cause], 0.16)
      ctx.fillRect(
        Math.max(x0, u.bbox.left),
        top,
        Math.max(1, Math.min(x1, u.bbox.left + u.bbox.width) - Math.max(x0, u.bbox.left)),
        height
      )
    }
    if (spec.limit !== null && u.scales.y.min != null && u.scales.y.max != null) {
      const y = u.valToPos(spec.limit, 'y', true)
      if (y >= top && y <= top + height) {
        ctx.strokeStyle = cssVar('--bad', '#b3261e')
        ctx.setLineDash([5, 4])
        ctx.beginPath()
        ctx.moveTo(u.bbox.left, y)
        ctx.lineTo(u.bbox.left + u.bbox.width, y)
        ctx.stroke()
        ctx.setLineDash([])
      }
    }
    for (const a of o.alerts()) {
      if (a.kind !== 'raise' || !spec.devices.includes(a.device)) continue
      const x = u.valToPos(a.atMs / 1000, 'x', true)
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue
      ctx.fillStyle = ALERT_SEVERITY_COLORS[a.severity]
      ctx.beginPath()
      ctx.moveTo(x - 6, top)
      ctx.lineTo(x + 6, top)
      ctx.lineTo(x, top + 10)
      ctx.closePath()
      ctx.fill()
    }
    ctx.restore()
  }
  const opts: uPlot.Options = {
    title: spec.title,
    width: o.width,
    height: o.height,
    series,
    bands,
    legend: { show: true, live: true },
    cursor: { drag: { x: true, y: false, setScale: false }, sync: { key: o.syncKey } },
    scales: {
      x: { time: true },
      y: {
        range: (_u, min, max) =>
          spec.unit === 'pct'
            ? [0, Math.max(100, max)]
            : [min === max ? min - 1 : min, min === max ? max + 1 : max]
      }
    },
    axes: [
      { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
      {
        stroke: text,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid },
        size: 70,
        values: (_u, splits) =>
          splits.map((v) => `${Number(v.toFixed(unit.decimals))} ${unit.symbol}`)
      }
    ],
    hooks: {
      draw: [drawOverlay],
      setSelect: [
        (u) => {
          if (u.select.width < 3) return
          const a = u.posToVal(u.select.left, 'x') * 1000
          const b = u.posToVal(u.select.left + u.select.width, 'x') * 1000
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false)
          o.onZoom(a, b)
        }
      ]
    }
  }
  const plot = new uPlot(opts, chartData(spec, range), host)
  // The min and max series only bound the band: keep them out of the legend.
  plot.root.querySelectorAll<HTMLElement>('.u-legend .u-series').forEach((row, i) => {
    if (i > 0 && (i - 1) % 3 !== 2) row.style.display = 'none'
  })
  return plot
}
