/**
 * Telemetry data model: the static Inventory and the per-tick Snapshot.
 *
 * Every numeric field names its unit. Every value that may be missing is a `Reading`. All types are plain
 * JSON (timestamps in epoch ms) so they cross IPC, HTTP/SSE and session files unchanged. The JSON Schema in
 * `resources/schema/snapshot.v1.schema.json` documents this shape; bump SNAPSHOT_SCHEMA_VERSION on breaking
 * changes.
 *
 * What each unavailable reason means here (one meaning per reason, across collectors):
 * - `not-applicable`: the reading does not exist for this device or setup, and nothing is missing: a PCIe link
 *   on a SATA drive, a P-state name on an AMD GPU, compute capability outside NVIDIA, whole-GPU utilisation
 *   under MIG, thermal_throttle counters on an AMD CPU, a container name outside a container.
 * - `warming-up`: the reading exists but needs time: rates and utilisation on the first sample (they are
 *   deltas), package power before the second energy reading, SMART before the first smartctl run returns.
 *   It clears by itself; analysis treats it as "not observed yet", never as zero.
 * - `unsupported`: the reading would exist, but this hardware, driver, kernel or tool does not give it:
 *   a missing sysfs attribute or empty file (`sources/sysfs.ts`), an `N/A` cell from nvidia-smi, an older
 *   gpu_metrics layout, facts only `nvidia-smi -q -x` has when it was never asked.
 * - `no-device`: the device is not there (no battery on a desktop, a GPU that fell off the bus).
 * - `tool-missing`, `permission-denied`, `timeout`, `parse-error`, `failed`, `asleep`: what happened when
 *   reading it (the tool is not installed or, under fixture roots, not run; root-only; no answer in time;
 *   unreadable output; any other failure; a runtime-suspended device that is not woken to be read).
 */
import type { Reading, ReadingUnavailable } from './reading'

/** Version of the Snapshot/Inventory JSON shape (session files and `--json` carry it). */
export const SNAPSHOT_SCHEMA_VERSION = 1

/**
 * A collector's id (`cpu`, `gpu-nvidia`, …), as declared by its module in the collector registry
 * (`src-main/node/collectors/index.ts`). The registry is the only list of ids: this contract layer cannot
 * import it, so the id is a string here and the registry's literal union (`RegisteredCollectorId`) is checked
 * where collectors are built.
 */
export type CollectorId = string

/**
 * GPU vendor, as declared by the collector module that found the GPU. The vendors named here have collectors
 * or spec-table rows today; a new vendor's collector declares its own id without changing this type.
 */
export type GpuVendor = 'nvidia' | 'amd' | 'intel' | 'apple' | 'other' | (string & {})

/**
 * Compute backend ML frameworks use on a GPU: CUDA (NVIDIA), ROCm/HIP (AMD), Metal (Apple), SYCL/oneAPI
 * (Intel), Vulkan compute (llama.cpp and friends on anything else).
 */
export type GpuBackend = 'cuda' | 'rocm' | 'metal' | 'vulkan' | 'sycl'

/**
 * Vendor-neutral class of a throttle reason.
 *
 * `idle` and `config` are never throttling (NVIDIA gpu_idle, application clocks, sync boost, display clocks).
 * `hw-slowdown` is NVIDIA's ambiguous HW slowdown (thermal, power brake or fast trigger; blinks on P-state
 * changes) and is only counted when sustained.
 */
export type ThrottleCause =
  | 'power'
  | 'thermal'
  | 'psu'
  | 'current'
  | 'hw-slowdown'
  | 'pcie-link'
  | 'storage-thermal'
  | 'battery'
  | 'idle'
  | 'config'
  | 'other'

/** One active vendor throttle flag, with the vendor's own name (`sw_power_cap`, `PPT0`, `reason_pl1`). */
export interface ThrottleFlag {
  name: string
  cause: ThrottleCause
}

/** A temperature sensor from hwmon (or an equivalent), with the device's own thresholds. */
export interface TemperatureSensor {
  /** Stable chip id, node_exporter style (`platform_coretemp_0`, `nvme`, `hwmon4`). */
  chip: string
  /** Driver name from the `name` file (`coretemp`, `k10temp`, `nvme`, `amdgpu`). */
  chipName: string
  /** Sensor file stem (`temp1`). */
  sensor: string
  /** Label file content (`Package id 0`, `Tctl`, `Composite`), or the sensor stem when absent. */
  label: string
  temperatureCelsius: Reading<number>
  maxCelsius: Reading<number>
  critCelsius: Reading<number>
  emergencyCelsius: Reading<number>
  critAlarm: Reading<boolean>
}

/** A fan reading. */
export interface FanSensor {
  chip: string
  sensor: string
  label: string
  rpm: Reading<number>
  minRpm: Reading<number>
  maxRpm: Reading<number>
}

/** A hwmon chip with its sensors. */
export interface HwmonChip {
  chip: string
  chipName: string
  /** Device this chip belongs to, when known (`0000:00:18.3`, `nvme0`). */
  device: Reading<string>
  temperatures: TemperatureSensor[]
  fans: FanSensor[]
}

/** A thermal zone (`/sys/class/thermal/thermal_zoneN`). */
export interface ThermalZone {
  zone: string
  type: string
  temperatureCelsius: Reading<number>
  trips: { type: string; temperatureCelsius: number }[]
}

/** A cooling device; a non-zero state on a `Processor` device means passive throttling. */
export interface CoolingDevice {
  id: string
  type: string
  curState: Reading<number>
  maxState: Reading<number>
}

// ---------------------------------------------------------------------------------------------------------
// Inventory (static facts, probed once and on demand)
// ---------------------------------------------------------------------------------------------------------

/** Static GPU facts (nvtop's static info). Build one with `emptyGpuInfo`, then fill in what was read. */
export interface GpuInfo {
  /** Stable id: `<vendor>:<pci bus id or index>`. */
  id: string
  index: number
  vendor: GpuVendor
  /**
   * Compute backend, from the registry entry of the collector that found the GPU. Optional: inventories
   * recorded before it existed lack it, and readers then fall back to the vendor.
   */
  backend?: GpuBackend
  name: string
  uuid: Reading<string>
  pciBusId: Reading<string>
  memoryTotalBytes: Reading<number>
  driverVersion: Reading<string>
  /** CUDA (NVIDIA) or ROCm/driver runtime version. */
  runtimeVersion: Reading<string>
  computeCapability: Reading<string>
  /** gfx target (AMD), e.g. `gfx1100`. */
  gfxTarget: Reading<string>
  clockMaxSmMhz: Reading<number>
  clockMaxGraphicsMhz: Reading<number>
  clockMaxMemoryMhz: Reading<number>
  pcieMaxGen: Reading<number>
  pcieMaxWidth: Reading<number>
  /** What the GPU itself supports (NVIDIA `gpumax`); `pcieMaxGen` is min(GPU, slot). */
  pcieGpuMaxGen: Reading<number>
  pcieHostMaxGen: Reading<number>
  powerDefaultLimitWatts: Reading<number>
  powerMinLimitWatts: Reading<number>
  powerMaxLimitWatts: Reading<number>
  /**
   * Absolute temperature thresholds (°C). Where the driver gives them only relative to T.Limit (NVIDIA
   * drivers for Ada, Hopper and Blackwell), they are derived from the T.Limit readings of the same instant and
   * the reading's source says so (`tlimit*OffsetCelsius` keep the driver's own numbers).
   */
  tempSlowdownCelsius: Reading<number>
  tempShutdownCelsius: Reading<number>
  tempMaxOperatingCelsius: Reading<number>
  tempMemoryMaxCelsius: Reading<number>
  /**
   * The driver's thresholds relative to T.Limit (°C; NVIDIA `gpu_temp_slow_tlimit_threshold`,
   * `gpu_temp_max_tlimit_threshold`, `gpu_temp_max_gpu_tlimit_threshold`): the GPU slows down when its live
   * T.Limit margin (`GpuSample.temperatureHeadroomCelsius`) falls to the slowdown offset (e.g. −2 °C), and
   * shuts down at the shutdown offset (e.g. −8 °C). Present only for GPUs whose driver reports them.
   */
  tlimitSlowdownOffsetCelsius?: Reading<number>
  tlimitShutdownOffsetCelsius?: Reading<number>
  tlimitMaxOperatingOffsetCelsius?: Reading<number>
  /**
   * Where the absolute thresholds come from: `driver` (reported absolute) or `tlimit` (derived from the T.Limit
   * readings at probe time; a few °C of uncertainty, because the T.Limit sensor is not the GPU-temperature
   * sensor). Absent when no threshold is known.
   */
  tempThresholdSource?: 'driver' | 'tlimit'
  migEnabled: Reading<boolean>
  /** Integrated GPU sharing host memory (APU, iGPU, Apple). */
  integrated: boolean
  /** VBIOS version (AMD `vbios_version`, NVIDIA `vbios_version`), when the collector reads it. */
  vbiosVersion?: Reading<string>
}

/** Static CPU facts. */
export interface CpuInfo {
  vendor: Reading<string>
  model: Reading<string>
  physicalCores: Reading<number>
  logicalCores: Reading<number>
  packages: Reading<number>
  /** ISA flags relevant to ML (avx2, avx512f, amx_tile, …). */
  flags: Reading<string[]>
  baseMhz: Reading<number>
  maxMhz: Reading<number>
  /** Per-package/architecture hint used by throttle analysis: Intel has thermal_throttle counters. */
  hasThrottleCounters: boolean
  scalingDriver: Reading<string>
}

/** Static memory facts. */
export interface MemoryInfo {
  totalBytes: Reading<number>
  swapTotalBytes: Reading<number>
  /** Module type and speed from memLayout (`DDR5`, 5600). */
  type: Reading<string>
  speedMtps: Reading<number>
  /**
   * The modules' rated speed (SPD / SMBIOS type 17 "Speed", MT/s) where the platform tells; `speedMtps` is
   * the configured speed. Absent when no source reads it.
   */
  ratedSpeedMtps?: Reading<number>
  modules: Reading<number>
  /** Theoretical bandwidth from speed × channels (estimate). */
  bandwidthGBps: Reading<number>
}

/** Storage device class. */
export type StorageKind = 'nvme' | 'sata-ssd' | 'hdd' | 'other'

/** A block device. */
export interface StorageDeviceInfo {
  /** Kernel name (`nvme0n1`, `sda`). */
  name: string
  kind: StorageKind
  model: Reading<string>
  serial: Reading<string>
  sizeBytes: Reading<number>
  rotational: Reading<boolean>
  /** `nvme`, `sata`, `sas`, `usb`, `virtio`, … */
  transport: Reading<string>
  /** NVMe controller PCIe link. */
  pcieMaxGen: Reading<number>
  pcieMaxWidth: Reading<number>
  pcieGen: Reading<number>
  pcieWidth: Reading<number>
}

/** A mounted filesystem. */
export interface FilesystemInfo {
  mount: string
  device: string
  fsType: string
  sizeBytes: Reading<number>
  freeBytes: Reading<number>
}

/** Host facts. */
export interface HostInfo {
  hostname: string
  platform: string
  arch: string
  os: Reading<string>
  kernel: Reading<string>
  /** `docker`, `podman`, `wsl`, `lxc`, … when detected. */
  container: Reading<string>
  virtualization: Reading<string>
}

/**
 * What was looked for: `gpu` (any GPU at all), a GPU collector's id (`gpu-nvidia`, as its registry entry
 * declares), or one of the host classes.
 */
export type AbsentDeviceClass =
  'gpu' | 'storage' | 'cpu-temperature' | 'battery' | 'smart' | 'rapl' | 'other' | (string & {})

/** A device class that was looked for and not found, or could not be read, with the reason. */
export interface AbsentDevice {
  deviceClass: AbsentDeviceClass
  reason: ReadingUnavailable
}

/** Static facts about the machine, built once (and on demand). */
export interface Inventory {
  schemaVersion: number
  collectedAtMs: number
  host: HostInfo
  cpu: CpuInfo
  memory: MemoryInfo
  gpus: GpuInfo[]
  storage: StorageDeviceInfo[]
  filesystems: FilesystemInfo[]
  /** What is missing and why (no NVIDIA GPU: nvidia-smi not found; SMART: permission denied…). */
  absent: AbsentDevice[]
  /** PCIe slots of the board where the platform tells (SMBIOS slot table, sysfs slots); absent when not probed. */
  pcieSlots?: Reading<PcieSlotInfo[]>
}

/**
 * A PCIe slot of the board.
 *
 * Source: SMBIOS type 9 "System Slots" (`/sys/firmware/dmi/entries/9-*\/raw`, root only) or
 * `/sys/bus/pci/slots/*` with the link maxima of the bridge above the slot.
 */
export interface PcieSlotInfo {
  /** Firmware designation ("PCIEX16_1", "J6B2") or the sysfs slot name. */
  name: string
  /** Electrical lanes (SMBIOS data bus width, or the upstream bridge's max_link_width). */
  lanes: Reading<number>
  /** PCIe generation (from the slot type or the bridge's max_link_speed). */
  gen: Reading<number>
  /** A card is in it (SMBIOS current usage, or a device on the slot's bus). */
  inUse: Reading<boolean>
  /** PCI address of the slot (`0000:01:00`) when known. */
  address: Reading<string>
  source: 'smbios' | 'sysfs'
}

// ---------------------------------------------------------------------------------------------------------
// Snapshot (dynamic, every tick)
// ---------------------------------------------------------------------------------------------------------

/** One logical CPU's frequency state. */
export interface CpuFrequency {
  cpu: number
  curMhz: Reading<number>
  minMhz: Reading<number>
  maxMhz: Reading<number>
  scalingMinMhz: Reading<number>
  scalingMaxMhz: Reading<number>
  governor: Reading<string>
  driver: Reading<string>
}

/** Intel thermal_throttle counters for a core. */
export interface CoreThrottleCounter {
  cpu: number
  packageId: number
  coreId: number
  count: Reading<number>
  totalTimeMs: Reading<number>
}

/** Intel thermal_throttle counters for a package. */
export interface PackageThrottleCounter {
  packageId: number
  count: Reading<number>
  totalTimeMs: Reading<number>
}

/** Dynamic CPU readings. */
export interface CpuSample {
  utilizationPct: Reading<number>
  perCoreUtilizationPct: Reading<number[]>
  frequencies: Reading<CpuFrequency[]>
  /** Mean current frequency over logical CPUs. */
  frequencyMhz: Reading<number>
  /** Hardware max (cpuinfo_max_freq), for the sustained-clock ratio. */
  frequencyMaxMhz: Reading<number>
  governor: Reading<string>
  /** CPU temperatures from coretemp/k10temp with their own thresholds. */
  temperatures: Reading<TemperatureSensor[]>
  /** Package/Tctl/Tdie temperature (hottest package). */
  packageTemperatureCelsius: Reading<number>
  coreThrottle: Reading<CoreThrottleCounter[]>
  packageThrottle: Reading<PackageThrottleCounter[]>
  /** RAPL package power from energy_uj deltas. */
  packagePowerWatts: Reading<number>
}

/** Dynamic memory readings. */
export interface MemorySample {
  totalBytes: Reading<number>
  /** MemAvailable, or an estimate (detail says so) on kernels without it. */
  availableBytes: Reading<number>
  availableIsEstimate: boolean
  usedBytes: Reading<number>
  swapTotalBytes: Reading<number>
  swapUsedBytes: Reading<number>
  swapInBytesPerSec: Reading<number>
  swapOutBytesPerSec: Reading<number>
  /** PSI `some avg10` and `full avg10` (%). */
  pressureSomeAvg10Pct: Reading<number>
  pressureFullAvg10Pct: Reading<number>
}

/** Dynamic GPU readings (any vendor). */
export interface GpuSample {
  id: string
  index: number
  vendor: GpuVendor
  name: string
  /** `asleep`: runtime-suspended dGPU, not woken; all readings are unavailable('asleep'). */
  state: 'active' | 'asleep'
  utilizationPct: Reading<number>
  memoryUtilizationPct: Reading<number>
  memoryUsedBytes: Reading<number>
  memoryTotalBytes: Reading<number>
  temperatureCelsius: Reading<number>
  /** Junction/hotspot temperature (AMD). */
  hotspotTemperatureCelsius: Reading<number>
  memoryTemperatureCelsius: Reading<number>
  /**
   * Distance to the slowdown limit (°C). NVIDIA: the live T.Limit margin (`temperature.gpu.tlimit`) minus the
   * driver's slowdown offset (`GpuInfo.tlimitSlowdownOffsetCelsius`, e.g. −2 °C) when it reports one, else the
   * margin itself. AMD: the smaller of edge and junction distance to their `crit` limits.
   */
  temperatureHeadroomCelsius: Reading<number>
  powerDrawWatts: Reading<number>
  powerAverageWatts: Reading<number>
  powerInstantWatts: Reading<number>
  /** Enforced power limit (min of all limiters). */
  powerLimitWatts: Reading<number>
  clockSmMhz: Reading<number>
  clockGraphicsMhz: Reading<number>
  clockMemoryMhz: Reading<number>
  clockMaxSmMhz: Reading<number>
  clockMaxMemoryMhz: Reading<number>
  pcieGen: Reading<number>
  pcieWidth: Reading<number>
  pcieMaxGen: Reading<number>
  pcieMaxWidth: Reading<number>
  fanPct: Reading<number>
  fanRpm: Reading<number>
  pstate: Reading<string>
  /** Active throttle flags (vendor names with cause classes), idle/config included as such. */
  throttleFlags: Reading<ThrottleFlag[]>
  /** Raw active mask (NVIDIA clocks_event_reasons.active, AMD indep_throttle_status) as a hex string. */
  throttleMaskHex: Reading<string>
  /** Cumulative time in throttle per vendor reason, seconds (NVIDIA µs counters ÷ 1e6). */
  throttleCountersSeconds: Reading<Record<string, number>>
}

/** Dynamic storage device readings. */
export interface StorageDeviceSample {
  name: string
  kind: StorageKind
  readBytesPerSec: Reading<number>
  writeBytesPerSec: Reading<number>
  busyPct: Reading<number>
  /** NVMe Composite (or the drive's main sensor). */
  temperatureCelsius: Reading<number>
  /** The drive's own limits (NVMe hwmon temp1_max / temp1_crit). */
  tempMaxCelsius: Reading<number>
  tempCritCelsius: Reading<number>
  extraTemperatures: { label: string; temperatureCelsius: number }[]
  pcieGen: Reading<number>
  pcieWidth: Reading<number>
  smart: Reading<SmartHealth>
}

/** SMART health, from `smartctl -j -a` on a slow tier. */
export interface SmartHealth {
  collectedAtMs: number
  passed: Reading<boolean>
  temperatureCelsius: Reading<number>
  powerOnHours: Reading<number>
  /** NVMe fields. */
  criticalWarning: Reading<number>
  percentageUsed: Reading<number>
  availableSparePct: Reading<number>
  availableSpareThresholdPct: Reading<number>
  mediaErrors: Reading<number>
  warningTempTimeMinutes: Reading<number>
  criticalCompTimeMinutes: Reading<number>
  thermalTransitionCount: Reading<number>
  thermalTotalTimeSeconds: Reading<number>
  /** ATA fields. */
  reallocatedSectors: Reading<number>
  pendingSectors: Reading<number>
}

/** Filesystem usage. */
export interface FilesystemSample {
  mount: string
  sizeBytes: Reading<number>
  freeBytes: Reading<number>
}

/** Dynamic storage readings. */
export interface StorageSample {
  devices: StorageDeviceSample[]
  filesystems: FilesystemSample[]
}

/** Dynamic thermal readings. */
export interface ThermalSample {
  chips: HwmonChip[]
  zones: ThermalZone[]
  cooling: CoolingDevice[]
}

/** A battery. */
export interface BatteryState {
  name: string
  status: Reading<string>
  capacityPct: Reading<number>
  powerWatts: Reading<number>
}

/** Power source. */
export interface PowerSample {
  /** `battery` when no mains supply is online and a battery discharges. */
  source: Reading<'ac' | 'battery'>
  acOnline: Reading<boolean>
  batteries: BatteryState[]
}

/** Per-collector health, recorded by the sampler. */
export interface CollectorHealth {
  collector: CollectorId
  /** `absent`: the collector found nothing to read (not an error). */
  status: 'ok' | 'absent' | 'failed' | 'timeout' | 'pending'
  lastDurationMs: number
  lastSuccessMs: number | null
  lastError: string | null
  consecutiveFailures: number
}

/** Everything one tick produced. */
export interface Snapshot {
  schemaVersion: number
  /** Monotonic sequence number within a source. */
  seq: number
  timestampMs: number
  cpu: Reading<CpuSample>
  memory: Reading<MemorySample>
  gpus: GpuSample[]
  storage: Reading<StorageSample>
  thermal: Reading<ThermalSample>
  power: Reading<PowerSample>
  health: CollectorHealth[]
}

// ---------------------------------------------------------------------------------------------------------
// Builders: one place that knows every GPU reading
// ---------------------------------------------------------------------------------------------------------

/** Every Reading field of a GpuSample, in declaration order. */
export const GPU_SAMPLE_READINGS = [
  'utilizationPct',
  'memoryUtilizationPct',
  'memoryUsedBytes',
  'memoryTotalBytes',
  'temperatureCelsius',
  'hotspotTemperatureCelsius',
  'memoryTemperatureCelsius',
  'temperatureHeadroomCelsius',
  'powerDrawWatts',
  'powerAverageWatts',
  'powerInstantWatts',
  'powerLimitWatts',
  'clockSmMhz',
  'clockGraphicsMhz',
  'clockMemoryMhz',
  'clockMaxSmMhz',
  'clockMaxMemoryMhz',
  'pcieGen',
  'pcieWidth',
  'pcieMaxGen',
  'pcieMaxWidth',
  'fanPct',
  'fanRpm',
  'pstate',
  'throttleFlags',
  'throttleMaskHex',
  'throttleCountersSeconds'
] as const satisfies readonly (keyof GpuSample)[]

/** Every required Reading field of a GpuInfo, in declaration order. */
export const GPU_INFO_READINGS = [
  'uuid',
  'pciBusId',
  'memoryTotalBytes',
  'driverVersion',
  'runtimeVersion',
  'computeCapability',
  'gfxTarget',
  'clockMaxSmMhz',
  'clockMaxGraphicsMhz',
  'clockMaxMemoryMhz',
  'pcieMaxGen',
  'pcieMaxWidth',
  'pcieGpuMaxGen',
  'pcieHostMaxGen',
  'powerDefaultLimitWatts',
  'powerMinLimitWatts',
  'powerMaxLimitWatts',
  'tempSlowdownCelsius',
  'tempShutdownCelsius',
  'tempMaxOperatingCelsius',
  'tempMemoryMaxCelsius',
  'migEnabled'
] as const satisfies readonly (keyof GpuInfo)[]

// Compile-time proof that the lists above name every Reading field: adding a reading to GpuSample or GpuInfo
// without listing it fails the type check here, so no builder can forget one.
type ReadingKeys<T> = { [K in keyof T]-?: T[K] extends Reading<unknown> ? K : never }[keyof T]
type Missing<T, L extends readonly unknown[]> = Exclude<ReadingKeys<T>, L[number]>
const gpuSampleListComplete: [Missing<GpuSample, typeof GPU_SAMPLE_READINGS>] extends [never]
  ? true
  : never = true
const gpuInfoListComplete: [
  Exclude<Missing<GpuInfo, typeof GPU_INFO_READINGS>, 'vbiosVersion' | `tlimit${string}`>
] extends [never]
  ? true
  : never = true
void gpuSampleListComplete
void gpuInfoListComplete

/** Who a GPU is: the fields a collector knows before it reads anything. */
export interface GpuIdentity {
  id: string
  index: number
  vendor: GpuVendor
  backend?: GpuBackend
  name: string
  integrated?: boolean
}

/**
 * A GpuInfo whose every reading is `reason` (the vendor-neutral device record before a collector fills in
 * what it read; nvtop's static info). The one place that lists GPU facts, so a new field or vendor cannot
 * forget one.
 */
export function emptyGpuInfo(who: GpuIdentity, reason: ReadingUnavailable): GpuInfo {
  const info = {
    id: who.id,
    index: who.index,
    vendor: who.vendor,
    ...(who.backend !== undefined ? { backend: who.backend } : {}),
    name: who.name,
    integrated: who.integrated ?? false
  } as GpuInfo
  const rec = info as unknown as Record<string, Reading<unknown>>
  for (const k of GPU_INFO_READINGS) rec[k] = reason
  return info
}

/** A GpuSample whose every reading is `reason` (asleep, stream down, tool failed). */
export function emptyGpuSample(
  who: Pick<GpuInfo, 'id' | 'index' | 'vendor' | 'name'>,
  reason: ReadingUnavailable,
  state: GpuSample['state'] = reason.reason === 'asleep' ? 'asleep' : 'active'
): GpuSample {
  const s = { id: who.id, index: who.index, vendor: who.vendor, name: who.name, state } as GpuSample
  const rec = s as unknown as Record<string, Reading<unknown>>
  for (const k of GPU_SAMPLE_READINGS) rec[k] = reason
  return s
}
