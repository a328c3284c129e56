import fc from 'fast-check'
import type uPlot from 'uplot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

type Op = ['M' | 'L', number, number]
class RecordingPath {
  ops: Op[] = []
  moveTo(x: number, y: number): void {
    this.ops.push(['M', x, y])
  }
  lineTo(x: number, y: number): void {
    this.ops.push(['L', x, y])
  }
}

/** A plot 100 px wide and 100 px tall mapping x 0…(xMax) and y 0…100 (y grows downwards on canvas). */
function fakePlot(xs: number[], ys: (number | null)[], xMax: number): uPlot {
  return {
    data: [xs, ys],
    series: [{}, { scale: 'y' }],
    scales: { x: { min: 0, max: xMax }, y: { min: 0, max: 100 } },
    valToPos: (v: number, key: string) => (key === 'x' ? (v / xMax) * 100 : 100 - v)
  } as unknown as uPlot
}

let minMaxPaths: typeof import('../../../../../src-renderer/src/lib/charts/time-chart').minMaxPaths
const g = globalThis as unknown as { Path2D?: unknown }
const before = g.Path2D

beforeAll(async () => {
  g.Path2D = RecordingPath
  // time-chart imports uPlot, which touches the DOM only when a chart is created.
  ;({ minMaxPaths } = await import('../../../../../src-renderer/src/lib/charts/time-chart'))
})
afterAll(() => {
  g.Path2D = before
})

const ops = (u: uPlot, mins?: (number | null)[]): Op[] =>
  (
    minMaxPaths(mins)(u, 1, 0, (u.data[0] as number[]).length - 1)!
      .stroke as unknown as RecordingPath
  ).ops

describe('time-chart min/max paths', () => {
  it('draws at most four vertices per pixel column and keeps each column’s peak and trough', () => {
    const n = 2000
    const xs = Array.from({ length: n }, (_, i) => i)
    const ys = xs.map((i) => (i === 1234 ? 99 : 50 + 10 * Math.sin(i / 7)))
    const path = ops(fakePlot(xs, ys, n - 1))
    expect(path.length).toBeLessThanOrEqual(4 * 101)
    // The spike at x=1234 reaches canvas y = 100 - 99 = 1.
    expect(Math.min(...path.map((o) => o[2]))).toBeCloseTo(1)
  })

  it('lifts the pen across gaps', () => {
    const path = ops(fakePlot([0, 10, 20, 30, 40], [5, 6, null, 7, 8], 40))
    expect(path.filter((o) => o[0] === 'M').length).toBe(2)
    expect(path.length).toBe(4)
  })

  it('draws a bucket from its minimum to its maximum', () => {
    // Buckets at x 0 and 50 with min 10 / max 90 and min 40 / max 60.
    const path = ops(fakePlot([0, 50], [90, 60], 100), [10, 40])
    const ys = path.map((o) => o[2])
    expect(Math.min(...ys)).toBeCloseTo(10) // canvas y of value 90
    expect(Math.max(...ys)).toBeCloseTo(90) // canvas y of value 10
    expect(path.filter((o) => o[1] === 50).map((o) => o[2])).toEqual(
      expect.arrayContaining([60, 40])
    )
  })

  it('keeps every point when there are fewer points than pixels', () => {
    const path = ops(fakePlot([0, 25, 50, 75, 100], [1, 2, 3, 4, 5], 100))
    expect(path.map((o) => o[1])).toEqual([0, 25, 50, 75, 100])
  })

  it('never throws on random data and stays within four vertices per column', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null }), {
          minLength: 1,
          maxLength: 500
        }),
        (ys) => {
          const xs = ys.map((_, i) => i)
          const path = ops(fakePlot(xs, ys, Math.max(1, ys.length - 1)))
          expect(path.length).toBeLessThanOrEqual(4 * 101)
        }
      )
    )
  })
})
