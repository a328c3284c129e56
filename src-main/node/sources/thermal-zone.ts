/**
 * The thermal class in sysfs: `/sys/class/thermal/thermal_zoneN` (`temp` in m°C, may be negative;
 * `trip_point_N_{type,temp}`) and `/sys/class/thermal/cooling_deviceN` (`cur_state`/`max_state`; a non-zero
 * state on a `Processor` device is passive CPU throttling). Discovery reads the static files once; the
 * collector polls `temp` and `cur_state`.
 */
import { unavailable, type Reading } from '../../shared/reading'
import type { FileReader } from '../platform/file-reader'
import { parseMillidegrees } from './hwmon'
import { fileUnavailable, parseSysfsInt, readTrimmedOrNull } from './sysfs'

/** Root of the thermal class. */
export const THERMAL_DIR = '/sys/class/thermal'
/** `thermal_zoneN` entries. */
export const ZONE_RE = /^thermal_zone(\d+)$/
/** `cooling_deviceN` entries. */
export const COOLING_RE = /^cooling_device(\d+)$/
const TRIP_TYPE_RE = /^trip_point_(\d+)_type$/

/** A thermal zone found at probe: its type, trip points and the file polled per tick. */
export interface ZoneHandle {
  zone: string
  type: string
  tempPath: string
  trips: { type: string; temperatureCelsius: number }[]
}

/** A cooling device found at probe. */
export interface CoolingHandle {
  id: string
  type: string
  curPath: string | null
  maxState: Reading<number>
}

/**
 * Parses a cooling-device state (`cur_state`/`max_state`): a non-negative integer. `-1` (intel_powerclamp when
 * idle injection is off) and garbage are unavailable, never 0.
 */
export function parseCoolingState(text: string, what = 'state'): Reading<number> {
  const r = parseSysfsInt(text, what)
  if (r.status !== 'ok') return r
  return r.value >= 0 ? r : unavailable('unsupported', `state ${r.value} (not active)`)
}

/** Parses a thermal zone `temp` file (m°C, negative allowed, e.g. acpitz `-44000`). */
export function parseZoneTemp(text: string): Reading<number> {
  return parseMillidegrees(text, 'temp')
}

/** Reads one `thermal_zoneN` directory (type and trip points), or null when it cannot be listed. */
export async function discoverZone(
  fs: FileReader,
  entry: string,
  index: string
): Promise<ZoneHandle | null> {
  const dir = `${THERMAL_DIR}/${entry}`
  const listing = await fs.readDir(dir)
  if (!listing.ok) return null
  const tripIdx = listing.value.flatMap((e) => {
    const m = TRIP_TYPE_RE.exec(e)
    return m ? [Number(m[1])] : []
  })
  tripIdx.sort((a, b) => a - b)
  const [type, trips] = await Promise.all([
    readTrimmedOrNull(fs, `${dir}/type`),
    Promise.all(
      tripIdx.map(async (i) => {
        const [t, temp] = await Promise.all([
          readTrimmedOrNull(fs, `${dir}/trip_point_${i}_type`),
          fs.readText(`${dir}/trip_point_${i}_temp`)
        ])
        const c = temp.ok ? parseMillidegrees(temp.value) : null
        return t && c?.status === 'ok' ? { type: t, temperatureCelsius: c.value } : null
      })
    )
  ])
  return {
    zone: index,
    type: type || entry,
    tempPath: `${dir}/temp`,
    trips: trips.filter((t): t is { type: string; temperatureCelsius: number } => t !== null)
  }
}

/** Reads one `cooling_deviceN` directory (type, max_state), or null when it cannot be listed. */
export async function discoverCooling(
  fs: FileReader,
  entry: string,
  index: string
): Promise<CoolingHandle | null> {
  const dir = `${THERMAL_DIR}/${entry}`
  const listing = await fs.readDir(dir)
  if (!listing.ok) return null
  const has = new Set(listing.value)
  const [type, max] = await Promise.all([
    readTrimmedOrNull(fs, `${dir}/type`),
    has.has('max_state') ? fs.readText(`${dir}/max_state`) : Promise.resolve(null)
  ])
  return {
    id: index,
    type: type || entry,
    curPath: has.has('cur_state') ? `${dir}/cur_state` : null,
    maxState:
      max === null
        ? unavailable('unsupported', 'no max_state')
        : max.ok
          ? parseCoolingState(max.value)
          : fileUnavailable(max, 'max_state')
  }
}
