/**
 * Windows/macOS fallback: CPU load and speed, memory, CPU temperature, filesystems and battery through
 * `systeminformation`, each reading it cannot give marked unavailable with a reason.
 *
 * On these platforms there is no procfs/sysfs; systeminformation is the portable source. Its cost per call
 * is higher than our Linux collectors (PowerShell on Windows), which is why the slow fields (filesystems,
 * battery) only refresh on the slow tier. Results are normalised here: `null`/`-1`/`0`-as-unknown become
 * unavailable and systeminformation's types never leak out.
 */
import si from 'systeminformation'
import { ok, unavailable, type Reading } from '../../shared/reading'
import type {
  CpuSample,
  FilesystemSample,
  MemorySample,
  PowerSample,
  StorageSample
} from '../../shared/telemetry'
import type { Collector, CollectorDeps, HostCollectorModule, SnapshotPart } from './types'

const MODULE = { id: 'si-fallback' } as const

/** The subset of systeminformation this collector uses (injectable for tests). */
export interface SiLike {
  currentLoad(): Promise<{ currentLoad: number; cpus: { load: number }[] }>
  cpuCurrentSpeed(): Promise<{ avg: number; max: number }>
  cpuTemperature(): Promise<{ main: number | null; max: number | null }>
  mem(): Promise<{
    total: number
    available: number
    used: number
    swaptotal: number
    swapused: number
  }>
  fsSize(): Promise<{ fs: string; mount: string; size: number; available: number }[]>
  battery(): Promise<{
    hasBattery: boolean
    isCharging: boolean
    acConnected: boolean
    percent: number
  }>
}

/** A number that systeminformation reports, or unavailable when it used a sentinel. */
export function siNumber(
  n: number | null | undefined,
  what: string,
  allowZero = true
): Reading<number> {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    return unavailable('unsupported', `${what} not reported by the OS interface`)
  return ok(n)
}

/** Creates the fallback collector (`si` injectable for tests). */
export function createSiFallbackCollector(
  deps: CollectorDeps,
  siImpl: SiLike = si as unknown as SiLike
): Collector {
  const platformNote =
    deps.platform === 'win32' ? 'Windows' : deps.platform === 'darwin' ? 'macOS' : deps.platform
  let lastStorage: StorageSample = { devices: [], filesystems: [] }
  let lastPower: PowerSample = {
    source: unavailable('warming-up', 'not read yet'),
    acOnline: unavailable('warming-up', 'not read yet'),
    batteries: []
  }
  const guard = async <T>(p: Promise<T>): Promise<T | Error> =>
    p.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))

  return {
    id: MODULE.id,
    async probe() {
      return { status: 'present', inventory: {} }
    },
    async sample(ctx): Promise<SnapshotPart> {
      const [load, speed, temp, mem] = await Promise.all([
        guard(siImpl.currentLoad()),
        guard(siImpl.cpuCurrentSpeed()),
        guard(siImpl.cpuTemperature()),
        guard(siImpl.mem())
      ])
      const failed = (e: Error): Reading<never> => unavailable('failed', e.message)
      const noCounters = unavailable(
        'unsupported',
        `throttle counters are not exposed on ${platformNote}`
      )
      const cpu: CpuSample = {
        utilizationPct:
          load instanceof Error ? failed(load) : siNumber(load.currentLoad, 'CPU load'),
        perCoreUtilizationPct:
          load instanceof Error ? failed(load) : ok(load.cpus.map((c) => c.load)),
        frequencies: unavailable(
          'unsupported',
          `per-CPU frequency is not exposed on ${platformNote}`
        ),
        frequencyMhz:
          speed instanceof Error ? failed(speed) : siNumber(speed.avg * 1000, 'CPU speed', false),
        frequencyMaxMhz:
          speed instanceof Error
            ? failed(speed)
            : siNumber(speed.max * 1000, 'CPU max speed', false),
        governor: unavailable('unsupported', `no cpufreq governor on ${platformNote}`),
        temperatures: unavailable(
          'unsupported',
          `per-sensor CPU temperatures need a kernel driver on ${platformNote}`
        ),
        packageTemperatureCelsius:
          temp instanceof Error
            ? failed(temp)
            : siNumber(temp.main, 'CPU temperature (needs admin rights or a sensor driver)', false),
        coreThrottle: noCounters,
        packageThrottle: noCounters,
        packagePowerWatts: unavailable(
          'unsupported',
          `RAPL energy counters are not readable on ${platformNote}`
        )
      }
      const memory: MemorySample | undefined =
        mem instanceof Error
          ? undefined
          : {
              totalBytes: siNumber(mem.total, 'memory total', false),
              availableBytes: siNumber(mem.available, 'available memory'),
              availableIsEstimate: false,
              usedBytes: siNumber(mem.used, 'used memory'),
              swapTotalBytes: siNumber(mem.swaptotal, 'swap total'),
              swapUsedBytes: siNumber(mem.swapused, 'swap used'),
              swapInBytesPerSec: unavailable(
                'unsupported',
                `swap rates are not exposed on ${platformNote}`
              ),
              swapOutBytesPerSec: unavailable(
                'unsupported',
                `swap rates are not exposed on ${platformNote}`
              ),
              pressureSomeAvg10Pct: unavailable(
                'not-applicable',
                'pressure stall information is Linux-only'
              ),
              pressureFullAvg10Pct: unavailable(
                'not-applicable',
                'pressure stall information is Linux-only'
              )
            }
      if (ctx.due.slow) {
        const [fs, bat] = await Promise.all([guard(siImpl.fsSize()), guard(siImpl.battery())])
        if (!(fs instanceof Error)) {
          const filesystems: FilesystemSample[] = fs.map((f) => ({
            mount: f.mount,
            sizeBytes: siNumber(f.size, 'filesystem size', false),
            freeBytes: siNumber(f.available, 'filesystem free space')
          }))
          lastStorage = { devices: [], filesystems }
        }
        if (!(bat instanceof Error)) {
          lastPower = bat.hasBattery
            ? {
                source: ok(bat.acConnected ? 'ac' : 'battery'),
                acOnline: ok(bat.acConnected),
                batteries: [
                  {
                    name: 'battery',
                    status: ok(
                      bat.isCharging ? 'Charging' : bat.acConnected ? 'Not charging' : 'Discharging'
                    ),
                    capacityPct: siNumber(bat.percent, 'battery charge'),
                    powerWatts: unavailable(
                      'unsupported',
                      `battery power draw is not exposed on ${platformNote}`
                    )
                  }
                ]
              }
            : { source: ok('ac'), acOnline: ok(true), batteries: [] }
        }
      }
      return { cpu, ...(memory ? { memory } : {}), storage: lastStorage, power: lastPower }
    },
    async close() {}
  }
}

/** Registry entry: systeminformation fallback (Windows, macOS and other platforms). */
export const siFallbackCollector: HostCollectorModule<typeof MODULE.id> = {
  ...MODULE,
  kind: 'host',
  runsOn: (p) => p !== 'linux',
  absentClass: 'other',
  create: createSiFallbackCollector
}
