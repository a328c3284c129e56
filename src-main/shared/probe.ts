/**
 * Load probe (`rigready probe`, the UI's Probe button): request, progress and result types.
 *
 * A probe loads the CPU, memory, a storage path and the GPUs in turn while the engine records telemetry,
 * and reports what the machine *sustains*: achieved GFLOPS, STREAM-style GB/s, sequential MB/s without the
 * page cache, matmul TFLOPS, and per device the clock under load, temperature rise and headroom, throttle
 * time by cause, power against its limit and the PCIe link reached. Results are stored per machine and
 * dated; readiness uses them in place of defaults (`core/measured.ts`). Plain JSON; the JSON Schema in
 * `resources/schema/probe.v1.schema.json` documents this shape (bump PROBE_SCHEMA_VERSION on breaking
 * changes).
 */
import type { Reading } from './reading'
import type { SustainedEvidence } from './readiness'
import type { ThrottleCause } from './telemetry'

/** Version of the stored probe result shape. */
export const PROBE_SCHEMA_VERSION = 1

/** Identifies a stored probe result. */
export const PROBE_FORMAT = 'rigready-probe'

/** Most points kept per device series in a result (the session file has every sample). */
export const MAX_DEVICE_SERIES_POINTS = 600

/** Load phases, in the order they run. */
export type ProbePhaseId = 'cpu' | 'memory' | 'storage' | 'gpu' | 'command'

/** All phases in run order. */
export const PROBE_PHASES: readonly ProbePhaseId[] = ['cpu', 'memory', 'storage', 'gpu', 'command']

/**
 * How a phase ended.
 *
 * `unavailable`: it could not run here (no GPU runtime, no free space); `stopped`: a stop cut it short;
 * `failed`: its tool failed (a worker crashed, the GPU script exited non-zero, a write failed).
 */
export type ProbePhaseStatus = 'completed' | 'stopped' | 'unavailable' | 'failed'

/** Why a probe stopped early. */
export type ProbeStopReason =
  'interrupted' | 'cancelled' | 'threshold' | 'battery' | 'tool-failed' | 'process-exit'

/** An early stop: what triggered it, in words (device, reading and limit), and when. */
export interface ProbeStop {
  reason: ProbeStopReason
  detail: string
  atMs: number
}

/** One point of a rate over time; `tSeconds` counts from the start of the phase. */
export interface RatePoint {
  tSeconds: number
  value: number
}

/** What every phase reports. */
export interface ProbePhaseBase {
  status: ProbePhaseStatus
  /** Why it did not complete, or notes on how it ran. */
  detail: string | null
  startedAtMs: number | null
  endedAtMs: number | null
}

/** CPU phase: a floating-point kernel on every logical CPU. */
export interface CpuPhaseResult extends ProbePhaseBase {
  threads: number
  /** `wasm-simd128-f64`: 8 independent f64x2 multiply-add chains; `js-float64` where WASM SIMD is missing. */
  kernel: 'wasm-simd128-f64' | 'js-float64'
  /** Best one-second rate (GFLOPS, fp64, all threads). */
  gflopsPeak: Reading<number>
  /** Median one-second rate over the second half of the phase (GFLOPS). */
  gflopsSustained: Reading<number>
  gflopsSeries: RatePoint[]
}

/** One STREAM-style kernel's bandwidth (GB/s = 1e9 bytes/s). */
export interface KernelBandwidth {
  /** Best trial, as STREAM reports it (first trials are warm-up and excluded). */
  bestGBps: Reading<number>
  medianGBps: Reading<number>
  trials: number
  /** Bytes counted per element, as STREAM counts them (copy 16, triad 24: reads + writes, no write-allocate). */
  countedBytesPerElement: number
}

/** Memory phase: STREAM-style kernels on arrays far larger than the last-level cache, all threads. */
export interface MemoryPhaseResult extends ProbePhaseBase {
  threads: number
  /** Bytes of each of the three arrays. */
  arrayBytes: number
  /** Last-level cache size from sysfs cache info (`/sys/devices/system/cpu/cpu0/cache/index*`). */
  llcBytes: Reading<number>
  /** How the array size was chosen (4× LLC as STREAM asks, or capped by free memory). */
  sizing: string
  /** `read` sums an array, `write` fills one, `copy` a[i]=b[i], `triad` a[i]=b[i]+q·c[i]. */
  kernels: {
    read: KernelBandwidth
    write: KernelBandwidth
    copy: KernelBandwidth
    triad: KernelBandwidth
  }
}

/**
 * How the page cache was kept out of a storage measurement.
 *
 * `direct-io`: O_DIRECT with aligned buffers; `larger-than-ram`: buffered, but more was written than the
 * machine has RAM; `cache-affected`: buffered and smaller than RAM, so the figures include the page cache
 * and are not used by readiness.
 */
export type StorageMethod = 'direct-io' | 'larger-than-ram' | 'cache-affected'

/** One direction of sequential I/O. */
export interface StorageDirection {
  /** Mean over the direction's run (MB/s = 1e6 bytes/s). */
  meanMBps: Reading<number>
  /** Rate per second, to see a drive slow down as it heats up. */
  series: RatePoint[]
  bytes: number
  seconds: number
}

/** Storage phase: sequential write then read of a probe file on the chosen path. */
export interface StoragePhaseResult extends ProbePhaseBase {
  path: string
  method: StorageMethod
  methodDetail: string
  blockBytes: number
  fileBytes: number
  write: StorageDirection
  read: StorageDirection
  /** The probe file was removed (always attempted; false only when removal itself failed). */
  fileRemoved: boolean
}

/** A GPU runtime the probe can drive. */
export type GpuProbeBackend = 'pytorch' | 'webgpu'

/** One GPU's measured throughput. */
export interface GpuProbeDevice {
  index: number
  name: string
  /** Dense matmul rate (TFLOPS, 2·n³ per n×n product). */
  matmul: {
    dtype: string
    n: number
    tflopsPeak: Reading<number>
    tflopsSustained: Reading<number>
    series: RatePoint[]
    /** Spec dense TFLOPS for that dtype (spec table), and measured sustained ÷ spec. */
    specTflops: Reading<number>
    ratioToSpec: Reading<number>
  }
  /** Device-memory copy (GB/s, read + write bytes counted, as BabelStream's copy). */
  copy: {
    bytes: number
    bestGBps: Reading<number>
    medianGBps: Reading<number>
    series: RatePoint[]
    specGBps: Reading<number>
    ratioToSpec: Reading<number>
  }
}

/** GPU phase. */
export interface GpuPhaseResult extends ProbePhaseBase {
  backend: Reading<GpuProbeBackend>
  /** Runtime versions (`torch 2.4.0, CUDA 12.4`, a WebGPU adapter's description). */
  runtime: string | null
  devices: GpuProbeDevice[]
  /** What to install to run the GPU phase, when no runtime was found. */
  installHint: string | null
}

/** User command phase (`rigready probe -- python train.py`): recorded like `record`. */
export interface CommandPhaseResult extends ProbePhaseBase {
  argv: string[]
  exitCode: number | null
  signal: string | null
}

/** How a device behaved under its phase's load, from the telemetry recorded during it. */
export interface DeviceUnderLoad {
  /** `cpu`, a GPU id (`nvidia:0000:01:00.0`), or a block device (`storage:nvme0n1`). */
  device: string
  label: string
  phase: ProbePhaseId
  windowSeconds: number
  samples: number
  clock: {
    /** Highest clock seen (MHz). */
    peakMhz: Reading<number>
    /** Median clock over the second half of the phase (MHz). */
    sustainedMhz: Reading<number>
    /** The device's own maximum (MHz). */
    maxMhz: Reading<number>
    /** Sustained ÷ maximum clock. */
    sustainedRatio: Reading<number>
  }
  temperature: {
    startCelsius: Reading<number>
    peakCelsius: Reading<number>
    riseCelsius: Reading<number>
    /** Seconds from the phase start until the temperature stayed within 1.5 °C of its final plateau. */
    steadyStateSeconds: Reading<number>
    /** The device's own slowdown threshold (GPU slowdown temperature, CPU crit/max, NVMe temp1_max). */
    slowdownCelsius: Reading<number>
    /** Slowdown threshold minus the peak temperature. */
    headroomCelsius: Reading<number>
  }
  power: {
    medianWatts: Reading<number>
    peakWatts: Reading<number>
    limitWatts: Reading<number>
    /** Median draw ÷ limit. */
    fractionOfLimit: Reading<number>
  }
  /** GPUs only: the link reached under load against the device's maximum. */
  pcie: {
    genReached: Reading<number>
    widthReached: Reading<number>
    maxGen: Reading<number>
    maxWidth: Reading<number>
  } | null
  /** Readings over the phase (seconds from its start), at most `MAX_DEVICE_SERIES_POINTS` each (evenly thinned). */
  series: {
    clockMhz: RatePoint[]
    temperatureCelsius: RatePoint[]
    powerWatts: RatePoint[]
  }
  /** Time throttled in this phase, by cause (s), from the throttle tracker. */
  throttleSecondsByCause: Partial<Record<ThrottleCause, number>>
  throttleEvents: number
  /** One sentence: "GPU0 held 86% of its max clock; 12 °C below slowdown; 4 s power-capped". */
  headline: string
}

/** A complete probe result, as stored and as printed by `rigready probe --json`. */
export interface ProbeResult {
  format: typeof PROBE_FORMAT
  schemaVersion: number
  /** Stable key of the machine the probe ran on (`store.ts` derives it from the inventory). */
  machineKey: string
  machineLabel: string
  startedAtMs: number
  endedAtMs: number
  requestedDurationS: number
  /** Every requested phase completed or was unavailable, and no stop cut the probe short. */
  complete: boolean
  stop: ProbeStop | null
  /** Session file recorded during the probe (telemetry at the engine's interval), when saved. */
  sessionFile: string | null
  cpu: CpuPhaseResult | null
  memory: MemoryPhaseResult | null
  storage: StoragePhaseResult | null
  gpu: GpuPhaseResult | null
  command: CommandPhaseResult | null
  devices: DeviceUnderLoad[]
  /** Sustained-operation evidence over the whole probe (throttle tracker), for readiness. */
  sustained: SustainedEvidence | null
  notes: string[]
}

/** What the UI asks for (the storage path is the host's configured data path, never a request field). */
export interface ProbeRequest {
  /** Total seconds of load, 10 to 3600. */
  durationS: number
  cpu: boolean
  memory: boolean
  storage: boolean
  gpu: boolean
}

/** Progress pushed while a probe runs (`probe:did-progress`) and drawn as the CLI progress bar. */
export interface ProbeProgress {
  state: 'running' | 'stopping' | 'done' | 'stopped' | 'failed'
  phase: ProbePhaseId | 'setup' | 'analysis'
  /** 0–1 over the whole probe. */
  fraction: number
  elapsedSeconds: number
  totalSeconds: number
  /** One short status line: "cpu 12.4 GFLOPS · 3.1 GHz · 61 °C". */
  line: string
  /** The result once the probe has ended. */
  result?: ProbeResult
}

/** The figures readiness uses from the latest stored probe, with their date (`loadLatestProbe`). */
export interface MeasuredProbe {
  machineKey: string
  measuredAtMs: number
  /** Where the figures came from (a stored result file, or `memory` for a probe just run). */
  source: string
  ramReadGBps: Reading<number>
  ramCopyGBps: Reading<number>
  ramTriadGBps: Reading<number>
  cpuGflops: Reading<number>
  cpuSustainedClockRatio: Reading<number>
  /** Sequential MB/s; unavailable when the measurement was cache-affected. */
  storageReadMBps: Reading<number>
  storageWriteMBps: Reading<number>
  gpus: {
    index: number
    name: string
    matmulTflops: Reading<number>
    matmulDtype: string
    copyGBps: Reading<number>
    sustainedClockRatio: Reading<number>
  }[]
  sustained: SustainedEvidence | null
}
