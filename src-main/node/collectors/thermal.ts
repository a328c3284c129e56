/**
 * Thermal collector (Linux): every hwmon chip, every thermal zone and every cooling device.
 *
 * Sources: `/sys/class/hwmon/hwmonN` (m°C, RPM; see hwmon.ts), `/sys/class/thermal/thermal_zoneN`
 * (`temp` in m°C, may be negative; `trip_point_N_{type,temp}`), `/sys/class/thermal/cooling_deviceN`
 * (`cur_state`/`max_state`; a non-zero state on a `Processor` device is passive CPU throttling).
 * Trip points, cooling limits and hwmon thresholds are read once at probe; fans on the slow tier.
 */
import { unavailable, type Reading } from '../../shared/reading'
import type {
  CoolingDevice,
  FanSensor,
  HwmonChip,
  ThermalSample,
  ThermalZone
} from '../../shared/telemetry'
import type { FileReader } from '../platform/file-reader'
import type { Collector, CollectorDeps, ProbeResult, SampleContext, SnapshotPart } from './types'
import { discoverHwmonChips, parseMillidegrees, readHwmonChip, type HwmonChipHandle } from './hwmon'
import { fileUnavailable, parseSysfsInt } from './procfs-parsers'

const THERMAL_DIR = '/sys/class/thermal'
const ZONE_RE = /^thermal_zone(\d+)$/
const COOLING_RE = /^cooling_device(\d+)$/
const TRIP_TYPE_RE = /^trip_point_(\d+)_type$/

interface ZoneHandle {
  zone: string
  type: string
  tempPath: string
  trips: { type: string; temperatureCelsius: number }[]
}

interface CoolingHandle {
  id: string
  type: string
  curPath: string | null
  maxState: Reading<number>
}

/**
 * Parses a cooling-device state (`cur_state`/`max_state`): a non-negative integer. `-1` (intel_powerclamp when
 * idle injection is off) and garbage are unavailable, never 0.
 */
export function parseCoolingState(text: string): Reading<number> {
  const r = parseSysfsInt(text)
  if (r.status !== 'ok') return r
  return r.value >= 0 ? r : unavailable('unsupported', `state ${r.value} (not active)`)
}

/** Parses a thermal zone `temp` file (m°C, negative allowed, e.g. acpitz `-44000`). */
export function parseZoneTemp(text: string): Reading<number> {
  return parseMillidegrees(text)
}

async function readTrimmed(fs: FileReader, path: string): Promise<string | null> {
  const r = await fs.readText(path)
  return r.ok ? r.value.trim() : null
}

async function discoverZone(
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
    readTrimmed(fs, `${dir}/type`),
    Promise.all(
      tripIdx.map(async (i) => {
        const [t, temp] = await Promise.all([
          readTrimmed(fs, `${dir}/trip_point_${i}_type`),
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

async function discoverCooling(
  fs: FileReader,
  entry: string,
  index: string
): Promise<CoolingHandle | null> {
  const dir = `${THERMAL_DIR}/${entry}`
  const listing = await fs.readDir(dir)
  if (!listing.ok) return null
  const has = new Set(listing.value)
  const [type, max] = await Promise.all([
    readTrimmed(fs, `${dir}/type`),
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

/** Builds the Linux thermal collector. */
export function createThermalCollector(deps: CollectorDeps): Collector {
  const { fs } = deps
  let chips: HwmonChipHandle[] = []
  let zones: ZoneHandle[] = []
  let cooling: CoolingHandle[] = []
  /** Last fan readings per chip, refreshed on the slow tier. */
  let fanCache = new Map<string, FanSensor[]>()
  let fansRead = false

  return {
    id: 'thermal',
    async probe(): Promise<ProbeResult> {
      const [found, listing] = await Promise.all([discoverHwmonChips(fs), fs.readDir(THERMAL_DIR)])
      chips = found
      const entries = listing.ok ? listing.value : []
      const [z, c] = await Promise.all([
        Promise.all(
          entries.map((e) => {
            const m = ZONE_RE.exec(e)
            return m ? discoverZone(fs, e, m[1]) : Promise.resolve(null)
          })
        ),
        Promise.all(
          entries.map((e) => {
            const m = COOLING_RE.exec(e)
            return m ? discoverCooling(fs, e, m[1]) : Promise.resolve(null)
          })
        )
      ])
      zones = z
        .filter((x): x is ZoneHandle => x !== null)
        .sort((a, b) => Number(a.zone) - Number(b.zone))
      cooling = c
        .filter((x): x is CoolingHandle => x !== null)
        .sort((a, b) => Number(a.id) - Number(b.id))
      fanCache = new Map()
      fansRead = false
      if (chips.length === 0 && zones.length === 0 && cooling.length === 0) {
        return {
          status: 'absent',
          reason: unavailable('no-device', 'no hwmon chips, thermal zones or cooling devices'),
          inventory: {
            absent: [
              {
                deviceClass: 'cpu-temperature',
                reason: unavailable('no-device', 'no hwmon chips or thermal zones')
              }
            ]
          }
        }
      }
      return { status: 'present', inventory: {} }
    },

    async sample(ctx: SampleContext): Promise<SnapshotPart> {
      const readFans = ctx.due.slow || !fansRead
      const [hw, zs, cs] = await Promise.all([
        Promise.all(
          chips.map((h) => readHwmonChip(fs, h, { fans: readFans, alarms: ctx.due.slow }))
        ),
        Promise.all(
          zones.map(async (z): Promise<ThermalZone> => {
            const r = await fs.readPolled(z.tempPath)
            return {
              zone: z.zone,
              type: z.type,
              temperatureCelsius: r.ok ? parseZoneTemp(r.value) : fileUnavailable(r, 'temp'),
              trips: z.trips
            }
          })
        ),
        Promise.all(
          cooling.map(async (c): Promise<CoolingDevice> => {
            let curState: Reading<number>
            if (c.curPath === null) curState = unavailable('unsupported', 'no cur_state')
            else {
              const r = await fs.readPolled(c.curPath)
              curState = r.ok ? parseCoolingState(r.value) : fileUnavailable(r, 'cur_state')
            }
            return { id: c.id, type: c.type, curState, maxState: c.maxState }
          })
        )
      ])
      if (readFans) {
        fansRead = true
        for (const chip of hw) fanCache.set(chip.chip, chip.fans)
      }
      const out: HwmonChip[] = readFans
        ? hw
        : hw.map((chip) => ({ ...chip, fans: fanCache.get(chip.chip) ?? [] }))
      const sample: ThermalSample = { chips: out, zones: zs, cooling: cs }
      return { thermal: sample }
    },

    async close(): Promise<void> {
      fanCache.clear()
    }
  }
}
