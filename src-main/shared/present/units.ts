/**
 * The one unit convention of every face (UI, CLI, reports): how numbers become text.
 *
 * - Sizes of memory and storage are binary and labelled (`23.5 GiB`, `1.82 TiB`): one rule, so RAM is never
 *   "67 GB" in one place and "62.5 GiB" in another.
 * - Rates are SI (`1.85 GB/s`, `936 GB/s`), as drive and GPU makers quote throughput.
 * - Temperatures in the viewer's unit, rounded to whole degrees; deltas convert by 9/5 only.
 * - Power in watts, clocks in MHz, shares in percent — each labelled, tabular-friendly.
 *
 * Every function takes a value in the unit its name states. Non-finite input yields `—`: callers show an
 * unavailable Reading with its reason instead (see `reading-text.ts`).
 */

/** Placeholder for a value that cannot be shown (callers explain why elsewhere). */
export const DASH = '—'

/** Temperature unit a viewer chose. */
export type TemperatureUnit = 'celsius' | 'fahrenheit'

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const

/** 2^30: bytes per GiB. */
export const GIB = 1024 ** 3

/** Rounds to a fixed number of decimals, printing `-0` as `0`. */
function fixed(v: number, digits: number): string {
  const s = v.toFixed(digits)
  return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s
}

/**
 * A size in bytes as binary units (`21.5 GiB`, `512 MiB`, `1.82 TiB`).
 *
 * One rounding rule for every size: one decimal below 100 of the unit, none from 100 up, none for bytes.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return DASH
  const sign = bytes < 0 ? '-' : ''
  let v = Math.abs(bytes)
  let i = 0
  while (v >= 1024 && i < BINARY_UNITS.length - 1) {
    v /= 1024
    i++
  }
  // 1023.96 MiB rounds to "1024 MiB": show it as the next unit instead.
  if (i > 0 && i < BINARY_UNITS.length - 1 && Number(fixed(v, v >= 100 ? 0 : 1)) >= 1024) {
    v /= 1024
    i++
  }
  const text = i === 0 ? String(Math.round(v)) : fixed(v, v >= 100 ? 0 : 1)
  return `${sign}${text} ${BINARY_UNITS[i]}`
}

/** Bytes as GiB with one decimal, whatever the size (`0.5 GiB`, `24.0 GiB`): for columns of one unit. */
export function formatGib(bytes: number): string {
  if (!Number.isFinite(bytes)) return DASH
  return `${fixed(bytes / GIB, bytes / GIB >= 100 ? 0 : 1)} GiB`
}

/** Three significant digits, without exponent notation (`1.85`, `18.5`, `185`). */
function sig3(v: number): string {
  const a = Math.abs(v)
  return a >= 100 ? fixed(v, 0) : a >= 10 ? fixed(v, 1) : fixed(v, 2)
}

/** Bytes per second in SI units (`1.85 GB/s`, `420 kB/s`). */
export function formatRate(bytesPerSec: number): string {
  if (!Number.isFinite(bytesPerSec)) return DASH
  const units = ['B/s', 'kB/s', 'MB/s', 'GB/s', 'TB/s']
  let v = Math.abs(bytesPerSec)
  let i = 0
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  const text = i === 0 ? String(Math.round(v)) : sig3(v)
  return `${bytesPerSec < 0 ? '-' : ''}${text} ${units[i]}`
}

/** A bandwidth already in GB/s (SI), e.g. a GPU's memory bandwidth (`1008 GB/s`, `51.2 GB/s`). */
export function formatGBps(gbps: number): string {
  if (!Number.isFinite(gbps)) return DASH
  return `${gbps >= 1000 ? fixed(gbps, 0) : sig3(gbps)} GB/s`
}

/** Watts: one decimal below 100 W, none from 100 W (`449 W`, `65.3 W`). */
export function formatWatts(watts: number): string {
  if (!Number.isFinite(watts)) return DASH
  return `${Math.abs(watts) >= 100 ? fixed(watts, 0) : fixed(watts, 1)} W`
}

/** Degrees Celsius to Fahrenheit. */
export function celsiusToFahrenheit(celsius: number): number {
  return (celsius * 9) / 5 + 32
}

/** A temperature in °C converted to the viewer's unit (a number, for charts). */
export function toTemperatureUnit(celsius: number, unit: TemperatureUnit): number {
  return unit === 'fahrenheit' ? celsiusToFahrenheit(celsius) : celsius
}

/** The symbol of a temperature unit (`°C`, `°F`). */
export function temperatureSymbol(unit: TemperatureUnit): string {
  return unit === 'fahrenheit' ? '°F' : '°C'
}

/** A temperature in the viewer's unit, whole degrees (`78 °C`, `172 °F`). */
export function formatTemperature(celsius: number, unit: TemperatureUnit = 'celsius'): string {
  if (!Number.isFinite(celsius)) return DASH
  return `${fixed(Math.round(toTemperatureUnit(celsius, unit)), 0)} ${temperatureSymbol(unit)}`
}

/** A temperature difference (headroom) in the viewer's unit: a delta converts by 9/5 only. */
export function formatTemperatureDelta(celsius: number, unit: TemperatureUnit = 'celsius'): string {
  if (!Number.isFinite(celsius)) return DASH
  const v = unit === 'fahrenheit' ? (celsius * 9) / 5 : celsius
  return `${fixed(Math.round(v), 0)} ${temperatureSymbol(unit)}`
}

/** A percentage already in 0–100 (`97 %`). */
export function formatPercent(pct: number, digits = 0): string {
  if (!Number.isFinite(pct)) return DASH
  return `${fixed(pct, digits)} %`
}

/** A 0–1 fraction as a percentage (`65 %`). */
export function formatFraction(fraction: number, digits = 0): string {
  return formatPercent(fraction * 100, digits)
}

/** Megahertz, whole (`2745 MHz`). */
export function formatMhz(mhz: number): string {
  if (!Number.isFinite(mhz)) return DASH
  return `${fixed(Math.round(mhz), 0)} MHz`
}

/** Seconds as a short duration (`45 s`, `12 min 5 s`, `3 h 20 min`, `2 d 4 h`). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return DASH
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`
  const d = Math.floor(h / 24)
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`
}

/** A window length in ms as its everyday name (`1 min`, `15 min`, `1 h`, `24 h`). */
export function formatSpan(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return DASH
  const s = ms / 1000
  if (s < 60) return `${Math.round(s)} s`
  if (s < 3600) return `${Math.round(s / 60)} min`
  if (s < 172_800) return `${fixed(s / 3600, Number.isInteger(s / 3600) ? 0 : 1)} h`
  return `${Math.round(s / 86_400)} d`
}

/** Hours as a duration (`7.3 h`, `26 h`, `3 d 2 h`, `290 d`). */
export function formatHours(hours: number): string {
  if (!Number.isFinite(hours) || hours < 0) return DASH
  if (hours < 48) return `${hours < 10 ? fixed(hours, 1) : fixed(Math.round(hours), 0)} h`
  if (hours < 24 * 60) return formatDuration(hours * 3600)
  return `${Math.round(hours / 24)} d`
}

/** Tokens per second (`17.8 tok/s`, `142 tok/s`). */
export function formatTokensPerSec(tps: number): string {
  if (!Number.isFinite(tps)) return DASH
  return `${tps >= 100 ? fixed(tps, 0) : tps >= 10 ? fixed(tps, 0) : fixed(tps, 1)} tok/s`
}

/** Seconds with adaptive precision (`0.42 s`, `12.5 s`, `83 s`). */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return DASH
  if (s >= 120) return formatDuration(s)
  return `${s < 10 ? fixed(s, 2) : fixed(s, 0)} s`
}

const two = (n: number): string => String(n).padStart(2, '0')

/** Clock time of an epoch-ms timestamp in the viewer's zone (`09:12:05`). */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms)) return DASH
  const d = new Date(ms)
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
}

/** Clock time without seconds (`09:12`), for axis labels a minute or more apart. */
export function formatClockMinutes(ms: number): string {
  if (!Number.isFinite(ms)) return DASH
  const d = new Date(ms)
  return `${two(d.getHours())}:${two(d.getMinutes())}`
}

/** A whole count with thousands separators (`86,400`). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return DASH
  return Math.round(n).toLocaleString('en-US')
}

/** A PCIe link (`Gen 4 ×16`); either part may be unknown (`Gen 4`, `×16`). */
export function formatPcieLink(gen: number | null, width: number | null): string {
  const parts: string[] = []
  if (gen !== null && Number.isFinite(gen)) parts.push(`Gen ${gen}`)
  if (width !== null && Number.isFinite(width)) parts.push(`×${width}`)
  return parts.length ? parts.join(' ') : DASH
}

/** A 0–100 score as text (`82`); scores are always whole numbers. */
export function formatScore(score: number): string {
  if (!Number.isFinite(score)) return DASH
  return String(Math.round(score))
}
