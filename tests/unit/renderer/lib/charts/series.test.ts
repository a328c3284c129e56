import { describe, expect, it } from 'vitest'
import {
  bucketMsFor,
  buildSeriesSpecs,
  DisplayBuffer
} from '../../../../../src-renderer/src/lib/charts/series'
import { fakeInventory, fakeSnapshot } from '../../../../helpers/fake-service'

describe('charts/series', () => {
  it('keeps a 24 h window at 1 Hz within the display point budget', () => {
    const bucket = bucketMsFor(86_400_000, 1000, 2000)
    const buf = new DisplayBuffer(['mean', 'max'], 86_400_000, bucket)
    for (let i = 0; i < 86_400; i++) buf.push(i * 1000, [i % 10, i % 10])
    expect(buf.length).toBeLessThanOrEqual(2001)
    expect(buf.length).toBeGreaterThan(1900)
  })
  it('averages or keeps the peak inside a bucket as each series asks', () => {
    const buf = new DisplayBuffer(['mean', 'max'], 60_000, 10_000)
    buf.push(0, [10, 10])
    buf.push(1000, [20, 30])
    buf.push(2000, [null, 5])
    expect(buf.cols[0]).toEqual([15])
    expect(buf.cols[1]).toEqual([30])
  })
  it('drops points older than the window and ignores samples out of order', () => {
    const buf = new DisplayBuffer(['mean'], 5000, 1000)
    for (let i = 0; i < 10; i++) buf.push(i * 1000, [i])
    buf.push(3000, [99])
    expect(buf.x).toEqual([4, 5, 6, 7, 8, 9])
  })
  it('plots limits from the device itself and leaves unavailable readings as gaps', () => {
    const specs = buildSeriesSpecs(fakeInventory(), fakeSnapshot(30))
    const slowdown = specs.find((s) => s.key.endsWith('/temp-slowdown'))!
    expect(slowdown.extract(fakeSnapshot(30))).toBe(87)
    expect(specs.find((s) => s.key === 'disk/sda/temp')).toBeUndefined()
    const cpuPower = buildSeriesSpecs(fakeInventory(), fakeSnapshot(30), 'fahrenheit').find((s) =>
      s.key.endsWith('/temp-slowdown')
    )!
    expect(cpuPower.extract(fakeSnapshot(30))).toBeCloseTo(188.6)
  })
})
