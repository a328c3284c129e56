/**
 * Performance harness, mounted only with `?perf=1`: renders 24 h of 1 Hz history for 20 series through
 * the same buffer, chart and redraw-scheduling code the Live view uses, in a 1280×800 page like the app's,
 * and times live updates with performance marks.
 *
 * Exposes `window.__rigreadyPerf` for the browser performance test.
 */
import type uPlot from 'uplot'
import { bucketMsFor, DisplayBuffer } from '../charts/series'
import { createTimeChart } from '../charts/time-chart'
import { RedrawScheduler } from '../charts/redraw-scheduler'
import { MAX_DISPLAY_POINTS } from '../state/telemetry.svelte'

/** Results the test reads. */
export interface PerfApi {
  /** Builds `charts` charts with `series` series in total from `seconds` of 1 Hz history; returns ms. */
  renderHistory(seconds: number, series: number, charts: number): Promise<number>
  /**
   * Applies `n` live samples one at a time, as the Live view does: push into the buffers and mark the
   * charts dirty, then the next frame redraws the visible ones. Returns each update's main-thread ms:
   * the push plus that frame's redraw work.
   */
  liveUpdates(n: number, draw?: boolean): Promise<number[]>
  points(): number[]
  /** Charts the last update redrew (the visible ones). */
  drawnPerUpdate(): number
}

/** Installs the harness into `target`. */
export function installPerfHarness(target: HTMLElement): void {
  document.documentElement.dataset.theme = 'light'
  let buffers: DisplayBuffer[] = []
  let plots: uPlot[] = []
  let scheduler = new RedrawScheduler()
  let perChart: number[] = []
  let nowMs = Date.UTC(2025, 0, 15)
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
      const windowMs = seconds * 1000
      const startMs = nowMs - windowMs
      // The raw history (outside the timed region, as it would have arrived over the day).
      const raw: Float64Array[] = Array.from({ length: series }, (_, s) => {
        const col = new Float64Array(seconds)
        for (let i = 0; i < seconds; i++) col[i] = value(s, i)
        return col
      })
      await new Promise((r) => requestAnimationFrame(() => r(null)))
      performance.mark('render-start')
      const bucketMs = bucketMsFor(windowMs, 1000, MAX_DISPLAY_POINTS)
      buffers = perChart.map(
        (n) => new DisplayBuffer(new Array(n).fill('mean'), windowMs, bucketMs)
      )
      let s0 = 0
      buffers.forEach((buf, c) => {
        const n = perChart[c]!
        const row = new Array<number | null>(n)
        for (let i = 0; i < seconds; i++) {
          for (let k = 0; k < n; k++) row[k] = raw[s0 + k]![i]!
          buf.push(startMs + i * 1000, row)
        }
        s0 += n
      })
      plots = buffers.map((buf, c) => {
        const host = document.createElement('div')
        host.className = 'chart-host'
        target.append(host)
        const plot = createTimeChart(
          host,
          {
            title: `chart ${c}`,
            unit: 'pct',
            lines: Array.from({ length: perChart[c]! }, (_, k) => ({
              label: `s${k}`,
              dashed: false
            })),
            width: 640,
            height: 200,
            syncKey: 'perf'
          },
          buf.data()
        )
        scheduler.add({ el: host, redraw: () => plot.batch(() => plot.setData(buf.data())) })
        return plot
      })
      // uPlot commits in a microtask; let it draw before the mark.
      await Promise.resolve()
      performance.mark('render-end')
      const m = performance.measure('render', 'render-start', 'render-end')
      return m.duration
    },
    async liveUpdates(n, draw = true) {
      const out: number[] = []
      // Let the observer report which charts are on screen before timing.
      await new Promise((r) => requestAnimationFrame(() => r(null)))
      await new Promise((r) => requestAnimationFrame(() => r(null)))
      for (let u = 0; u < n; u++) {
        await new Promise((r) => requestAnimationFrame(() => r(null)))
        nowMs += 1000
        performance.mark('update-start')
        let s0 = 0
        buffers.forEach((buf, c) => {
          const k = perChart[c]!
          const row = new Array<number | null>(k)
          for (let j = 0; j < k; j++) row[j] = value(s0 + j, u)
          buf.push(nowMs, row)
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
