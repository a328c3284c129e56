/// <reference lib="dom" />
/**
 * Performance harness, built only for the browser performance test (never part of the app bundle):
 * renders 24 h of 1 Hz history for 20 series through the same buffer, chart and redraw-scheduling code
 * the Live view uses, in a 1280×800 page like the app's, and times live updates with performance marks.
 *
 * Exposes `window.__rigreadyPerf` for the test.
 */
import type uPlot from 'uplot'
import type { SeriesResponse } from '../../../src-main/shared/history'
import { SeriesBuffer } from '../../../src-renderer/src/lib/charts/series-buffer'
import { createTimeChart } from '../../../src-renderer/src/lib/charts/time-chart'
import { RedrawScheduler } from '../../../src-renderer/src/lib/charts/redraw-scheduler'

/** Results the test reads. */
export interface PerfApi {
  /** Builds `charts` charts with `series` series in total from `seconds` of 1 Hz history; returns ms. */
  renderHistory(seconds: number, series: number, charts: number): Promise<number>
  /** Applies `n` live samples one at a time; returns each update's main-thread ms (push + redraw). */
  liveUpdates(n: number, draw?: boolean): Promise<number[]>
  points(): number[]
  /** Charts the last update redrew (the visible ones). */
  drawnPerUpdate(): number
}

/** Buckets the Live view asks for on a wide screen. */
const BUCKETS = 1440

/** Installs the harness into `target`. */
export function installPerfHarness(target: HTMLElement): void {
  let buffers: SeriesBuffer[] = []
  let plots: uPlot[] = []
  let scheduler = new RedrawScheduler()
  let perChart: number[] = []
  let nowMs = Date.UTC(2025, 0, 15)
  let fromMs = nowMs
  let windowMs = 0
  const value = (s: number, i: number): number => 50 + 40 * Math.sin(i / 600 + s) + (i % 17)

  const api: PerfApi = {
    async renderHistory(seconds, series, chartCount) {
      for (const p of plots) p.destroy()
      scheduler.dispose()
      scheduler = new RedrawScheduler()
      target.replaceChildren()
      perChart = Array.from(
        { length: chartCount },
        (_, c) => Math.floor(series / chartCount) + (c < series % chartCount ? 1 : 0)
      )
      windowMs = seconds * 1000
      fromMs = nowMs - windowMs
      // The agent's downsampled answer (outside the timed region: the server computes it).
      const bucketMs = Math.ceil(windowMs / BUCKETS)
      const histories: SeriesResponse[] = []
      let s0 = 0
      for (const n of perChart) {
        const cols = Array.from({ length: n }, () => ({
          min: new Array<number | null>(BUCKETS).fill(null),
          max: new Array<number | null>(BUCKETS).fill(null)
        }))
        for (let i = 0; i < seconds; i++) {
          const b = Math.min(BUCKETS - 1, Math.floor((i * 1000) / bucketMs))
          for (let k = 0; k < n; k++) {
            const v = value(s0 + k, i)
            const col = cols[k]!
            const lo = col.min[b]
            const hi = col.max[b]
            if (lo === null || lo === undefined || v < lo) col.min[b] = v
            if (hi === null || hi === undefined || v > hi) col.max[b] = v
          }
        }
        s0 += n
        histories.push({
          fromMs,
          toMs: fromMs + bucketMs * BUCKETS,
          bucketMs,
          buckets: BUCKETS,
          oldestMs: fromMs,
          resolution: 'raw',
          series: cols.map((c, k) => ({ key: `s${k}`, unit: 'pct', ...c })),
          available: []
        })
      }
      await new Promise((r) => requestAnimationFrame(() => r(null)))
      performance.mark('render-start')
      buffers = histories.map((h) => {
        const b = new SeriesBuffer(
          h.series.map((s) => s.key),
          h.bucketMs
        )
        b.fill(h)
        return b
      })
      plots = buffers.map((buf, c) => {
        const host = document.createElement('div')
        host.className = 'chart-host'
        target.append(host)
        const lines = buf.keys.map((k, i) => ({
          label: k,
          dashed: false,
          colour: ['#1f4fbf', '#c2410c', '#15803d', '#9333ea'][i % 4]!,
          min: buf.min[i]!
        }))
        const plot = createTimeChart(
          host,
          {
            unit: 'pct',
            temperatureUnit: 'celsius',
            lines,
            width: 640,
            height: 200,
            xRange: () => [fromMs / 1000, nowMs / 1000],
            syncKey: `perf-${c}`
          },
          buf.data()
        )
        scheduler.add({
          el: host,
          redraw: () =>
            plot.batch(() => {
              plot.setData(buf.data(), false)
              plot.setScale('x', { min: fromMs / 1000, max: nowMs / 1000 })
            })
        })
        return plot
      })
      // uPlot commits in a microtask; let it draw before the mark.
      await Promise.resolve()
      performance.mark('render-end')
      return performance.measure('render', 'render-start', 'render-end').duration
    },
    async liveUpdates(n, draw = true) {
      const out: number[] = []
      // Let the observer report which charts are on screen before timing.
      await new Promise((r) => requestAnimationFrame(() => r(null)))
      await new Promise((r) => requestAnimationFrame(() => r(null)))
      for (let u = 0; u < n; u++) {
        await new Promise((r) => requestAnimationFrame(() => r(null)))
        nowMs += 1000
        fromMs = nowMs - windowMs
        performance.mark('update-start')
        let s0 = 0
        buffers.forEach((buf, c) => {
          const k = perChart[c]!
          const row = new Array<number | null>(k)
          for (let j = 0; j < k; j++) row[j] = value(s0 + j, u)
          buf.push(nowMs, row)
          buf.trim(fromMs)
          s0 += k
        })
        if (draw) scheduler.invalidateAll()
        performance.mark('update-end')
        const push = performance.measure('update', 'update-start', 'update-end').duration
        if (draw) await scheduler.whenFlushed()
        out.push(push + (draw ? scheduler.lastFlushMs : 0))
      }
      return out
    },
    drawnPerUpdate: () => scheduler.lastFlushCount,
    points: () => buffers.map((b) => b.length)
  }
  ;(window as unknown as { __rigreadyPerf: PerfApi }).__rigreadyPerf = api
  document.body.dataset.perfReady = '1'
}
