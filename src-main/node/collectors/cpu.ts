/**
 * CPU collector (Linux): utilisation, frequencies, temperatures, Intel throttle counters and RAPL power.
 *
 * Sources: `/proc/stat` (utilisation from deltas), `/sys/devices/system/cpu/cpuN/cpufreq/*` (kHz, falling back
 * to `/proc/cpuinfo` "cpu MHz" where cpufreq is absent), hwmon coretemp/k10temp/zenpower (m°C),
 * `/sys/devices/system/cpu/cpuN/thermal_throttle/*` (Intel counters), `/sys/class/powercap/intel-rapl:N`
 * (`energy_uj`, µJ). Files are discovered once in probe(); each tick reads only the chosen files, concurrently.
 */
import { ok, unavailable, type Reading } from '../../shared/reading'
import type {
  CoreThrottleCounter,
  CpuFrequency,
  CpuInfo,
  CpuSample,
  PackageThrottleCounter,
  TemperatureSensor
} from '../../shared/telemetry'
import type { FileReader } from '../platform/file-reader'
import { discoverHwmonChips, readHwmonChip, type HwmonChipHandle } from '../sources/hwmon'
import {
  parseCpuinfo,
  parseCpuinfoMhz,
  parseCpuList,
  parseProcStat,
  utilizationBetween,
  type CpuinfoEntry,
  type ProcStat
} from '../sources/procfs'
import { fileUnavailable, intFromFile, parseSysfsInt, textFromFile } from '../sources/sysfs'
import type {
  Collector,
  CollectorDeps,
  HostCollectorModule,
  ProbeResult,
  SampleContext,
  SnapshotPart
} from './types'

const MODULE = { id: 'cpu' } as const

const CPU_DIR = '/sys/devices/system/cpu'
const POWERCAP_DIR = '/sys/class/powercap'
/** hwmon drivers that report CPU temperatures. */
export const CPU_HWMON_DRIVERS: ReadonlySet<string> = new Set(['coretemp', 'k10temp', 'zenpower'])
const RAPL_ZONE_RE = /^intel-rapl:[0-9a-f]+$/
const CPU_ENTRY_RE = /^cpu(\d+)$/
const PACKAGE_LABEL_RE = /^(Package id|Physical id) \d+$/
const RAPL_EACCES_DETAIL = 'energy_uj is root-only on current kernels'

/** Static cpufreq facts of one logical CPU, plus the file polled for its current frequency. */
interface FreqHandle {
  cpu: number
  /** `scaling_cur_freq`, else `cpuinfo_cur_freq`; null → /proc/cpuinfo fallback. */
  curPath: string | null
  dir: string | null
  minMhz: Reading<number>
  maxMhz: Reading<number>
  scalingMinMhz: Reading<number>
  scalingMaxMhz: Reading<number>
  governor: Reading<string>
  driver: Reading<string>
}

interface ThrottleHandle {
  cpu: number
  packageId: number
  coreId: number
  countPath: string | null
  timePath: string | null
}

interface PackageThrottleHandle {
  packageId: number
  countPath: string | null
  timePath: string | null
}

interface RaplZone {
  path: string
  name: string
  maxRangeUj: number | null
}

interface RaplPrev {
  energyUj: number
  atMs: number
}

/** kHz reading → MHz. */
function khzToMhz(r: Reading<number>): Reading<number> {
  return r.status === 'ok' ? ok(r.value / 1000) : r
}

/**
 * Average power (W) between two RAPL energy readings (µJ), handling the counter wrap at `max_energy_range_uj`.
 *
 * Pure. Returns unavailable when the interval is empty or the delta is impossible.
 */
export function raplPowerWatts(
  prevUj: number,
  curUj: number,
  elapsedMs: number,
  maxRangeUj: number | null
): Reading<number> {
  if (!(elapsedMs > 0)) return unavailable('warming-up', 'no time elapsed between the two samples')
  let delta = curUj - prevUj
  if (delta < 0) {
    if (maxRangeUj === null || maxRangeUj <= 0)
      return unavailable('failed', 'energy counter went backwards')
    delta += maxRangeUj
    if (delta < 0) return unavailable('failed', 'energy counter went backwards')
  }
  return ok(delta / 1e6 / (elapsedMs / 1000))
}

/**
 * Chooses the package temperature: the hottest `Package id N`/`Physical id N` (Intel) or `Tdie`, else `Tctl`
 * (AMD; Tctl may carry an offset on some parts), else the hottest CPU sensor.
 */
export function pickPackageTemperature(sensors: readonly TemperatureSensor[]): Reading<number> {
  const values = (pred: (s: TemperatureSensor) => boolean): number[] =>
    sensors
      .filter(pred)
      .flatMap((s) => (s.temperatureCelsius.status === 'ok' ? [s.temperatureCelsius.value] : []))
  for (const pred of [
    (s: TemperatureSensor) => PACKAGE_LABEL_RE.test(s.label),
    (s: TemperatureSensor) => s.label === 'Tdie',
    (s: TemperatureSensor) => s.label === 'Tctl',
    () => true
  ]) {
    const v = values(pred)
    if (v.length > 0) return ok(Math.max(...v))
  }
  return sensors.length === 0
    ? unavailable('no-device', 'no coretemp/k10temp hwmon chip')
    : unavailable('failed', 'no CPU temperature sensor could be read')
}

/** Summarises governors across CPUs: one value, or the distinct values joined with `,`. */
export function summarizeGovernors(freqs: readonly CpuFrequency[]): Reading<string> {
  const set = new Set<string>()
  for (const f of freqs) if (f.governor.status === 'ok') set.add(f.governor.value)
  if (set.size === 0) return unavailable('unsupported', 'no cpufreq governor')
  return ok([...set].sort().join(','))
}

async function listCpus(fs: FileReader, cpuinfo: CpuinfoEntry[]): Promise<number[]> {
  const [online, dir] = await Promise.all([fs.readText(`${CPU_DIR}/online`), fs.readDir(CPU_DIR)])
  const set = new Set<number>()
  const list = online.ok ? parseCpuList(online.value) : []
  if (list.length > 0) for (const c of list) set.add(c)
  else if (dir.ok) {
    for (const e of dir.value) {
      const m = CPU_ENTRY_RE.exec(e)
      if (m) set.add(Number(m[1]))
    }
  }
  // CPUs listed in /proc/cpuinfo are online even when sysfs lacks their directory.
  for (const e of cpuinfo) set.add(e.processor)
  return [...set].sort((a, b) => a - b)
}

async function discoverFreq(fs: FileReader, cpu: number): Promise<FreqHandle> {
  const dir = `${CPU_DIR}/cpu${cpu}/cpufreq`
  const listing = await fs.readDir(dir)
  const none = unavailable('unsupported', 'no cpufreq for this CPU')
  if (!listing.ok || listing.value.length === 0) {
    return {
      cpu,
      curPath: null,
      dir: null,
      minMhz: none,
      maxMhz: none,
      scalingMinMhz: none,
      scalingMaxMhz: none,
      governor: none,
      driver: none
    }
  }
  const has = new Set(listing.value)
  const readInt = async (f: string): Promise<Reading<number>> =>
    has.has(f)
      ? khzToMhz(intFromFile(await fs.readText(`${dir}/${f}`), f))
      : unavailable('unsupported', `no ${f}`)
  const readStr = async (f: string): Promise<Reading<string>> =>
    has.has(f)
      ? textFromFile(await fs.readText(`${dir}/${f}`), f)
      : unavailable('unsupported', `no ${f}`)
  const [minMhz, maxMhz, scalingMinMhz, scalingMaxMhz, governor, driver] = await Promise.all([
    readInt('cpuinfo_min_freq'),
    readInt('cpuinfo_max_freq'),
    readInt('scaling_min_freq'),
    readInt('scaling_max_freq'),
    readStr('scaling_governor'),
    readStr('scaling_driver')
  ])
  // cpuinfo_cur_freq is root-only on most kernels; scaling_cur_freq is the unprivileged view.
  const curPath = has.has('scaling_cur_freq')
    ? `${dir}/scaling_cur_freq`
    : has.has('cpuinfo_cur_freq')
      ? `${dir}/cpuinfo_cur_freq`
      : null
  return { cpu, curPath, dir, minMhz, maxMhz, scalingMinMhz, scalingMaxMhz, governor, driver }
}

async function discoverThrottle(
  fs: FileReader,
  cpus: number[]
): Promise<{ cores: ThrottleHandle[]; packages: PackageThrottleHandle[] }> {
  const perCpu = await Promise.all(
    cpus.map(async (cpu) => {
      const base = `${CPU_DIR}/cpu${cpu}`
      const [listing, pkg, core] = await Promise.all([
        fs.readDir(`${base}/thermal_throttle`),
        fs.readText(`${base}/topology/physical_package_id`),
        fs.readText(`${base}/topology/core_id`)
      ])
      if (!listing.ok) return null
      const p = pkg.ok ? parseSysfsInt(pkg.value) : null
      const c = core.ok ? parseSysfsInt(core.value) : null
      if (p?.status !== 'ok' || c?.status !== 'ok') return null
      const has = new Set(listing.value)
      const f = (n: string): string | null => (has.has(n) ? `${base}/thermal_throttle/${n}` : null)
      return {
        cpu,
        packageId: p.value,
        coreId: c.value,
        coreCount: f('core_throttle_count'),
        coreTime: f('core_throttle_total_time_ms'),
        pkgCount: f('package_throttle_count'),
        pkgTime: f('package_throttle_total_time_ms')
      }
    })
  )
  const cores: ThrottleHandle[] = []
  const packages: PackageThrottleHandle[] = []
  const seenCore = new Set<string>()
  const seenPkg = new Set<number>()
  for (const e of perCpu) {
    if (!e) continue
    // Hyper-threads share a core's counters: report each (package, core) once, from its first CPU.
    const key = `${e.packageId}:${e.coreId}`
    if (!seenCore.has(key) && (e.coreCount || e.coreTime)) {
      seenCore.add(key)
      cores.push({
        cpu: e.cpu,
        packageId: e.packageId,
        coreId: e.coreId,
        countPath: e.coreCount,
        timePath: e.coreTime
      })
    }
    if (!seenPkg.has(e.packageId) && (e.pkgCount || e.pkgTime)) {
      seenPkg.add(e.packageId)
      packages.push({ packageId: e.packageId, countPath: e.pkgCount, timePath: e.pkgTime })
    }
  }
  cores.sort((a, b) => a.packageId - b.packageId || a.coreId - b.coreId)
  packages.sort((a, b) => a.packageId - b.packageId)
  return { cores, packages }
}

async function discoverRapl(fs: FileReader): Promise<RaplZone[]> {
  const listing = await fs.readDir(POWERCAP_DIR)
  if (!listing.ok) return []
  const zones = await Promise.all(
    listing.value
      .filter((e) => RAPL_ZONE_RE.test(e))
      .map(async (e): Promise<RaplZone | null> => {
        const path = `${POWERCAP_DIR}/${e}`
        const [name, range] = await Promise.all([
          fs.readText(`${path}/name`),
          fs.readText(`${path}/max_energy_range_uj`)
        ])
        if (!name.ok || !name.value.trim().startsWith('package-')) return null
        const r = range.ok ? parseSysfsInt(range.value) : null
        return { path, name: name.value.trim(), maxRangeUj: r?.status === 'ok' ? r.value : null }
      })
  )
  return zones.filter((z): z is RaplZone => z !== null).sort((a, b) => (a.name < b.name ? -1 : 1))
}

function polledInt(fs: FileReader, path: string | null, what: string): Promise<Reading<number>> {
  if (path === null) return Promise.resolve(unavailable('unsupported', `no ${what}`))
  return fs.readPolled(path).then((r) => intFromFile(r, what))
}

/** Builds the Linux CPU collector. */
export function createCpuCollector(deps: CollectorDeps): Collector {
  const { fs, clock } = deps
  const log = deps.log.child('collector:cpu')
  let cpus: number[] = []
  let freqs: FreqHandle[] = []
  let needCpuinfoFallback = false
  let cores: ThrottleHandle[] = []
  let packages: PackageThrottleHandle[] = []
  /** `vendor_id` of the first CPU: thermal_throttle counters are an Intel feature. */
  let cpuVendor: string | null = null
  let chips: HwmonChipHandle[] = []
  let rapl: RaplZone[] = []
  let raplPrev: (RaplPrev | null)[] = []
  let prevStat: ProcStat | null = null
  let frequencyMaxMhz: Reading<number> = unavailable('unsupported', 'no cpuinfo_max_freq')
  let lastRaplReason: string | null = null

  const readFrequencies = async (slow: boolean): Promise<CpuFrequency[]> => {
    if (slow) {
      // Limits and governors change rarely (power profiles); refresh them on the slow tier only.
      freqs = await Promise.all(freqs.map((f) => (f.dir === null ? f : discoverFreq(fs, f.cpu))))
    }
    // Issue every read of the tick at once: each sequential await costs a thread-pool round trip.
    const cpuinfoP = needCpuinfoFallback ? fs.readPolled('/proc/cpuinfo') : null
    const curP = freqs.map((f) => (f.curPath !== null ? fs.readPolled(f.curPath) : null))
    let fallback: Map<number, number> | null = null
    if (cpuinfoP) {
      const r = await cpuinfoP
      fallback = r.ok ? parseCpuinfoMhz(r.value) : new Map()
    }
    return Promise.all(
      freqs.map(async (f, i): Promise<CpuFrequency> => {
        let curMhz: Reading<number>
        const pending = curP[i]
        if (pending !== null) curMhz = khzToMhz(intFromFile(await pending, 'scaling_cur_freq'))
        else {
          const mhz = fallback?.get(f.cpu)
          curMhz =
            mhz === undefined
              ? unavailable('unsupported', 'no cpufreq and no cpu MHz in /proc/cpuinfo')
              : ok(mhz)
        }
        return {
          cpu: f.cpu,
          curMhz,
          minMhz: f.minMhz,
          maxMhz: f.maxMhz,
          scalingMinMhz: f.scalingMinMhz,
          scalingMaxMhz: f.scalingMaxMhz,
          governor: f.governor,
          driver: f.driver
        }
      })
    )
  }

  const readRapl = async (): Promise<Reading<number>> => {
    if (rapl.length === 0)
      return unavailable('no-device', 'no intel-rapl package zone in /sys/class/powercap')
    const now = clock.monotonic()
    const reads = await Promise.all(rapl.map((z) => fs.readPolled(`${z.path}/energy_uj`)))
    let total = 0
    let warming = false
    for (let i = 0; i < rapl.length; i++) {
      const res = reads[i]
      if (!res.ok) {
        raplPrev[i] = null
        if (res.code === 'permission-denied')
          return unavailable('permission-denied', RAPL_EACCES_DETAIL)
        return fileUnavailable(res, 'energy_uj')
      }
      const e = parseSysfsInt(res.value)
      if (e.status !== 'ok') {
        raplPrev[i] = null
        return e
      }
      const prev = raplPrev[i]
      raplPrev[i] = { energyUj: e.value, atMs: now }
      if (!prev) {
        warming = true
        continue
      }
      const w = raplPowerWatts(prev.energyUj, e.value, now - prev.atMs, rapl[i].maxRangeUj)
      if (w.status !== 'ok') return w
      total += w.value
    }
    return warming
      ? unavailable('warming-up', 'package power needs two energy readings')
      : ok(total)
  }

  const readTemps = async (slow: boolean): Promise<Reading<TemperatureSensor[]>> => {
    if (chips.length === 0)
      return unavailable('no-device', 'no coretemp/k10temp/zenpower hwmon chip')
    const read = await Promise.all(
      chips.map((c) => readHwmonChip(fs, c, { fans: false, alarms: slow }))
    )
    return ok(read.flatMap((c) => c.temperatures))
  }

  const readThrottle = async (): Promise<
    [Reading<CoreThrottleCounter[]>, Reading<PackageThrottleCounter[]>]
  > => {
    const none =
      cpuVendor !== null && cpuVendor !== 'GenuineIntel'
        ? unavailable('not-applicable', `thermal_throttle counters are Intel-only (${cpuVendor})`)
        : unavailable('unsupported', 'no thermal_throttle counters in sysfs')
    if (cores.length === 0 && packages.length === 0) return [none, none]
    const [c, p] = await Promise.all([
      Promise.all(
        cores.map(async (h): Promise<CoreThrottleCounter> => {
          const [count, totalTimeMs] = await Promise.all([
            polledInt(fs, h.countPath, 'core_throttle_count'),
            polledInt(fs, h.timePath, 'core_throttle_total_time_ms')
          ])
          return { cpu: h.cpu, packageId: h.packageId, coreId: h.coreId, count, totalTimeMs }
        })
      ),
      Promise.all(
        packages.map(async (h): Promise<PackageThrottleCounter> => {
          const [count, totalTimeMs] = await Promise.all([
            polledInt(fs, h.countPath, 'package_throttle_count'),
            polledInt(fs, h.timePath, 'package_throttle_total_time_ms')
          ])
          return { packageId: h.packageId, count, totalTimeMs }
        })
      )
    ])
    return [cores.length > 0 ? ok(c) : none, packages.length > 0 ? ok(p) : none]
  }

  return {
    id: MODULE.id,
    async probe(): Promise<ProbeResult> {
      const [cpuinfoRes, stat] = await Promise.all([
        fs.readText('/proc/cpuinfo'),
        fs.readText('/proc/stat')
      ])
      const cpuinfo = cpuinfoRes.ok ? parseCpuinfo(cpuinfoRes.value) : []
      cpus = await listCpus(fs, cpuinfo)
      const [fh, thr, allChips, zones] = await Promise.all([
        Promise.all(cpus.map((c) => discoverFreq(fs, c))),
        discoverThrottle(fs, cpus),
        discoverHwmonChips(fs),
        discoverRapl(fs)
      ])
      freqs = fh
      needCpuinfoFallback = freqs.some((f) => f.curPath === null)
      cores = thr.cores
      packages = thr.packages
      chips = allChips.filter((c) => CPU_HWMON_DRIVERS.has(c.chipName))
      rapl = zones
      raplPrev = zones.map(() => null)
      prevStat = null

      const maxes = freqs.flatMap((f) => (f.maxMhz.status === 'ok' ? [f.maxMhz.value] : []))
      frequencyMaxMhz =
        maxes.length > 0
          ? ok(Math.max(...maxes))
          : unavailable('unsupported', 'no cpuinfo_max_freq')
      const first = cpuinfo[0]
      cpuVendor = first?.vendor ?? null
      const pkgIds = new Set(cpuinfo.flatMap((e) => (e.physicalId === null ? [] : [e.physicalId])))
      const physCores = new Set(
        cpuinfo.flatMap((e) =>
          e.physicalId === null || e.coreId === null ? [] : [`${e.physicalId}:${e.coreId}`]
        )
      )
      const driver =
        freqs.find((f) => f.driver.status === 'ok')?.driver ??
        unavailable('unsupported', 'no cpufreq driver')
      const info: Partial<CpuInfo> = {
        logicalCores:
          cpus.length > 0 ? ok(cpus.length) : unavailable('unsupported', 'no CPUs listed'),
        packages:
          pkgIds.size > 0
            ? ok(pkgIds.size)
            : unavailable('unsupported', 'no physical id in /proc/cpuinfo'),
        physicalCores:
          physCores.size > 0
            ? ok(physCores.size)
            : unavailable('unsupported', 'no core id in /proc/cpuinfo'),
        maxMhz: frequencyMaxMhz,
        scalingDriver: driver,
        hasThrottleCounters: cores.length > 0 || packages.length > 0,
        vendor: first?.vendor
          ? ok(first.vendor)
          : unavailable('unsupported', 'no vendor_id in /proc/cpuinfo'),
        model: first?.modelName
          ? ok(first.modelName)
          : unavailable('unsupported', 'no model name in /proc/cpuinfo'),
        flags: first?.flags
          ? ok(first.flags)
          : unavailable('unsupported', 'no flags in /proc/cpuinfo')
      }
      if (!stat.ok && cpus.length === 0) {
        return {
          status: 'absent',
          reason: fileUnavailable(stat, '/proc/stat'),
          inventory: { cpu: info }
        }
      }
      if (stat.ok) prevStat = parseProcStat(stat.value)
      log.log(
        'debug',
        `probe: ${cpus.length} CPUs, ${chips.length} temp chips, ${rapl.length} RAPL zones`
      )
      return { status: 'present', inventory: { cpu: info } }
    },

    async sample(ctx: SampleContext): Promise<SnapshotPart> {
      // /proc/stat through the polled reader, which grows its buffer for the long intr line of large machines.
      const [statRes, frequencies, temps, throttle, power] = await Promise.all([
        fs.readPolled('/proc/stat'),
        readFrequencies(ctx.due.slow),
        readTemps(ctx.due.slow),
        readThrottle(),
        readRapl()
      ])
      let utilizationPct: Reading<number>
      let perCoreUtilizationPct: Reading<number[]>
      if (!statRes.ok) {
        const why = fileUnavailable(statRes, '/proc/stat')
        utilizationPct = why
        perCoreUtilizationPct = why
        prevStat = null
      } else {
        const cur = parseProcStat(statRes.value)
        utilizationPct =
          cur.total === null
            ? unavailable('parse-error', 'no cpu line in /proc/stat')
            : utilizationBetween(prevStat?.total, cur.total)
        const per: number[] = []
        let perStatus: Reading<number[]> | null = null
        for (const cpu of [...cur.perCpu.keys()].sort((a, b) => a - b)) {
          const u = utilizationBetween(prevStat?.perCpu.get(cpu), cur.perCpu.get(cpu))
          if (u.status !== 'ok') {
            perStatus = u
            break
          }
          per.push(u.value)
        }
        perCoreUtilizationPct =
          perStatus ??
          (per.length > 0 ? ok(per) : unavailable('parse-error', 'no cpuN lines in /proc/stat'))
        prevStat = cur
      }

      const curs = frequencies.flatMap((f) => (f.curMhz.status === 'ok' ? [f.curMhz.value] : []))
      const reason = power.status === 'unavailable' ? power.reason : null
      if (reason !== lastRaplReason) {
        if (reason === 'permission-denied')
          log.log('info', `RAPL package power unavailable: ${RAPL_EACCES_DETAIL}`)
        lastRaplReason = reason
      }
      const sample: CpuSample = {
        utilizationPct,
        perCoreUtilizationPct,
        frequencies:
          frequencies.length > 0 ? ok(frequencies) : unavailable('unsupported', 'no CPUs listed'),
        frequencyMhz:
          curs.length > 0
            ? ok(curs.reduce((a, b) => a + b, 0) / curs.length)
            : unavailable('unsupported', 'no current CPU frequency'),
        frequencyMaxMhz,
        governor: summarizeGovernors(frequencies),
        temperatures: temps,
        packageTemperatureCelsius:
          temps.status === 'ok' ? pickPackageTemperature(temps.value) : temps,
        coreThrottle: throttle[0],
        packageThrottle: throttle[1],
        packagePowerWatts: power
      }
      return { cpu: sample }
    },

    async close(): Promise<void> {
      prevStat = null
    }
  }
}

/** Registry entry: CPU (Linux procfs/sysfs). */
export const cpuCollector: HostCollectorModule<typeof MODULE.id> = {
  ...MODULE,
  kind: 'host',
  runsOn: (p) => p === 'linux',
  absentClass: 'other',
  create: createCpuCollector
}
