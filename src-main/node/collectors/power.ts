/**
 * Power-supply collector (Linux): AC adapter state and batteries, so throttle analysis can say "on battery".
 *
 * Source: `/sys/class/power_supply/<name>/` — `type` (Mains/Battery/USB/UPS), `online`, `status`, `capacity`
 * (%), `power_now` (µW) or `current_now` (µA) × `voltage_now` (µV). Peripheral batteries (`scope` = Device:
 * mice, keyboards) are ignored. No power_supply entries is normal on desktops: readings say `no-device`.
 */
import { ok, unavailable, type Reading } from '../../shared/reading'
import type { BatteryState, PowerSample } from '../../shared/telemetry'
import type { FileReader } from '../platform/file-reader'
import type {
  Collector,
  CollectorDeps,
  HostCollectorModule,
  ProbeResult,
  SampleContext,
  SnapshotPart
} from './types'
import { intFromFile, textFromFile } from '../sources/sysfs'

const MODULE = { id: 'power' } as const

const PS_DIR = '/sys/class/power_supply'

interface SupplyHandle {
  name: string
  type: string
  dir: string
  files: Set<string>
}

/** Battery power in W from `power_now` (µW), else `current_now` (µA) × `voltage_now` (µV). Pure. */
export function batteryPowerWatts(
  powerNowUw: Reading<number> | null,
  currentNowUa: Reading<number> | null,
  voltageNowUv: Reading<number> | null
): Reading<number> {
  if (powerNowUw?.status === 'ok') return ok(Math.abs(powerNowUw.value) / 1e6)
  if (currentNowUa?.status === 'ok' && voltageNowUv?.status === 'ok') {
    return ok((Math.abs(currentNowUa.value) * voltageNowUv.value) / 1e12)
  }
  if (powerNowUw) return powerNowUw
  if (currentNowUa && currentNowUa.status !== 'ok') return currentNowUa
  if (voltageNowUv && voltageNowUv.status !== 'ok') return voltageNowUv
  return unavailable('unsupported', 'no power_now or current_now/voltage_now')
}

/**
 * Decides the power source (pure): `ac` when a mains supply is online; `battery` when none is and a battery
 * discharges (or every mains supply reports offline); unavailable when nothing is known.
 */
export function powerSource(
  acOnline: Reading<boolean>,
  batteries: readonly BatteryState[]
): Reading<'ac' | 'battery'> {
  if (acOnline.status === 'ok' && acOnline.value) return ok('ac')
  const discharging = batteries.some(
    (b) => b.status.status === 'ok' && b.status.value === 'Discharging'
  )
  if (discharging) return ok('battery')
  if (acOnline.status === 'ok')
    return batteries.length > 0
      ? ok('battery')
      : unavailable('no-device', 'mains offline and no battery')
  if (
    batteries.some(
      (b) =>
        b.status.status === 'ok' && (b.status.value === 'Charging' || b.status.value === 'Full')
    )
  ) {
    return ok('ac')
  }
  return acOnline
}

async function discover(fs: FileReader): Promise<SupplyHandle[] | null> {
  const listing = await fs.readDir(PS_DIR)
  if (!listing.ok) return null
  const found = await Promise.all(
    listing.value.map(async (name): Promise<SupplyHandle | null> => {
      const dir = `${PS_DIR}/${name}`
      const files = await fs.readDir(dir)
      if (!files.ok) return null
      const set = new Set(files.value)
      const [type, scope] = await Promise.all([
        set.has('type') ? fs.readText(`${dir}/type`) : null,
        set.has('scope') ? fs.readText(`${dir}/scope`) : null
      ])
      if (scope?.ok && scope.value.trim() === 'Device') return null
      return { name, type: type?.ok ? type.value.trim() : 'Unknown', dir, files: set }
    })
  )
  return found.filter((s): s is SupplyHandle => s !== null)
}

/** Builds the Linux power-supply collector. */
export function createPowerCollector(deps: CollectorDeps): Collector {
  const { fs } = deps
  let supplies: SupplyHandle[] | null = null
  const noSupply = unavailable(
    'no-device',
    'no /sys/class/power_supply entries (normal on desktops)'
  )

  const optInt = (s: SupplyHandle, f: string): Promise<Reading<number> | null> =>
    s.files.has(f)
      ? fs.readPolled(`${s.dir}/${f}`).then((r) => intFromFile(r, f))
      : Promise.resolve(null)

  let lastBatteries: BatteryState[] | null = null
  let lastOnlineKey = ''
  const readBattery = async (s: SupplyHandle): Promise<BatteryState> => {
    const [status, capacity, powerNow, currentNow, voltageNow] = await Promise.all([
      s.files.has('status')
        ? fs.readPolled(`${s.dir}/status`).then((r) => textFromFile(r, 'status'))
        : Promise.resolve(unavailable('unsupported', 'no status')),
      optInt(s, 'capacity'),
      optInt(s, 'power_now'),
      optInt(s, 'current_now'),
      optInt(s, 'voltage_now')
    ])
    return {
      name: s.name,
      status,
      capacityPct: capacity ?? unavailable('unsupported', 'no capacity'),
      powerWatts: batteryPowerWatts(powerNow, currentNow, voltageNow)
    }
  }

  return {
    id: MODULE.id,
    async probe(): Promise<ProbeResult> {
      supplies = await discover(fs)
      if (supplies === null || supplies.length === 0) {
        return {
          status: 'absent',
          reason: noSupply,
          inventory: { absent: [{ deviceClass: 'battery', reason: noSupply }] }
        }
      }
      return { status: 'present', inventory: {} }
    },

    async sample(ctx: SampleContext): Promise<SnapshotPart> {
      if (supplies === null || supplies.length === 0) {
        return { power: { source: noSupply, acOnline: noSupply, batteries: [] } }
      }
      const mains = supplies.filter((s) => s.type === 'Mains')
      const batts = supplies.filter((s) => s.type === 'Battery')
      // Charge and draw change slowly: read them on the slow tier. Mains `online` (what flips the source to
      // battery) is read every tick, and a change of it forces a battery read in the same tick.
      const onlineP = Promise.all(
        mains.map(async (s): Promise<Reading<number>> =>
          s.files.has('online')
            ? intFromFile(await fs.readPolled(`${s.dir}/online`), 'online')
            : unavailable('unsupported', 'no online')
        )
      )
      const eager = ctx.due.slow || lastBatteries === null || mains.length === 0
      let batteries = eager
        ? await Promise.all(batts.map(readBattery))
        : (lastBatteries as BatteryState[])
      const online = await onlineP
      const onlineKey = online.map((o) => (o.status === 'ok' ? o.value : o.reason)).join(',')
      if (!eager && onlineKey !== lastOnlineKey)
        batteries = await Promise.all(batts.map(readBattery))
      lastBatteries = batteries
      lastOnlineKey = onlineKey
      let acOnline: Reading<boolean>
      const failed = online.find((o) => o.status !== 'ok')
      if (mains.length === 0) acOnline = unavailable('no-device', 'no Mains power supply')
      else if (online.some((o) => o.status === 'ok' && o.value > 0)) acOnline = ok(true)
      else if (failed === undefined) acOnline = ok(false)
      else acOnline = failed
      const sample: PowerSample = { source: powerSource(acOnline, batteries), acOnline, batteries }
      return { power: sample }
    },

    async close(): Promise<void> {
      supplies = null
    }
  }
}

/** Registry entry: power supplies (Linux). */
export const powerCollector: HostCollectorModule<typeof MODULE.id> = {
  ...MODULE,
  kind: 'host',
  runsOn: (p) => p === 'linux',
  absentClass: 'battery',
  create: createPowerCollector
}
