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
import { discoverHwmonChips, readHwmonChip, type HwmonChipHandle } from '../sources/hwmon'
import { fileUnavailable } from '../sources/sysfs'
import {
  COOLING_RE,
  discoverCooling,
  discoverZone,
  parseCoolingState,
  parseZoneTemp,
  THERMAL_DIR,
  ZONE_RE,
  type CoolingHandle,
  type ZoneHandle
} from '../sources/thermal-zone'
import type {
  Collector,
  CollectorDeps,
  HostCollectorModule,
  ProbeResult,
  SampleContext,
  SnapshotPart
} from './types'

const MODULE = { id: 'thermal' } as const

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
    id: MODULE.id,
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

/** Registry entry: hwmon, thermal zones and cooling devices (Linux). */
export const thermalCollector: HostCollectorModule<typeof MODULE.id> = {
  ...MODULE,
  kind: 'host',
  runsOn: (p) => p === 'linux',
  absentClass: 'cpu-temperature',
  create: createThermalCollector
}
