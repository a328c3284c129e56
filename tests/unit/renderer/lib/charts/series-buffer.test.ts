import { describe, expect, it } from 'vitest'
import { SeriesBuffer } from '../../../../../src-renderer/src/lib/charts/series-buffer'
import type { SeriesHistory } from '../../../../../src-main/shared/present/series'

const history = (t: number[], min: (number | null)[], max: (number | null)[]): SeriesHistory => ({
  fromMs: t[0] ?? 0,
  toMs: t.at(-1) ?? 0,
  bucketMs: 1000,
  sessionStartMs: t[0] ?? null,
  sampleCount: t.length,
  t,
  series: [{ key: 'a', min, max }]
})

describe('SeriesBuffer', () => {
  it('fills from the agent’s buckets, in seconds, with min and max kept apart', () => {
    const b = new SeriesBuffer(['a'], 1000)
    b.fill(history([1000, 2000, 3000], [1, 2, 3], [5, 6, 7]))
    expect(b.x).toEqual([1, 2, 3])
    expect(b.min[0]).toEqual([1, 2, 3])
    expect(b.max[0]).toEqual([5, 6, 7])
  })

  it('merges a live sample into its bucket and opens a new one for the next', () => {
    const b = new SeriesBuffer(['a'], 10_000)
    b.fill({ ...history([10_000], [4], [4]), bucketMs: 10_000 })
    b.push(15_000, [9])
    b.push(17_000, [1])
    expect(b.length).toBe(1)
    expect(b.min[0]).toEqual([1])
    expect(b.max[0]).toEqual([9])
    b.push(21_000, [3])
    expect(b.x).toEqual([10, 20])
    b.push(5_000, [100])
    expect(b.length).toBe(2)
  })

  it('breaks the line over a hole instead of drawing a ramp', () => {
    const b = new SeriesBuffer(['a'], 1000)
    b.fill(history([1000, 2000, 3000, 60_000, 61_000], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]))
    expect(b.max[0]).toContain(null)
    expect(b.x.length).toBe(6)
  })

  it('converts values as they enter (°C to °F) and drops points before the window', () => {
    const b = new SeriesBuffer(['a'], 1000, [(c) => (c * 9) / 5 + 32])
    b.fill(history([1000, 2000], [0, 100], [0, 100]))
    expect(b.max[0]).toEqual([32, 212])
    b.trim(2000)
    expect(b.x).toEqual([2])
    expect(b.latest(0)).toBe(212)
  })
})
