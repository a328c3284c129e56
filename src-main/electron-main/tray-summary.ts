/**
 * What the tray shows: the hottest device's temperature and a marker while anything throttles.
 *
 * Pure: computed from the latest Snapshot (and the previous one, for CPU throttle counters).
 */
import { isOk } from '../shared/reading'
import type { Snapshot, ThrottleCause } from '../shared/telemetry'

/** The tray's text. */
export interface TraySummary {
  /** Short text next to the icon (macOS menu bar): `72°C` or `72°C ⚠`; empty when nothing is known. */
  title: string
  /** Multi-line tooltip. */
  tooltip: string
  hottest: { label: string; temperatureCelsius: number } | null
  /** Devices currently throttling, with causes (`RTX 4090: power`). */
  throttling: string[]
}

/** Marker appended to the title while any device throttles. */
export const THROTTLE_MARKER = '⚠'

// Reasons that are not throttling (idle, application clocks) or too noisy to flag instantly (NVIDIA's
// ambiguous HW slowdown blinks on P-state changes; the detector counts it only when sustained).
const NOT_SHOWN: ReadonlySet<ThrottleCause> = new Set(['idle', 'config', 'hw-slowdown'])

function formatTemperature(celsius: number, unit: 'celsius' | 'fahrenheit'): string {
  return unit === 'fahrenheit'
    ? `${Math.round((celsius * 9) / 5 + 32)}°F`
    : `${Math.round(celsius)}°C`
}

function packageThrottleTotal(s: Snapshot | null): number | null {
  if (s === null || !isOk(s.cpu) || !isOk(s.cpu.value.packageThrottle)) return null
  let total = 0
  for (const p of s.cpu.value.packageThrottle.value) {
    if (!isOk(p.count)) return null
    total += p.count.value
  }
  return total
}

/** Builds the tray text for `snapshot`; `previous` lets CPU throttle counters show new events. */
export function summarizeForTray(
  snapshot: Snapshot,
  previous: Snapshot | null = null,
  unit: 'celsius' | 'fahrenheit' = 'celsius'
): TraySummary {
  const temps: { label: string; temperatureCelsius: number }[] = []
  const throttling: string[] = []
  // "No throttling" needs a throttle signal that was read; with none it is unknown.
  let observed = false

  for (const gpu of snapshot.gpus) {
    if (isOk(gpu.temperatureCelsius))
      temps.push({ label: gpu.name, temperatureCelsius: gpu.temperatureCelsius.value })
    if (isOk(gpu.throttleFlags)) {
      observed = true
      const causes = [
        ...new Set(gpu.throttleFlags.value.map((f) => f.cause).filter((c) => !NOT_SHOWN.has(c)))
      ]
      if (causes.length > 0) throttling.push(`${gpu.name}: ${causes.join(', ')}`)
    }
  }
  if (isOk(snapshot.cpu)) {
    const cpu = snapshot.cpu.value
    if (isOk(cpu.packageTemperatureCelsius))
      temps.push({ label: 'CPU', temperatureCelsius: cpu.packageTemperatureCelsius.value })
    const now = packageThrottleTotal(snapshot)
    const before = packageThrottleTotal(previous)
    if (now !== null && before !== null) observed = true
    if (now !== null && before !== null && now > before) throttling.push('CPU: thermal')
  }
  if (isOk(snapshot.storage)) {
    for (const d of snapshot.storage.value.devices) {
      if (!isOk(d.temperatureCelsius)) continue
      temps.push({ label: d.name, temperatureCelsius: d.temperatureCelsius.value })
      if (isOk(d.tempMaxCelsius)) observed = true
      if (isOk(d.tempMaxCelsius) && d.temperatureCelsius.value >= d.tempMaxCelsius.value) {
        throttling.push(`${d.name}: storage-thermal`)
      }
    }
  }

  const hottest = temps.reduce<TraySummary['hottest']>(
    (best, t) =>
      Number.isFinite(t.temperatureCelsius) &&
      (best === null || t.temperatureCelsius > best.temperatureCelsius)
        ? t
        : best,
    null
  )
  const marker = throttling.length > 0 ? ` ${THROTTLE_MARKER}` : ''
  const title =
    hottest === null
      ? marker
        ? THROTTLE_MARKER
        : ''
      : `${formatTemperature(hottest.temperatureCelsius, unit)}${marker}`
  const lines = ['RigReady']
  lines.push(
    hottest === null
      ? 'No temperature readings'
      : `Hottest: ${hottest.label} ${formatTemperature(hottest.temperatureCelsius, unit)}`
  )
  lines.push(
    throttling.length > 0
      ? `Throttling: ${throttling.join('; ')}`
      : observed
        ? 'No throttling'
        : 'Throttling: unknown (no throttle readings)'
  )
  return { title, tooltip: lines.join('\n'), hottest, throttling }
}
