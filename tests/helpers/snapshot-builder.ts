/**
 * Builders for Snapshot, GpuSample, CpuSample, storage/power samples and Inventory, for tests.
 *
 * Every field is a Reading. Options take a plain number (becomes `ok(n)`), a Reading (used as is, e.g.
 * `na('unsupported')`) or nothing (the default). Defaults describe a healthy, idle machine: GPU fields are
 * plausible idle values of an RTX 4090-class card; fields a test rarely needs default to unavailable so they
 * can never create accidental evidence (throttle counters, hotspot, CPU throttle counters, SMART).
 *
 *   snapshot({ t: 1000, gpus: [gpuSample({ index: 0, utilizationPct: 98, clockSmMhz: 1410, throttle: ['sw_power_cap'] })] })
 *   stream(60, 1000, (i) => ({ gpus: [gpuSample({ utilizationPct: 99, counters: { sw_power_cap: i * 0.5 } })] }))
 */
import {
  ok,
  unavailable,
  type Reading,
  type UnavailableReason
} from '../../src-main/shared/reading'
import { classifyThrottleReason } from '../../src-main/shared/throttle-causes'
import {
  SNAPSHOT_SCHEMA_VERSION,
  emptyGpuSample,
  type BatteryState,
  type CoreThrottleCounter,
  type CpuInfo,
  type CpuSample,
  type GpuInfo,
  type GpuSample,
  type GpuVendor,
  type Inventory,
  type MemorySample,
  type PackageThrottleCounter,
  type PowerSample,
  type Snapshot,
  type StorageDeviceSample,
  type StorageKind,
  type ThrottleFlag
} from '../../src-main/shared/telemetry'

/** A value for a builder option: a plain value, a Reading, or undefined for the default. */
export type R<T> = T | Reading<T> | undefined

/** An unavailable reading (default reason `unsupported`, detail "not set in test"). */
export function na(
  reason: UnavailableReason = 'unsupported',
  detail = 'not set in test'
): Reading<never> {
  return unavailable(reason, detail)
}

function isReading<T>(x: unknown): x is Reading<T> {
  return (
    typeof x === 'object' &&
    x !== null &&
    'status' in x &&
    ((x as { status: unknown }).status === 'ok' ||
      (x as { status: unknown }).status === 'unavailable')
  )
}

/** Normalises a builder option into a Reading. */
export function rd<T>(x: R<T>, fallback: Reading<T> = na()): Reading<T> {
  if (x === undefined) return fallback
  if (isReading<T>(x)) return x
  return ok(x as T)
}

const MiB = 1024 * 1024

// ---------------------------------------------------------------------------------------------------------
// GPU
// ---------------------------------------------------------------------------------------------------------

/** Options for {@link gpuSample}. */
export interface GpuSampleOptions {
  index?: number
  id?: string
  vendor?: GpuVendor
  name?: string
  state?: GpuSample['state']
  utilizationPct?: R<number>
  memoryUtilizationPct?: R<number>
  memoryUsedBytes?: R<number>
  memoryTotalBytes?: R<number>
  temperatureCelsius?: R<number>
  hotspotTemperatureCelsius?: R<number>
  memoryTemperatureCelsius?: R<number>
  temperatureHeadroomCelsius?: R<number>
  powerDrawWatts?: R<number>
  powerLimitWatts?: R<number>
  clockSmMhz?: R<number>
  clockMaxSmMhz?: R<number>
  clockMemoryMhz?: R<number>
  clockMaxMemoryMhz?: R<number>
  pcieGen?: R<number>
  pcieWidth?: R<number>
  pcieMaxGen?: R<number>
  pcieMaxWidth?: R<number>
  fanPct?: R<number>
  pstate?: R<string>
  /** Active flags by vendor name (cause classified like the detector does) or as full flags. */
  throttle?: (string | ThrottleFlag)[] | Reading<ThrottleFlag[]>
  throttleMaskHex?: R<string>
  /** Cumulative seconds in throttle per vendor reason (`sw_power_cap: 12.5`). */
  counters?: Record<string, number> | Reading<Record<string, number>>
  /** Any field, set last. */
  overrides?: Partial<GpuSample>
}

/** A GPU sample; defaults: idle NVIDIA card, 35 °C, 20/450 W, 210 of 2520 MHz, Gen4 x16 of Gen4 x16. */
export function gpuSample(opts: GpuSampleOptions = {}): GpuSample {
  const index = opts.index ?? 0
  const vendor = opts.vendor ?? 'nvidia'
  const flags: Reading<ThrottleFlag[]> = isReading<ThrottleFlag[]>(opts.throttle)
    ? opts.throttle
    : ok(
        (opts.throttle ?? []).map((f) =>
          typeof f === 'string' ? { name: f, cause: classifyThrottleReason(f) } : f
        )
      )
  const counters: Reading<Record<string, number>> =
    opts.counters === undefined
      ? na()
      : isReading<Record<string, number>>(opts.counters)
        ? opts.counters
        : ok(opts.counters)
  const g: GpuSample = {
    id: opts.id ?? `${vendor}:${index}`,
    index,
    vendor,
    name: opts.name ?? 'NVIDIA GeForce RTX 4090',
    state: opts.state ?? 'active',
    utilizationPct: rd(opts.utilizationPct, ok(0)),
    memoryUtilizationPct: rd(opts.memoryUtilizationPct, ok(0)),
    memoryUsedBytes: rd(opts.memoryUsedBytes, ok(512 * MiB)),
    memoryTotalBytes: rd(opts.memoryTotalBytes, ok(24564 * MiB)),
    temperatureCelsius: rd(opts.temperatureCelsius, ok(35)),
    hotspotTemperatureCelsius: rd(opts.hotspotTemperatureCelsius),
    memoryTemperatureCelsius: rd(opts.memoryTemperatureCelsius),
    temperatureHeadroomCelsius: rd(opts.temperatureHeadroomCelsius),
    powerDrawWatts: rd(opts.powerDrawWatts, ok(20)),
    powerAverageWatts: na(),
    powerInstantWatts: na(),
    powerLimitWatts: rd(opts.powerLimitWatts, ok(450)),
    clockSmMhz: rd(opts.clockSmMhz, ok(210)),
    clockGraphicsMhz: rd(opts.clockSmMhz, ok(210)),
    clockMemoryMhz: rd(opts.clockMemoryMhz, ok(405)),
    clockMaxSmMhz: rd(opts.clockMaxSmMhz, ok(2520)),
    clockMaxMemoryMhz: rd(opts.clockMaxMemoryMhz, ok(10501)),
    pcieGen: rd(opts.pcieGen, ok(4)),
    pcieWidth: rd(opts.pcieWidth, ok(16)),
    pcieMaxGen: rd(opts.pcieMaxGen, ok(4)),
    pcieMaxWidth: rd(opts.pcieMaxWidth, ok(16)),
    fanPct: rd(opts.fanPct, ok(30)),
    fanRpm: na(),
    pstate: rd(opts.pstate, ok('P8')),
    throttleFlags: flags,
    throttleMaskHex: rd(opts.throttleMaskHex),
    throttleCountersSeconds: counters
  }
  return { ...g, ...(opts.overrides ?? {}) }
}

/** A GPU sample with every reading unavailable for `reason` (e.g. `asleep`), built by the engine's builder. */
export function unavailableGpuSample(index = 0, reason: UnavailableReason = 'asleep'): GpuSample {
  return emptyGpuSample(gpuSample({ index }), unavailable(reason, 'test'))
}

/** Static GPU facts; defaults match {@link gpuSample}'s card (slowdown 90 °C, 450 W default limit). */
export function gpuInfo(opts: Partial<Omit<GpuInfo, 'index'>> & { index?: number } = {}): GpuInfo {
  const index = opts.index ?? 0
  const vendor = opts.vendor ?? 'nvidia'
  return {
    id: `${vendor}:${index}`,
    index,
    vendor,
    name: 'NVIDIA GeForce RTX 4090',
    uuid: na(),
    pciBusId: na(),
    memoryTotalBytes: ok(24564 * MiB),
    driverVersion: na(),
    runtimeVersion: na(),
    computeCapability: ok('8.9'),
    gfxTarget: na(),
    clockMaxSmMhz: ok(2520),
    clockMaxGraphicsMhz: ok(2520),
    clockMaxMemoryMhz: ok(10501),
    pcieMaxGen: ok(4),
    pcieMaxWidth: ok(16),
    pcieGpuMaxGen: ok(4),
    pcieHostMaxGen: ok(4),
    powerDefaultLimitWatts: ok(450),
    powerMinLimitWatts: ok(150),
    powerMaxLimitWatts: ok(600),
    tempSlowdownCelsius: ok(90),
    tempShutdownCelsius: ok(95),
    tempMaxOperatingCelsius: ok(88),
    tempMemoryMaxCelsius: na(),
    migEnabled: ok(false),
    integrated: false,
    ...opts
  }
}

// ---------------------------------------------------------------------------------------------------------
// CPU, memory, storage, power
// ---------------------------------------------------------------------------------------------------------

/** A package throttle counter (Intel thermal_throttle). */
export function packageThrottle(
  packageId: number,
  count: R<number>,
  totalTimeMs: R<number>
): PackageThrottleCounter {
  return { packageId, count: rd(count), totalTimeMs: rd(totalTimeMs) }
}

/** A core throttle counter (Intel thermal_throttle). */
export function coreThrottle(
  cpu: number,
  count: R<number>,
  totalTimeMs: R<number>,
  packageId = 0
): CoreThrottleCounter {
  return { cpu, packageId, coreId: cpu, count: rd(count), totalTimeMs: rd(totalTimeMs) }
}

/** Options for {@link cpuSample}. */
export interface CpuSampleOptions {
  utilizationPct?: R<number>
  frequencyMhz?: R<number>
  frequencyMaxMhz?: R<number>
  packageTemperatureCelsius?: R<number>
  packagePowerWatts?: R<number>
  governor?: R<string>
  /** Package counters: full objects or `{ count, totalTimeMs }` for package 0. */
  packageThrottle?:
    | PackageThrottleCounter[]
    | { count: number; totalTimeMs: number }
    | Reading<PackageThrottleCounter[]>
  coreThrottle?: CoreThrottleCounter[] | Reading<CoreThrottleCounter[]>
  temperatures?: CpuSample['temperatures']
  overrides?: Partial<CpuSample>
}

/** A CPU sample; defaults: 5 % busy, 1200 of 5000 MHz, 45 °C, no throttle counters (AMD-like). */
export function cpuSample(opts: CpuSampleOptions = {}): CpuSample {
  let pkg: Reading<PackageThrottleCounter[]>
  const p = opts.packageThrottle
  if (p === undefined) pkg = na('unsupported', 'no thermal_throttle counters')
  else if (isReading<PackageThrottleCounter[]>(p)) pkg = p
  else if (Array.isArray(p)) pkg = ok(p)
  else pkg = ok([packageThrottle(0, p.count, p.totalTimeMs)])
  const c = opts.coreThrottle
  const core: Reading<CoreThrottleCounter[]> =
    c === undefined
      ? na('unsupported', 'no thermal_throttle counters')
      : isReading<CoreThrottleCounter[]>(c)
        ? c
        : ok(c)
  const s: CpuSample = {
    utilizationPct: rd(opts.utilizationPct, ok(5)),
    perCoreUtilizationPct: na(),
    frequencies: na(),
    frequencyMhz: rd(opts.frequencyMhz, ok(1200)),
    frequencyMaxMhz: rd(opts.frequencyMaxMhz, ok(5000)),
    governor: rd(opts.governor, ok('schedutil')),
    temperatures: opts.temperatures ?? na(),
    packageTemperatureCelsius: rd(opts.packageTemperatureCelsius, ok(45)),
    coreThrottle: core,
    packageThrottle: pkg,
    packagePowerWatts: rd(opts.packagePowerWatts, na('permission-denied', 'energy_uj is root-only'))
  }
  return { ...s, ...(opts.overrides ?? {}) }
}

/** A memory sample; defaults: 64 GiB, 48 GiB available, no swap use. */
export function memorySample(overrides: Partial<MemorySample> = {}): MemorySample {
  const GiB = 1024 * MiB
  return {
    totalBytes: ok(64 * GiB),
    availableBytes: ok(48 * GiB),
    availableIsEstimate: false,
    usedBytes: ok(16 * GiB),
    swapTotalBytes: ok(8 * GiB),
    swapUsedBytes: ok(0),
    swapInBytesPerSec: ok(0),
    swapOutBytesPerSec: ok(0),
    pressureSomeAvg10Pct: ok(0),
    pressureFullAvg10Pct: ok(0),
    ...overrides
  }
}

/** Options for {@link storageDevice}. */
export interface StorageDeviceOptions {
  name?: string
  kind?: StorageKind
  temperatureCelsius?: R<number>
  tempMaxCelsius?: R<number>
  tempCritCelsius?: R<number>
  readBytesPerSec?: R<number>
  writeBytesPerSec?: R<number>
  busyPct?: R<number>
  overrides?: Partial<StorageDeviceSample>
}

/** An NVMe drive sample; defaults: nvme0n1, Composite 40 °C, limits 83/85 °C (hwmon temp1_max/crit). */
export function storageDevice(opts: StorageDeviceOptions = {}): StorageDeviceSample {
  return {
    name: opts.name ?? 'nvme0n1',
    kind: opts.kind ?? 'nvme',
    readBytesPerSec: rd(opts.readBytesPerSec, ok(0)),
    writeBytesPerSec: rd(opts.writeBytesPerSec, ok(0)),
    busyPct: rd(opts.busyPct, ok(0)),
    temperatureCelsius: rd(opts.temperatureCelsius, ok(40)),
    tempMaxCelsius: rd(opts.tempMaxCelsius, ok(83)),
    tempCritCelsius: rd(opts.tempCritCelsius, ok(85)),
    extraTemperatures: [],
    pcieGen: na(),
    pcieWidth: na(),
    smart: na('permission-denied', 'smartctl needs root'),
    ...(opts.overrides ?? {})
  }
}

/** A power sample: `'ac'` or `'battery'` (with one battery BAT0). */
export function powerSample(
  source: 'ac' | 'battery' = 'ac',
  battery: Partial<BatteryState> = {}
): PowerSample {
  return {
    source: ok(source),
    acOnline: ok(source === 'ac'),
    batteries: [
      {
        name: 'BAT0',
        status: ok(source === 'battery' ? 'Discharging' : 'Full'),
        capacityPct: ok(80),
        powerWatts: ok(source === 'battery' ? 35 : 0),
        ...battery
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------------------
// Snapshot and streams
// ---------------------------------------------------------------------------------------------------------

/** Options for {@link snapshot}. Storage takes device samples; power takes `'ac'`/`'battery'` or a sample. */
export interface SnapshotOptions {
  seq?: number
  /** Timestamp (epoch ms). */
  t?: number
  gpus?: GpuSample[]
  cpu?: CpuSample | Reading<CpuSample>
  memory?: MemorySample | Reading<MemorySample>
  storage?: StorageDeviceSample[] | Reading<never>
  power?: 'ac' | 'battery' | PowerSample | Reading<PowerSample>
  overrides?: Partial<Snapshot>
}

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0)

/** A Snapshot; defaults: one idle GPU, idle CPU, memory, one cool NVMe drive, on AC. */
export function snapshot(opts: SnapshotOptions = {}): Snapshot {
  const power =
    opts.power === undefined
      ? ok(powerSample('ac'))
      : typeof opts.power === 'string'
        ? ok(powerSample(opts.power))
        : isReading<PowerSample>(opts.power)
          ? opts.power
          : ok(opts.power)
  const storage =
    opts.storage === undefined
      ? ok({ devices: [storageDevice()], filesystems: [] })
      : isReading<never>(opts.storage)
        ? opts.storage
        : ok({ devices: opts.storage, filesystems: [] })
  const s: Snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    seq: opts.seq ?? 0,
    timestampMs: opts.t ?? T0,
    cpu:
      opts.cpu === undefined
        ? ok(cpuSample())
        : isReading<CpuSample>(opts.cpu)
          ? opts.cpu
          : ok(opts.cpu),
    memory:
      opts.memory === undefined
        ? ok(memorySample())
        : isReading<MemorySample>(opts.memory)
          ? opts.memory
          : ok(opts.memory),
    gpus: opts.gpus ?? [gpuSample()],
    storage,
    thermal: na(),
    power,
    health: []
  }
  return { ...s, ...(opts.overrides ?? {}) }
}

/** Start time used by {@link stream} (2026-01-01T00:00:00Z). */
export const STREAM_T0 = T0

/** `n` snapshots `intervalMs` apart from {@link STREAM_T0}; `at(i)` supplies the per-sample options. */
export function stream(
  n: number,
  intervalMs: number,
  at: (i: number) => SnapshotOptions = () => ({})
): Snapshot[] {
  return Array.from({ length: n }, (_, i) => snapshot({ seq: i, t: T0 + i * intervalMs, ...at(i) }))
}

/** An Inventory; defaults: host `test-host`, a CPU with throttle counters off, the given GPUs. */
export function inventory(opts: { gpus?: GpuInfo[]; cpu?: Partial<CpuInfo> } = {}): Inventory {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    collectedAtMs: T0,
    host: {
      hostname: 'test-host',
      platform: 'linux',
      arch: 'x64',
      os: ok('Linux'),
      kernel: ok('6.8.0'),
      container: na(),
      virtualization: na()
    },
    cpu: {
      vendor: ok('GenuineIntel'),
      model: ok('Test CPU'),
      physicalCores: ok(8),
      logicalCores: ok(16),
      packages: ok(1),
      flags: ok(['avx2']),
      baseMhz: ok(3000),
      maxMhz: ok(5000),
      hasThrottleCounters: false,
      scalingDriver: ok('intel_pstate'),
      ...(opts.cpu ?? {})
    },
    memory: {
      totalBytes: ok(64 * 1024 * MiB),
      swapTotalBytes: ok(0),
      type: na(),
      speedMtps: na(),
      modules: na(),
      bandwidthGBps: na()
    },
    gpus: opts.gpus ?? [gpuInfo()],
    storage: [],
    filesystems: [],
    absent: []
  }
}
