import { describe, expect, it } from 'vitest'
import { SeriesBuffer } from '../../../../../src-renderer/src/lib/charts/series-buffer'
import type { SeriesResponse } from '../../../../../src-main/shared/history'

const answer = (
  fromMs: number,
  bucketMs: number,
  min: (number | null)[],
  max: (number | null)[]
): SeriesResponse => ({
  fromMs,
  toMs: fromMs + bucketMs * min.length,
  bucketMs,
  buckets: min.length,
  oldestMs: fromMs,
  resolution: 'raw',
  series: [{ key: 'a', unit: 'pct', min, max }],
  available: ['a']
})

describe('SeriesBuffer', () => {
  it('fills from the agent’s dense buckets, in seconds, with min and max kept apart', () => {
    const b = new SeriesBuffer(['a'], 1000)
    b.fill(answer(1000, 1000, [1, 2, 3], [5, 6, 7]))
    expect(b.x).toEqual([1, 2, 3])
    expect(b.min[0]).toEqual([1, 2, 3])
    expect(b.max[0]).toEqual([5, 6, 7])
  })

  it('merges a live sample into its bucket (aligned to the answer) and opens a new one for the next', () => {
    const b = new SeriesBuffer(['a'], 10_000)
    b.fill(answer(3_000, 10_000, [4], [4]))
    b.push(9_000, [9])
    b.push(12_000, [1])
    expect(b.length).toBe(1)
    expect(b.min[0]).toEqual([1])
    expect(b.max[0]).toEqual([9])
    b.push(14_000, [3])
    expect(b.x).toEqual([3, 13])
    b.push(2_000, [100])
    expect(b.length).toBe(2)
  })

  it('skips empty buckets and breaks the line over a hole instead of drawing a ramp', () => {
    const b = new SeriesBuffer(['a'], 1000)
    const lo = [1, 1, 1, ...new Array<null>(30).fill(null), 1, 1]
    b.fill(answer(0, 1000, lo, lo))
    expect(b.max[0]).toContain(null)
    expect(b.x.length).toBe(6)
  })

  it('converts values as they enter, holds constants at every point, and drops points before the span', () => {
    const b = new SeriesBuffer(
      ['a', 'limit'],
      1000,
      [(c) => (c * 9) / 5 + 32, (c) => c],
      new Map([['limit', 89]])
    )
    b.fill(answer(1000, 1000, [0, 100], [0, 100]))
    expect(b.max[0]).toEqual([32, 212])
    expect(b.max[1]).toEqual([89, 89])
    b.push(3500, [50, 0])
    expect(b.max[1]).toEqual([89, 89, 89])
    b.trim(2000)
    expect(b.x).toEqual([2, 3])
    expect(b.latest(0)).toBe(122)
  })
})
