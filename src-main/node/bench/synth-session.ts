/**
 * A synthetic long run of the fixture machine (one RTX 4090, a Ryzen 9 7950X, 64 GB RAM, an NVMe and a SATA
 * SSD), deterministic from a seed, for size and speed figures of sessions and for streaming tests.
 *
 * Values move as a training run does: GPU busy with a noisy temperature and power near the cap, power-cap
 * episodes every few minutes, a thermal episode every few hours, clocks in 15 MHz steps, RAM and VRAM
 * drifting, checkpoint bursts on the NVMe, collector durations with timer noise. Every reading the real
 * collectors report as unavailable on that machine is unavailable here too, with the same reasons.
 */
import { ok, unavailable, type Reading } from '../../shared/reading'
import type {
  CpuFrequency,
  GpuInfo,
  GpuSample,
  Inventory,
  Snapshot,
  StorageDeviceInfo,
  StorageDeviceSample,
  TemperatureSensor
} from '../../shared/telemetry'

/** Options of the synthetic run. */
export interface SyntheticRunOptions {
  startMs?: number
  intervalMs?: number
  /** Logical CPUs (the fixture tree has 2; a real 7950X has 32). */
  logicalCores?: number
  seed?: number
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const NA = (detail: string): Reading<never> => unavailable('unsupported', detail)
const GIB = 1024 ** 3
const GPU_ID = 'nvidia:0000:01:00.0'
const SLOWDOWN_C = 89

/** The fixture machine's inventory. */
export function syntheticInventory(nowMs: number, logicalCores = 2): Inventory {
  const gpu: GpuInfo = {
    id: GPU_ID,
    index: 0,
    vendor: 'nvidia',
    name: 'NVIDIA GeForce RTX 4090',
    uuid: ok('GPU-6f3c1b2a-9d4e-4f1b-8a7c-2e5d9b0c4a11'),
    pciBusId: ok('0000:01:00.0'),
    memoryTotalBytes: ok(25_757_220_864),
    driverVersion: ok('550.120'),
    runtimeVersion: ok('12.4'),
    computeCapability: ok('8.9'),
    gfxTarget: NA('not an AMD GPU'),
    clockMaxSmMhz: ok(3120),
    clockMaxGraphicsMhz: ok(3120),
    clockMaxMemoryMhz: ok(10501),
    pcieMaxGen: ok(4),
    pcieMaxWidth: ok(16),
    pcieGpuMaxGen: ok(4),
    pcieHostMaxGen: ok(4),
    powerDefaultLimitWatts: ok(450),
    powerMinLimitWatts: ok(150),
    powerMaxLimitWatts: ok(600),
    tempSlowdownCelsius: ok(SLOWDOWN_C),
    tempShutdownCelsius: ok(92),
    tempMaxOperatingCelsius: ok(87),
    tempMemoryMaxCelsius: NA('N/A'),
    migEnabled: NA('N/A'),
    integrated: false
  }
  const drive = (
    name: string,
    kind: 'nvme' | 'sata-ssd',
    model: string,
    sizeBytes: number
  ): StorageDeviceInfo => ({
    name,
    kind,
    model: ok(model),
    serial: ok(`S${name.toUpperCase()}0001`),
    sizeBytes: ok(sizeBytes),
    rotational: ok(false),
    transport: ok(kind === 'nvme' ? 'nvme' : 'sata'),
    pcieMaxGen: kind === 'nvme' ? ok(4) : unavailable('not-applicable', 'SATA drive'),
    pcieMaxWidth: kind === 'nvme' ? ok(4) : unavailable('not-applicable', 'SATA drive'),
    pcieGen: kind === 'nvme' ? ok(4) : unavailable('not-applicable', 'SATA drive'),
    pcieWidth: kind === 'nvme' ? ok(4) : unavailable('not-applicable', 'SATA drive')
  })
  return {
    schemaVersion: 1,
    collectedAtMs: nowMs,
    host: {
      hostname: 'training-rig',
      platform: 'linux',
      arch: 'x64',
      os: NA('not reported by any source on this machine'),
      kernel: ok('6.8.0-49-generic'),
      container: unavailable('no-device', 'no container detected'),
      virtualization: NA('not reported by any source on this machine')
    },
    cpu: {
      vendor: ok('AuthenticAMD'),
      model: ok('AMD Ryzen 9 7950X 16-Core Processor'),
      physicalCores: ok(Math.max(1, logicalCores / 2)),
      logicalCores: ok(logicalCores),
      packages: ok(1),
      flags: ok(['fpu', 'avx2', 'avx512f']),
      baseMhz: NA('not reported by any source on this machine'),
      maxMhz: ok(5881),
      hasThrottleCounters: false,
      scalingDriver: ok('amd-pstate-epp')
    },
    memory: {
      totalBytes: ok(67_108_864_000),
      swapTotalBytes: ok(8_589_930_496),
      type: NA('not reported by any source on this machine'),
      speedMtps: NA('not reported by any source on this machine'),
      modules: NA('not reported by any source on this machine'),
      bandwidthGBps: NA('not reported by any source on this machine')
    },
    gpus: [gpu],
    storage: [
      drive('nvme0n1', 'nvme', 'Samsung SSD 990 PRO 2TB', 2_000_398_934_016),
      drive('sda', 'sata-ssd', 'Samsung SSD 870 EVO 4TB', 4_000_787_030_016)
    ],
    filesystems: [
      {
        mount: '/',
        device: '/dev/nvme0n1p2',
        fsType: 'ext4',
        sizeBytes: ok(1_967_317_549_056),
        freeBytes: ok(812_345_671_680)
      },
      {
        mount: '/data',
        device: '/dev/sda1',
        fsType: 'ext4',
        sizeBytes: ok(3_936_501_399_552),
        freeBytes: ok(1_503_238_553_600)
      }
    ],
    absent: [
      { deviceClass: 'battery', reason: unavailable('no-device', 'no battery') },
      { deviceClass: 'rapl', reason: unavailable('no-device', 'no intel-rapl package zone') }
    ]
  }
}

const round = (x: number, decimals: number): number => {
  const p = 10 ** decimals
  return Math.round(x * p) / p
}

/**
 * Snapshots of a synthetic run, one per interval, forever (take as many as you need).
 *
 * Deterministic: the same options give the same stream.
 */
export function* syntheticRun(options: SyntheticRunOptions = {}): Generator<Snapshot> {
  const start = options.startMs ?? Date.UTC(2026, 0, 5, 20, 0, 0)
  const interval = options.intervalMs ?? 1000
  const cores = options.logicalCores ?? 2
  const r = rng(options.seed ?? 42)
  let temp = 72
  let vramBytes = 19.5 * GIB
  let ramUsed = 24_000_000_000
  let swapUsed = 397_930_496
  let nvmeTemp = 48
  let sataTemp = 36
  let powerCapS = 0
  let thermalS = 0
  let hwThermalS = 0
  let episode: 'none' | 'power' | 'thermal' = 'none'
  let episodeLeft = 0
  let fsFree = 812_345_671_680
  for (let i = 0; ; i++) {
    const ts = start + i * interval + Math.round((r() - 0.5) * 6)
    // Episodes: a power cap every few minutes for ~20–90 s, a thermal one every ~3 h for a few minutes.
    if (episodeLeft <= 0) {
      episode = 'none'
      const x = r()
      if (x < 1 / 240) {
        episode = 'power'
        episodeLeft = 20 + Math.floor(r() * 70)
      } else if (x < 1 / 240 + 1 / 10_800) {
        episode = 'thermal'
        episodeLeft = 120 + Math.floor(r() * 240)
      }
    } else episodeLeft--
    const target = episode === 'thermal' ? 88 : 76
    temp += (target - temp) * 0.02 + (r() - 0.5) * 0.8
    const power =
      episode === 'power'
        ? 449 + r() * 1.2
        : episode === 'thermal'
          ? 400 + r() * 20
          : 395 + r() * 45
    const clock =
      episode === 'thermal'
        ? 2310 + 15 * Math.floor(r() * 8)
        : episode === 'power'
          ? 2520 + 15 * Math.floor(r() * 6)
          : 2745 + 15 * Math.floor(r() * 4)
    const dt = interval / 1000
    if (episode === 'power') powerCapS = round(powerCapS + dt * (0.9 + r() * 0.1), 6)
    if (episode === 'thermal') {
      thermalS = round(thermalS + dt * (0.8 + r() * 0.2), 6)
      hwThermalS = round(hwThermalS + dt * r() * 0.1, 6)
    }
    vramBytes = Math.min(24 * GIB, Math.max(18 * GIB, vramBytes + (r() - 0.5) * 2 * 1024 * 1024))
    ramUsed = Math.max(20e9, Math.min(40e9, ramUsed + Math.round((r() - 0.5) * 8e6)))
    if (r() < 0.001) swapUsed += 4096 * Math.floor(r() * 64)
    nvmeTemp += (50 - nvmeTemp) * 0.01 + (r() - 0.5) * 0.6
    sataTemp += (37 - sataTemp) * 0.01 + (r() - 0.5) * 0.3
    const checkpoint = i % 1800 < 12
    if (checkpoint) fsFree -= 150_000_000
    const flags =
      episode === 'power'
        ? [{ name: 'sw_power_cap', cause: 'power' as const }]
        : episode === 'thermal'
          ? [{ name: 'sw_thermal_slowdown', cause: 'thermal' as const }]
          : []
    const gpu: GpuSample = {
      id: GPU_ID,
      index: 0,
      vendor: 'nvidia',
      name: 'NVIDIA GeForce RTX 4090',
      state: 'active',
      utilizationPct: ok(Math.min(100, 94 + Math.floor(r() * 7))),
      memoryUtilizationPct: ok(40 + Math.floor(r() * 25)),
      memoryUsedBytes: ok(Math.round(vramBytes / (1024 * 1024)) * 1024 * 1024),
      memoryTotalBytes: ok(25_757_220_864),
      temperatureCelsius: ok(Math.round(temp)),
      hotspotTemperatureCelsius: NA('nvidia-smi does not report a hotspot temperature'),
      memoryTemperatureCelsius: NA('N/A'),
      temperatureHeadroomCelsius: ok(SLOWDOWN_C - Math.round(temp)),
      powerDrawWatts: ok(round(power, 2)),
      powerAverageWatts: ok(round(power - 2 + r() * 4, 2)),
      powerInstantWatts: ok(round(power - 10 + r() * 20, 2)),
      powerLimitWatts: ok(450),
      clockSmMhz: ok(clock),
      clockGraphicsMhz: ok(clock),
      clockMemoryMhz: ok(10501),
      clockMaxSmMhz: ok(3120),
      clockMaxMemoryMhz: ok(10501),
      pcieGen: ok(4),
      pcieWidth: ok(16),
      pcieMaxGen: ok(4),
      pcieMaxWidth: ok(16),
      fanPct: ok(Math.round(45 + (temp - 60) * 1.2)),
      fanRpm: NA('nvidia-smi reports fan speed in percent only'),
      pstate: ok('P2'),
      throttleFlags: ok(flags),
      throttleMaskHex: ok(
        episode === 'power'
          ? '0x0000000000000004'
          : episode === 'thermal'
            ? '0x0000000000000020'
            : '0x0000000000000000'
      ),
      throttleCountersSeconds: ok({
        sw_power_cap: powerCapS,
        sync_boost: 0,
        sw_thermal_slowdown: thermalS,
        hw_thermal_slowdown: hwThermalS,
        hw_power_brake_slowdown: 0
      })
    }
    const perCore: number[] = []
    const freqs: CpuFrequency[] = []
    for (let c = 0; c < cores; c++) {
      perCore.push(round(20 + r() * 60, 1))
      freqs.push({
        cpu: c,
        curMhz: ok(3600 + 100 * Math.floor(r() * 18)),
        minMhz: ok(545),
        maxMhz: ok(5881),
        scalingMinMhz: ok(545),
        scalingMaxMhz: ok(5881),
        governor: ok('performance'),
        driver: ok('amd-pstate-epp')
      })
    }
    const tctl = round(Math.round((62 + r() * 14) * 8) / 8, 3)
    const sensor = (name: string, label: string, t: number): TemperatureSensor => ({
      chip: 'pci0000:00_0000:00:18_3',
      chipName: 'k10temp',
      sensor: name,
      label,
      temperatureCelsius: ok(t),
      maxCelsius: NA(`no ${name}_max`),
      critCelsius: NA(`no ${name}_crit`),
      emergencyCelsius: NA(`no ${name}_emergency`),
      critAlarm: NA(`no ${name}_crit_alarm`)
    })
    const cpuTemps = [
      sensor('temp1', 'Tctl', tctl),
      sensor('temp3', 'Tccd1', round(tctl - 1.5, 3)),
      sensor('temp4', 'Tccd2', round(tctl - 9.25, 3))
    ]
    const freqMean = freqs.reduce((a, f) => a + (f.curMhz.status === 'ok' ? f.curMhz.value : 0), 0)
    const drive = (
      name: string,
      kind: 'nvme' | 'sata-ssd',
      t: number,
      max: number,
      crit: number,
      read: number,
      write: number
    ): StorageDeviceSample => ({
      name,
      kind,
      readBytesPerSec: ok(read),
      writeBytesPerSec: ok(write),
      busyPct: ok(round(Math.min(100, (read + write) / 3e7), 1)),
      temperatureCelsius: ok(Math.round(t)),
      tempMaxCelsius: ok(max),
      tempCritCelsius: ok(crit),
      extraTemperatures: [],
      pcieGen: kind === 'nvme' ? ok(4) : unavailable('not-applicable', 'SATA drive'),
      pcieWidth: kind === 'nvme' ? ok(4) : unavailable('not-applicable', 'SATA drive'),
      smart: unavailable('permission-denied', 'smartctl needs root')
    })
    const dataRead = Math.round(r() * 400) * 4096 * 128
    const snap: Snapshot = {
      schemaVersion: 1,
      seq: i,
      timestampMs: ts,
      cpu: ok({
        utilizationPct: ok(round(perCore.reduce((a, b) => a + b, 0) / cores, 1)),
        perCoreUtilizationPct: ok(perCore),
        frequencies: ok(freqs),
        frequencyMhz: ok(freqMean / cores),
        frequencyMaxMhz: ok(5881),
        governor: ok('performance'),
        temperatures: ok(cpuTemps),
        packageTemperatureCelsius: ok(tctl),
        coreThrottle: NA('no thermal_throttle counters (Intel only)'),
        packageThrottle: NA('no thermal_throttle counters (Intel only)'),
        packagePowerWatts: unavailable(
          'no-device',
          'no intel-rapl package zone in /sys/class/powercap'
        )
      }),
      memory: ok({
        totalBytes: ok(67_108_864_000),
        availableBytes: ok(67_108_864_000 - ramUsed),
        availableIsEstimate: false,
        usedBytes: ok(ramUsed),
        swapTotalBytes: ok(8_589_930_496),
        swapUsedBytes: ok(swapUsed),
        swapInBytesPerSec: ok(0),
        swapOutBytesPerSec: ok(r() < 0.01 ? 4096 * Math.floor(r() * 16) : 0),
        pressureSomeAvg10Pct: ok(round(r() * 2, 2)),
        pressureFullAvg10Pct: ok(round(r() * 0.5, 2))
      }),
      gpus: [gpu],
      storage: ok({
        devices: [
          drive(
            'nvme0n1',
            'nvme',
            nvmeTemp + (checkpoint ? 6 : 0),
            82,
            85,
            Math.round(r() * 50) * 4096,
            checkpoint ? 1_800_000_000 + Math.round(r() * 2e8) : Math.round(r() * 20) * 4096
          ),
          drive('sda', 'sata-ssd', sataTemp, 70, 75, dataRead, Math.round(r() * 10) * 4096)
        ],
        filesystems: [
          { mount: '/', sizeBytes: ok(1_967_317_549_056), freeBytes: ok(fsFree) },
          { mount: '/data', sizeBytes: ok(3_936_501_399_552), freeBytes: ok(1_503_238_553_600) }
        ]
      }),
      thermal: ok({
        chips: [
          {
            chip: 'pci0000:00_0000:00:18_3',
            chipName: 'k10temp',
            device: ok('0000:00:18.3'),
            temperatures: cpuTemps,
            fans: []
          },
          {
            chip: 'nvme',
            chipName: 'nvme',
            device: ok('nvme0'),
            temperatures: [
              {
                chip: 'nvme',
                chipName: 'nvme',
                sensor: 'temp1',
                label: 'Composite',
                temperatureCelsius: ok(Math.round(nvmeTemp)),
                maxCelsius: ok(82),
                critCelsius: ok(85),
                emergencyCelsius: NA('no temp1_emergency'),
                critAlarm: ok(false)
              }
            ],
            fans: []
          }
        ],
        zones: [],
        cooling: []
      }),
      power: unavailable('no-device', 'no /sys/class/power_supply entries (normal on desktops)'),
      health: (['cpu', 'memory', 'thermal', 'gpu-nvidia', 'storage'] as const).map((c) => ({
        collector: c,
        status: 'ok' as const,
        lastDurationMs: 0.3 + r() * 0.9,
        lastSuccessMs: ts - Math.round(r() * 3),
        lastError: null,
        consecutiveFailures: 0
      }))
    }
    yield snap
  }
}
