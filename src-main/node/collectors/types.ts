/**
 * The collector contract: `probe()` once for static facts, `sample()` every tick for dynamic readings.
 *
 * Collectors receive all I/O through `CollectorDeps` (no module-level state, no top-level platform checks),
 * export pure parsers for tests, and never throw for missing data: they return unavailable readings. The
 * sampler turns anything thrown into a `failed` health entry.
 */
import type { ReadingUnavailable } from '../../shared/reading'
import type {
  AbsentDevice,
  AbsentDeviceClass,
  CollectorId,
  CpuInfo,
  CpuSample,
  FilesystemInfo,
  GpuBackend,
  GpuInfo,
  GpuSample,
  GpuVendor,
  HostInfo,
  MemoryInfo,
  MemorySample,
  PowerSample,
  StorageDeviceInfo,
  StorageSample,
  ThermalSample
} from '../../shared/telemetry'
import type { Clock } from '../platform/clock'
import type { CommandRunner } from '../platform/command-runner'
import type { FileReader } from '../platform/file-reader'
import type { Logger } from '../platform/logger'
import type { StreamSpawner } from '../platform/process-stream'

/** Everything a collector may touch. */
export interface CollectorDeps {
  run: CommandRunner
  spawnStream: StreamSpawner
  fs: FileReader
  clock: Clock
  log: Logger
  /** `process.platform` value, injected. */
  platform: NodeJS.Platform
  /** Sampling interval of the fast tier (ms), for streams such as `nvidia-smi -lms`. */
  intervalMs: number
  /** Environment (PATH for tools). */
  env: NodeJS.ProcessEnv
}

/** Which tiers are due on this tick. The fast tier (utilisation, clocks, power, temps, throttle) always is. */
export interface TierDue {
  /** ~5 s: fans, pstate, filesystem usage, slow sensors. */
  slow: boolean
  /** Minutes: SMART. */
  rare: boolean
}

/** Per-tick context. */
export interface SampleContext {
  signal: AbortSignal
  due: TierDue
}

/** What a probe contributes to the Inventory. */
export interface InventoryPart {
  host?: Partial<HostInfo>
  cpu?: Partial<CpuInfo>
  memory?: Partial<MemoryInfo>
  gpus?: GpuInfo[]
  storage?: StorageDeviceInfo[]
  filesystems?: FilesystemInfo[]
  absent?: AbsentDevice[]
}

/** What a sample contributes to the Snapshot. */
export interface SnapshotPart {
  cpu?: CpuSample
  memory?: MemorySample
  gpus?: GpuSample[]
  storage?: StorageSample
  thermal?: ThermalSample
  power?: PowerSample
}

/** Result of a probe: `absent` means nothing of this kind exists here (not an error). */
export type ProbeResult =
  | { status: 'present'; inventory: InventoryPart }
  | { status: 'absent'; reason: ReadingUnavailable; inventory?: InventoryPart }

/** A collector. */
export interface Collector {
  readonly id: CollectorId
  /**
   * How long `probe()` may take (ms) before the inventory gives up on it, when the collector's own tool
   * timeouts need more than the default budget.
   */
  readonly probeTimeoutMs?: number
  probe(signal: AbortSignal): Promise<ProbeResult>
  sample(ctx: SampleContext): Promise<SnapshotPart>
  /** Stops child processes and closes cached handles. */
  close(): Promise<void>
}

/** Builds a collector from its deps. */
export type CollectorFactory = (deps: CollectorDeps) => Collector

/** What every registry entry declares. */
interface CollectorModuleBase<Id extends string> {
  /** The collector's id (health tables, logs, `/metrics` labels); the only place it is written. */
  readonly id: Id
  /** Whether the collector runs on a platform (`process.platform` value). */
  runsOn(platform: NodeJS.Platform): boolean
  /** The Inventory's `absent[].deviceClass` when its probe finds nothing. */
  readonly absentClass: AbsentDeviceClass
  /** Builds the collector. */
  readonly create: CollectorFactory
}

/** A GPU vendor's collector: declares the vendor and compute backend its GPUs get. */
export interface GpuCollectorModule<Id extends string = string> extends CollectorModuleBase<Id> {
  readonly kind: 'gpu'
  readonly vendor: GpuVendor
  readonly backend: GpuBackend
}

/** A host subsystem's collector (cpu, memory, storage, …). */
export interface HostCollectorModule<Id extends string = string> extends CollectorModuleBase<Id> {
  readonly kind: 'host'
}

/**
 * One collector module's registry entry. Each collector file exports exactly one; `collectors/index.ts`
 * lists them, and ids, platform selection, absent classes and GPU backends all derive from that list.
 */
export type CollectorModule<Id extends string = string> =
  GpuCollectorModule<Id> | HostCollectorModule<Id>
