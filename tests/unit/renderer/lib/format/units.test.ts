import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatBytes,
  formatDuration,
  formatRate,
  formatTemperature,
  formatTemperatureDelta,
  formatWatts
} from '../../../../../src-renderer/src/lib/format/units'

describe('format/units', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(21.5 * 1024 ** 3)).toBe('21.5 GiB')
    expect(formatBytes(24 * 1024 ** 3, 0)).toBe('24 GiB')
    expect(formatBytes(512)).toBe('512 B')
  })
  it('formats throughput in decimal units as drives quote it', () => {
    expect(formatRate(1_850_000_000)).toBe('1.85 GB/s')
    expect(formatRate(12_000_000)).toBe('12.0 MB/s')
  })
  it('converts temperatures and deltas to Fahrenheit differently', () => {
    expect(formatTemperature(87, 'fahrenheit')).toBe('189 °F')
    expect(formatTemperatureDelta(10, 'fahrenheit')).toBe('18 °F')
    expect(formatTemperature(78)).toBe('78 °C')
  })
  it('formats durations at a readable granularity', () => {
    expect(formatDuration(45)).toBe('45 s')
    expect(formatDuration(1116)).toBe('18 min 36 s')
    expect(formatDuration(3600 * 3 + 1200)).toBe('3 h 20 min')
    expect(formatDuration(86400 * 3)).toBe('3 d')
  })
  it('shows a dash, never a number, for non-finite input', () => {
    expect(formatWatts(Number.NaN)).toBe('—')
    expect(formatBytes(Infinity)).toBe('—')
  })
  it('never throws on any number', () => {
    fc.assert(
      fc.property(fc.double(), (n) => {
        for (const f of [
          formatBytes,
          formatRate,
          formatWatts,
          formatDuration,
          (x: number) => formatTemperature(x, 'fahrenheit')
        ])
          expect(typeof f(n)).toBe('string')
      })
    )
  })
})
