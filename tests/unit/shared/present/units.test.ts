import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatBytes,
  formatDuration,
  formatGBps,
  formatHours,
  formatMhz,
  formatRate,
  formatSpan,
  formatTemperature,
  formatTemperatureDelta,
  formatWatts
} from '../../../../src-main/shared/present/units'

const GIB = 1024 ** 3

describe('present/units', () => {
  it('writes every memory size in binary units with one rounding rule', () => {
    expect(formatBytes(62.5 * GIB)).toBe('62.5 GiB')
    expect(formatBytes(24 * GIB)).toBe('24.0 GiB')
    expect(formatBytes(25_275_990_016)).toBe('23.5 GiB')
    expect(formatBytes(236 * GIB)).toBe('236 GiB')
    expect(formatBytes(512 * 1024 ** 2)).toBe('512 MiB')
    expect(formatBytes(1023.97 * 1024 ** 2)).toBe('1.0 GiB')
    expect(formatBytes(512)).toBe('512 B')
  })

  it('writes rates in SI units, as drives and GPUs quote them', () => {
    expect(formatRate(1_850_000_000)).toBe('1.85 GB/s')
    expect(formatRate(12_000_000)).toBe('12.0 MB/s')
    expect(formatGBps(1008)).toBe('1008 GB/s')
    expect(formatGBps(51.2)).toBe('51.2 GB/s')
  })

  it('converts temperatures and temperature differences to Fahrenheit differently', () => {
    expect(formatTemperature(87, 'fahrenheit')).toBe('189 °F')
    expect(formatTemperatureDelta(10, 'fahrenheit')).toBe('18 °F')
    expect(formatTemperature(78.6)).toBe('79 °C')
    expect(formatTemperature(-0.2)).toBe('0 °C')
  })

  it('writes power, clocks, spans and durations at a readable precision', () => {
    expect(formatWatts(449.6)).toBe('450 W')
    expect(formatWatts(65.34)).toBe('65.3 W')
    expect(formatMhz(2745.4)).toBe('2745 MHz')
    expect(formatSpan(3_600_000)).toBe('1 h')
    expect(formatSpan(60_000)).toBe('1 min')
    expect(formatDuration(1116)).toBe('18 min 36 s')
    expect(formatDuration(86400 * 3)).toBe('3 d')
    expect(formatHours(7.3)).toBe('7.3 h')
    expect(formatHours(6970)).toBe('290 d')
  })

  it('shows a dash, never a number, for non-finite input, and never throws', () => {
    expect(formatWatts(Number.NaN)).toBe('—')
    expect(formatBytes(Infinity)).toBe('—')
    fc.assert(
      fc.property(fc.double(), (n) => {
        for (const f of [formatBytes, formatRate, formatWatts, formatDuration, formatHours])
          expect(typeof f(n)).toBe('string')
        expect(typeof formatTemperature(n, 'fahrenheit')).toBe('string')
      })
    )
  })
})
