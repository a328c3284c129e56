/**
 * Pure formatters for the numbers the UI shows.
 *
 * Every formatter takes a value in the unit its name states and returns display text with the unit.
 * Non-finite input yields '—' (callers should show unavailable readings with ReadingValue instead).
 */

const DASH = '—'

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/** Bytes as binary units (`21.5 GiB`). */
export function formatBytes(bytes: number, digits = 1): string {
  if (!Number.isFinite(bytes)) return DASH
  const sign = bytes < 0 ? '-' : ''
  let v = Math.abs(bytes)
  let i = 0
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024
    i++
  }
  return `${sign}${i === 0 ? Math.round(v) : v.toFixed(digits)} ${BYTE_UNITS[i]}`
}

/** Decimal bytes per second (`1.85 GB/s`), as drive makers quote throughput. */
export function formatRate(bytesPerSec: number): string {
  if (!Number.isFinite(bytesPerSec)) return DASH
  const units = ['B/s', 'kB/s', 'MB/s', 'GB/s', 'TB/s']
  let v = Math.abs(bytesPerSec)
  let i = 0
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  const text =
    i === 0
      ? String(Math.round(v))
      : v >= 100
        ? v.toFixed(0)
        : v >= 10
          ? v.toFixed(1)
          : v.toFixed(2)
  return `${bytesPerSec < 0 ? '-' : ''}${text} ${units[i]}`
}

/** Decimal gigabytes for sizes as sold (`2.00 TB`). */
export function formatDiskSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return DASH
  if (bytes >= 1e12) return `${(bytes / 1e12).toFixed(2)} TB`
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(0)} GB`
  return formatBytes(bytes)
}

/** Watts (`449.6 W`). */
export function formatWatts(watts: number): string {
  if (!Number.isFinite(watts)) return DASH
  return `${watts >= 100 ? watts.toFixed(1) : watts.toFixed(1)} W`
}

/** Degrees Celsius to Fahrenheit. */
export function celsiusToFahrenheit(c: number): number {
  return (c * 9) / 5 + 32
}

/** Temperature in the user's unit (`78 °C` / `172 °F`). */
export function formatTemperature(
  celsius: number,
  unit: 'celsius' | 'fahrenheit' = 'celsius'
): string {
  if (!Number.isFinite(celsius)) return DASH
  return unit === 'fahrenheit'
    ? `${Math.round(celsiusToFahrenheit(celsius))} °F`
    : `${Math.round(celsius)} °C`
}

/** A temperature difference (headroom) in the user's unit: a delta converts by 9/5 only. */
export function formatTemperatureDelta(
  celsius: number,
  unit: 'celsius' | 'fahrenheit' = 'celsius'
): string {
  if (!Number.isFinite(celsius)) return DASH
  return unit === 'fahrenheit' ? `${Math.round((celsius * 9) / 5)} °F` : `${Math.round(celsius)} °C`
}

/** Percent (`97 %`); `fraction` when the input is 0–1. */
export function formatPercent(pct: number, digits = 0): string {
  if (!Number.isFinite(pct)) return DASH
  return `${pct.toFixed(digits)} %`
}

/** A 0–1 fraction as percent. */
export function formatFraction(fraction: number, digits = 0): string {
  return formatPercent(fraction * 100, digits)
}

/** Megahertz (`2745 MHz`, `5.12 GHz` above 4 digits when `compact`). */
export function formatMhz(mhz: number): string {
  if (!Number.isFinite(mhz)) return DASH
  return `${Math.round(mhz)} MHz`
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

/** Hours as a duration (`1.5 h`, `3 d 2 h`). */
export function formatHours(hours: number): string {
  if (!Number.isFinite(hours)) return DASH
  if (hours < 48) return `${hours < 10 ? hours.toFixed(1) : Math.round(hours)} h`
  return formatDuration(hours * 3600)
}

/** Tokens per second (`17.8 tok/s`). */
export function formatTokensPerSec(tps: number): string {
  if (!Number.isFinite(tps)) return DASH
  return `${tps >= 100 ? Math.round(tps) : tps.toFixed(1)} tok/s`
}

/** Seconds with adaptive precision (`0.42 s`). */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return DASH
  return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`
}

/** Clock time of an epoch-ms timestamp (`09:12:05`), in the viewer's zone. */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms)) return DASH
  const d = new Date(ms)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
}

/** A plain number with thousands separators. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return DASH
  return Math.round(n).toLocaleString('en-US')
}
