/**
 * A fake EngineService built from hand-made Inventory / Snapshot / ReadinessReport objects.
 *
 * The machine: one NVIDIA GeForce RTX 4090 (24 GiB, 450 W limit, slowdown at 87 °C) that is power-capped
 * during load, a Ryzen 9 7950X, 64 GiB DDR5, one NVMe drive and one SATA SSD whose temperature is
 * unavailable (permission denied). Snapshots follow a deterministic load curve so tests can assert exact
 * numbers. `tick()` advances time by one interval and emits `telemetry:did-sample`; `start()` does so on a
 * timer (for browser tests).
 */
import type { SessionsHandlers } from '../../src-main/node/server/sessions-api'
import type { EventChannel, Settings, WhatIfRequest } from '../../src-main/shared/ipc-contract'
import { DEFAULT_SETTINGS } from '../../src-main/shared/ipc-contract'
import type {
  ProfileEvaluation,
  ReadinessReport,
  WorkloadProfile
} from '../../src-main/shared/readiness'
import { ok, unavailable } from '../../src-main/shared/reading'
import type { GpuSample, Inventory, Snapshot } from '../../src-main/shared/telemetry'
import { ArgumentError, type EngineService } from '../../src-main/node/service-types'
import { createFleetService } from '../../src-main/node/metrics/fleet-client'
import { createSeriesStore } from '../../src-main/node/metrics/series-store'

const GiB = 1024 ** 3

/** Values the browser tests assert. */
export const FAKE = {
  gpuName: 'NVIDIA GeForce RTX 4090',
  cpuModel: 'AMD Ryzen 9 7950X 16-Core Processor',
  trainingScore: 58,
  inferenceScore: 83,
  powerLimitWatts: 450,
  slowdownCelsius: 87,
  startMs: Date.UTC(2025, 0, 15, 9, 0, 0),
  sataTempDetail: 'smartctl needs root for /dev/sda'
} as const

/** The static inventory. */
export function fakeInventory(): Inventory {
  return {
    schemaVersion: 1,
    collectedAtMs: FAKE.startMs,
    host: {
      hostname: 'trainbox',
      platform: 'linux',
      arch: 'x64',
      os: ok('Ubuntu 24.04.1 LTS'),
      kernel: ok('6.8.0-51-generic'),
      container: unavailable('unsupported', 'not in a container'),
      virtualization: unavailable('unsupported', 'bare metal')
    },
    cpu: {
      vendor: ok('AuthenticAMD'),
      model: ok(FAKE.cpuModel),
      physicalCores: ok(16),
      logicalCores: ok(32),
      packages: ok(1),
      flags: ok(['avx2', 'avx512f', 'avx512_bf16', 'fma']),
      baseMhz: ok(4500),
      maxMhz: ok(5881),
      hasThrottleCounters: false,
      scalingDriver: ok('amd-pstate-epp')
    },
    memory: {
      totalBytes: ok(64 * GiB),
      swapTotalBytes: ok(8 * GiB),
      type: ok('DDR5'),
      speedMtps: ok(6000),
      modules: ok(2),
      bandwidthGBps: ok(96)
    },
    gpus: [
      {
        id: 'nvidia:00000000:01:00.0',
        index: 0,
        vendor: 'nvidia',
        name: FAKE.gpuName,
        uuid: ok('GPU-5f2e1c3a-8d1b-4c55-9f0e-2a7c3b9d4e61'),
        pciBusId: ok('00000000:01:00.0'),
        memoryTotalBytes: ok(24 * GiB),
        driverVersion: ok('550.120'),
        runtimeVersion: ok('12.4'),
        computeCapability: ok('8.9'),
        gfxTarget: unavailable('unsupported', 'NVIDIA GPU'),
        clockMaxSmMhz: ok(3105),
        clockMaxGraphicsMhz: ok(3105),
        clockMaxMemoryMhz: ok(10501),
        pcieMaxGen: ok(4),
        pcieMaxWidth: ok(16),
        pcieGpuMaxGen: ok(4),
        pcieHostMaxGen: ok(5),
        powerDefaultLimitWatts: ok(450),
        powerMinLimitWatts: ok(150),
        powerMaxLimitWatts: ok(600),
        tempSlowdownCelsius: ok(FAKE.slowdownCelsius),
        tempShutdownCelsius: ok(92),
        tempMaxOperatingCelsius: ok(90),
        tempMemoryMaxCelsius: unavailable(
          'unsupported',
          'GDDR6X temperature not exposed on GeForce'
        ),
        migEnabled: unavailable('unsupported', 'MIG needs A100/H100'),
        integrated: false
      }
    ],
    storage: [
      {
        name: 'nvme0n1',
        kind: 'nvme',
        model: ok('Samsung SSD 990 PRO 2TB'),
        serial: ok('S6Z2NF0W123456'),
        sizeBytes: ok(2_000_398_934_016),
        rotational: ok(false),
        transport: ok('nvme'),
        pcieMaxGen: ok(4),
        pcieMaxWidth: ok(4),
        pcieGen: ok(4),
        pcieWidth: ok(4)
      },
      {
        name: 'sda',
        kind: 'sata-ssd',
        model: ok('CT4000MX500SSD1'),
        serial: unavailable('permission-denied', 'needs root'),
        sizeBytes: ok(4_000_787_030_016),
        rotational: ok(false),
        transport: ok('sata'),
        pcieMaxGen: unavailable('unsupported', 'SATA device'),
        pcieMaxWidth: unavailable('unsupported', 'SATA device'),
        pcieGen: unavailable('unsupported', 'SATA device'),
        pcieWidth: unavailable('unsupported', 'SATA device')
      }
    ],
    filesystems: [
      {
        mount: '/',
        device: '/dev/nvme0n1p2',
        fsType: 'ext4',
        sizeBytes: ok(1_900_000_000_000),
        freeBytes: ok(712_000_000_000)
      }
    ],
    absent: [
      {
        deviceClass: 'gpu-amd',
        reason: unavailable('no-device', 'no amdgpu devices in /sys/class/drm')
      },
      {
        deviceClass: 'rapl',
        reason: unavailable('permission-denied', 'energy_uj is root-only since 5.10')
      },
      { deviceClass: 'battery', reason: unavailable('no-device', 'desktop: no battery') }
    ]
  }
}

/** Load phase at second `i`: idle for 20 s, then training load; power-capped every 40 s for 15 s. */
function loadAt(i: number): { busy: boolean; capped: boolean } {
  const busy = i % 120 >= 20
  const capped = busy && i % 40 >= 25
  return { busy, capped }
}

/** GPU sample at second `i` (deterministic). */
export function fakeGpuSample(i: number): GpuSample {
  const { busy, capped } = loadAt(i)
  const wobble = Math.round(Math.sin(i / 7) * 3)
  return {
    id: 'nvidia:00000000:01:00.0',
    index: 0,
    vendor: 'nvidia',
    name: FAKE.gpuName,
    state: 'active',
    utilizationPct: ok(busy ? 97 + (wobble > 0 ? 0 : wobble) : 2),
    memoryUtilizationPct: ok(busy ? 61 : 1),
    memoryUsedBytes: ok(busy ? 21.5 * GiB : 0.6 * GiB),
    memoryTotalBytes: ok(24 * GiB),
    temperatureCelsius: ok(busy ? 78 + wobble : 41),
    hotspotTemperatureCelsius: unavailable('unsupported', 'hotspot not exposed by nvidia-smi'),
    memoryTemperatureCelsius: unavailable(
      'unsupported',
      'GDDR6X temperature not exposed on GeForce'
    ),
    temperatureHeadroomCelsius: ok(busy ? 9 - wobble : 46),
    powerDrawWatts: ok(capped ? 449.6 : busy ? 402 + wobble * 4 : 28.4),
    powerAverageWatts: ok(capped ? 448 : busy ? 400 : 29),
    powerInstantWatts: unavailable('unsupported', 'needs driver 535+ power.draw.instant'),
    powerLimitWatts: ok(FAKE.powerLimitWatts),
    clockSmMhz: ok(capped ? 2430 : busy ? 2745 : 210),
    clockGraphicsMhz: ok(capped ? 2430 : busy ? 2745 : 210),
    clockMemoryMhz: ok(busy ? 10501 : 405),
    clockMaxSmMhz: ok(3105),
    clockMaxMemoryMhz: ok(10501),
    pcieGen: ok(busy ? 4 : 1),
    pcieWidth: ok(16),
    pcieMaxGen: ok(4),
    pcieMaxWidth: ok(16),
    fanPct: ok(busy ? 68 : 30),
    fanRpm: unavailable('unsupported', 'nvidia-smi reports percent only'),
    pstate: ok(busy ? 'P2' : 'P8'),
    throttleFlags: ok(
      capped
        ? [{ name: 'sw_power_cap', cause: 'power' }]
        : busy
          ? []
          : [{ name: 'gpu_idle', cause: 'idle' }]
    ),
    throttleMaskHex: ok(
      capped ? '0x0000000000000004' : busy ? '0x0000000000000000' : '0x0000000000000001'
    ),
    throttleCountersSeconds: ok({
      sw_power_cap: Math.floor(i / 40) * 15,
      hw_slowdown: 0,
      sw_thermal_slowdown: 0
    })
  }
}

/** Full snapshot at second `i` after FAKE.startMs. */
export function fakeSnapshot(i: number, intervalMs = 1000): Snapshot {
  const { busy } = loadAt(i)
  const ts = FAKE.startMs + i * intervalMs
  return {
    schemaVersion: 1,
    seq: i,
    timestampMs: ts,
    cpu: ok({
      utilizationPct: ok(busy ? 34 : 3),
      perCoreUtilizationPct: ok(
        Array.from({ length: 32 }, (_, c) => (busy ? 20 + ((c * 7 + i) % 40) : 2))
      ),
      frequencies: unavailable('unsupported', 'summarised'),
      frequencyMhz: ok(busy ? 5120 : 3010),
      frequencyMaxMhz: ok(5881),
      governor: ok('powersave'),
      temperatures: ok([
        {
          chip: 'pci0000:00_0000:00:18_3',
          chipName: 'k10temp',
          sensor: 'temp1',
          label: 'Tctl',
          temperatureCelsius: ok(busy ? 71 : 44),
          maxCelsius: unavailable('unsupported', 'k10temp exposes no max'),
          critCelsius: unavailable('unsupported', 'k10temp exposes no crit'),
          emergencyCelsius: unavailable('unsupported'),
          critAlarm: unavailable('unsupported')
        }
      ]),
      packageTemperatureCelsius: ok(busy ? 71 : 44),
      coreThrottle: unavailable('unsupported', 'AMD has no thermal_throttle counters'),
      packageThrottle: unavailable('unsupported', 'AMD has no thermal_throttle counters'),
      packagePowerWatts: unavailable('permission-denied', 'energy_uj is root-only since 5.10')
    }),
    memory: ok({
      totalBytes: ok(64 * GiB),
      availableBytes: ok(busy ? 22 * GiB : 58 * GiB),
      availableIsEstimate: false,
      usedBytes: ok(busy ? 42 * GiB : 6 * GiB),
      swapTotalBytes: ok(8 * GiB),
      swapUsedBytes: ok(0),
      swapInBytesPerSec: ok(0),
      swapOutBytesPerSec: ok(0),
      pressureSomeAvg10Pct: ok(busy ? 1.2 : 0),
      pressureFullAvg10Pct: ok(0)
    }),
    gpus: [fakeGpuSample(i)],
    storage: ok({
      devices: [
        {
          name: 'nvme0n1',
          kind: 'nvme',
          readBytesPerSec: ok(busy ? 1_850_000_000 : 0),
          writeBytesPerSec: ok(i % 60 === 59 ? 3_200_000_000 : 12_000_000),
          busyPct: ok(busy ? 38 : 0),
          temperatureCelsius: ok(busy ? 58 : 39),
          tempMaxCelsius: ok(82),
          tempCritCelsius: ok(85),
          extraTemperatures: [{ label: 'Sensor 2', temperatureCelsius: busy ? 63 : 42 }],
          pcieGen: ok(4),
          pcieWidth: ok(4),
          smart: unavailable('permission-denied', 'smartctl needs root')
        },
        {
          name: 'sda',
          kind: 'sata-ssd',
          readBytesPerSec: ok(0),
          writeBytesPerSec: ok(0),
          busyPct: ok(0),
          temperatureCelsius: unavailable('permission-denied', FAKE.sataTempDetail),
          tempMaxCelsius: unavailable('unsupported', 'SATA drives expose no hwmon limits'),
          tempCritCelsius: unavailable('unsupported', 'SATA drives expose no hwmon limits'),
          extraTemperatures: [],
          pcieGen: unavailable('unsupported', 'SATA device'),
          pcieWidth: unavailable('unsupported', 'SATA device'),
          smart: unavailable('permission-denied', 'smartctl needs root')
        }
      ],
      filesystems: [
        { mount: '/', sizeBytes: ok(1_900_000_000_000), freeBytes: ok(712_000_000_000) }
      ]
    }),
    thermal: ok({ chips: [], zones: [], cooling: [] }),
    power: ok({ source: ok('ac'), acOnline: ok(true), batteries: [] }),
    health: [
      {
        collector: 'gpu-nvidia',
        status: 'ok',
        lastDurationMs: 3,
        lastSuccessMs: ts,
        lastError: null,
        consecutiveFailures: 0
      },
      {
        collector: 'cpu',
        status: 'ok',
        lastDurationMs: 1,
        lastSuccessMs: ts,
        lastError: null,
        consecutiveFailures: 0
      }
    ]
  }
}

/** The workload catalogue the fake knows. */
export function fakeProfiles(): WorkloadProfile[] {
  const llm = (
    id: string,
    label: string,
    kind: WorkloadProfile['kind'],
    params: number,
    fmt: string
  ): WorkloadProfile => ({
    id,
    label,
    kind,
    priority: 1,
    family: 'llm',
    model: {
      name: label,
      paramsTotalB: params,
      paramsActiveB: params,
      nLayers: 32,
      nHeads: 32,
      nKvHeads: 8,
      headDim: 128,
      hidden: 4096
    },
    precision: { weightFormat: fmt },
    shape: { ctxTokens: 8192, microBatch: 1 },
    ...(kind === 'finetune'
      ? {
          training: {
            method: 'qlora' as const,
            optimizer: 'adamw8bit' as const,
            gradCheckpointing: 'full' as const
          }
        }
      : {}),
    runtime: {
      runtime: kind === 'inference' ? 'llama.cpp' : 'transformers',
      allowedBackends: ['cuda']
    },
    targets: { tpsFloor: 10, tpsTarget: 30 },
    sources: ['hand-made test profile']
  })
  return [
    llm('serve-8b-q4', 'Serve Llama 3.1 8B at Q4_K_M', 'inference', 8, 'Q4_K_M'),
    llm('serve-70b-q4', 'Serve Llama 3.1 70B at Q4_K_M', 'inference', 70, 'Q4_K_M'),
    llm('qlora-8b', 'QLoRA fine-tune Llama 3.1 8B', 'finetune', 8, 'nf4')
  ]
}

const BITS: Record<string, number> = {
  f16: 16,
  bf16: 16,
  fp8: 8,
  q8_0: 8.5,
  q6_k: 6.56,
  q5_k_m: 5.69,
  q4_k_m: 4.85,
  q4_0: 4.55,
  nf4: 4.5
}

/** A deterministic evaluation; what-if overrides change its numbers in a predictable way. */
export function fakeEvaluate(
  profile: WorkloadProfile,
  req: Partial<WhatIfRequest> = {}
): ProfileEvaluation {
  const fmt = req.weightFormat ?? profile.precision.weightFormat
  const bits = BITS[fmt.toLowerCase()] ?? 16
  const ctx = req.ctxTokens ?? profile.shape.ctxTokens ?? 4096
  const batch = req.microBatch ?? profile.shape.microBatch ?? 1
  const gpus = req.gpuCount ?? 1
  const method = req.method ?? profile.training?.method
  const weights = Math.round(profile.model.paramsTotalB * 1e9 * (bits / 8))
  const kv =
    2 * profile.model.nLayers * profile.model.nKvHeads * profile.model.headDim * 2 * ctx * batch
  const training = profile.kind === 'finetune' || profile.kind === 'pretrain'
  const optimizer = training
    ? Math.round(profile.model.paramsTotalB * 1e9 * (method === 'full' ? 12 : 0.02))
    : 0
  const runtime = 1.0 * GiB
  const terms: ProfileEvaluation['memory']['terms'] = [
    {
      name: 'weights',
      bytes: weights,
      formula: `${profile.model.paramsTotalB}B params × ${bits} bits ÷ 8`
    },
    {
      name: 'kv-cache',
      bytes: kv,
      formula: `2 × ${profile.model.nLayers} layers × ${profile.model.nKvHeads} kv heads × ${profile.model.headDim} × 2 B × ${ctx} tokens × ${batch}`
    },
    ...(training
      ? [{ name: 'optimizer' as const, bytes: optimizer, formula: `${method} optimizer state` }]
      : []),
    { name: 'runtime', bytes: runtime, formula: 'CUDA context and allocator slack' }
  ]
  const required = terms.reduce((s, t) => s + t.bytes, 0)
  const available = 24 * GiB * gpus
  const fits = required <= available
  const ratio = required / available
  const verdict: ProfileEvaluation['verdict'] = !fits
    ? required <= available + 40 * GiB
      ? 'fits-with-offload'
      : 'does-not-fit'
    : ratio > 0.9
      ? 'fits-tight'
      : 'fits-comfortably'
  const decode = fits ? (1008 * 0.7 * gpus ** 0.85 * 1e9) / weights : (1e9 / weights) * 40
  const score = Math.max(
    0,
    Math.min(100, Math.round(fits ? 100 - ratio * 30 - (decode < 30 ? 20 : 0) : 20 - ratio))
  )
  return {
    profileId: profile.id,
    label: profile.label,
    kind: profile.kind,
    verdict,
    score: ok(score),
    binding: fits ? 'memory-bandwidth' : 'vram-capacity',
    bindingDetail: fits
      ? `decode is bandwidth-bound at 1008 GB/s`
      : `needs ${(required / GiB).toFixed(1)} GiB, has ${(available / GiB).toFixed(0)} GiB`,
    confidence: 'medium',
    placement: {
      kind: !fits ? 'gpu-cpu-offload' : gpus > 1 ? 'multi-gpu-layer' : 'single-gpu',
      gpuCount: gpus,
      gpuFraction: fits ? 1 : Math.round((available / required) * 100) / 100,
      description: fits
        ? `all layers on ${gpus} GPU${gpus > 1 ? 's' : ''}`
        : 'layers split between GPU and CPU RAM'
    },
    weightFormat: fmt,
    memory: {
      terms,
      requiredBytes: required,
      availableBytes: ok(available),
      hostRequiredBytes: ok(fits ? 2 * GiB : required - available)
    },
    speed: {
      decodeTokensPerSec: training
        ? unavailable('unsupported', 'training profile')
        : ok(Math.round(decode * 10) / 10),
      prefillTokensPerSec: training
        ? unavailable('unsupported', 'training profile')
        : ok(Math.round(decode * 40)),
      ttftSeconds: training
        ? unavailable('unsupported', 'training profile')
        : ok(Math.round((ctx / (decode * 40)) * 100) / 100),
      trainHours: training
        ? ok(
            Math.round(
              ((6 * profile.model.paramsTotalB * 1e9 * 1e8) / (82.6e12 * 0.35 * gpus) / 3600) * 10
            ) / 10
          )
        : unavailable('unsupported', 'inference profile'),
      efficiency: {
        value: training ? 0.35 : 0.7,
        source: training
          ? 'MFU for QLoRA on Ada (reference §4.2)'
          : 'η for llama.cpp decode (reference §3.1)'
      }
    },
    factors: [
      {
        name: 'fit',
        weight: 0.5,
        score: ok(fits ? 100 : 0),
        detail: `${(ratio * 100).toFixed(0)}% of VRAM`
      }
    ],
    gates: [],
    assumptions: [
      { kind: 'assumed-value', text: `batch ${batch}` },
      { kind: 'assumed-value', text: `context ${ctx} tokens` }
    ]
  }
}

/** The full readiness report. */
export function fakeReport(profiles = fakeProfiles(), nowMs = FAKE.startMs): ReadinessReport {
  const evals = profiles.map((p) => fakeEvaluate(p))
  return {
    schemaVersion: 1,
    generatedAtMs: nowMs,
    machine: {
      label: `${FAKE.gpuName} · Ryzen 9 7950X · 64 GiB DDR5`,
      origin: 'probed',
      gpus: [
        {
          name: FAKE.gpuName,
          vendor: 'nvidia',
          specKey: 'rtx-4090',
          specConfidence: 'high',
          vramBytes: ok(24 * GiB),
          memoryBandwidthGBps: ok(1008),
          tensorTflops: ok(165.2),
          fp32Tflops: ok(82.6),
          computeCapability: ok('8.9'),
          bf16: true,
          tdpWatts: ok(450),
          pcieGen: ok(4),
          pcieWidth: ok(16),
          pcieMaxGen: ok(4),
          pcieMaxWidth: ok(16),
          unified: false,
          backend: 'cuda'
        }
      ],
      cpu: {
        name: FAKE.cpuModel,
        physicalCores: ok(16),
        logicalCores: ok(32),
        flags: ['avx2', 'avx512f'],
        governor: ok('powersave')
      },
      ramBytes: ok(64 * GiB),
      ramBandwidthGBps: ok(96),
      storage: { kind: 'nvme', freeBytes: ok(712_000_000_000), readMBps: ok(7000) },
      sustained: {
        windowSeconds: 3600,
        gpuCoverage: { observedSeconds: 3600, requestedSeconds: 3600 },
        gpuThrottleFractionByCause: ok({ power: 0.31 }),
        gpuThermalHeadroomCelsius: ok(6),
        sustainedClockRatio: ok(0.87),
        cpuCoverage: { observedSeconds: 0, requestedSeconds: 3600 },
        cpuThrottleFraction: unavailable('unsupported', 'no throttle counters on this CPU'),
        cpuThrottleEvents: unavailable('unsupported', 'no throttle counters on this CPU'),
        powerLimitBelowDefault: ok(false)
      },
      onBattery: ok(false)
    },
    training: {
      score: ok(FAKE.trainingScore),
      binding: 'vram-capacity',
      bindingDetail: 'full fine-tune of 8B needs 131 GiB; QLoRA fits in 24 GiB',
      confidence: 'medium',
      profileIds: ['qlora-8b']
    },
    inference: {
      score: ok(FAKE.inferenceScore),
      binding: 'memory-bandwidth',
      bindingDetail: '70B at Q4 offloads 45% to RAM: 3.1 tok/s',
      confidence: 'high',
      profileIds: ['serve-8b-q4', 'serve-70b-q4']
    },
    profiles: evals,
    throttling: {
      windowSeconds: 3600,
      events: [
        {
          device: 'nvidia:00000000:01:00.0',
          deviceLabel: `GPU 0 · ${FAKE.gpuName}`,
          cause: 'power',
          startMs: FAKE.startMs + 25_000,
          endMs: FAKE.startMs + 40_000,
          evidence: [
            'sw_power_cap active',
            'power.draw 449.6 W of 450 W limit',
            'SM clock 2430 MHz (78% of 3105 MHz)'
          ],
          durationSeconds: 15,
          source: 'counter'
        },
        {
          device: 'nvidia:00000000:01:00.0',
          deviceLabel: `GPU 0 · ${FAKE.gpuName}`,
          cause: 'power',
          startMs: FAKE.startMs + 65_000,
          endMs: FAKE.startMs + 80_000,
          evidence: ['sw_power_cap active', 'power.draw 449.6 W of 450 W limit'],
          durationSeconds: 15,
          source: 'counter'
        }
      ],
      summaries: [
        {
          device: 'nvidia:00000000:01:00.0',
          deviceLabel: `GPU 0 · ${FAKE.gpuName}`,
          windowSeconds: 3600,
          coverage: { observedSeconds: 3600, requestedSeconds: 3600 },
          state: 'throttled',
          throttledFraction: ok(0.31),
          byCause: { power: 0.31 },
          sustainedClockRatio: ok(0.87),
          headline: 'Power-capped 31% of the time at 450 W; clocks held 87% of maximum'
        },
        {
          device: 'cpu',
          deviceLabel: 'CPU · Ryzen 9 7950X',
          windowSeconds: 3600,
          coverage: { observedSeconds: 0, requestedSeconds: 3600 },
          state: 'unknown',
          unobservedReason: unavailable('unsupported', 'no throttle counters on this CPU'),
          throttledFraction: unavailable('unsupported', 'no throttle counters on this CPU'),
          byCause: {},
          sustainedClockRatio: unavailable('unsupported', 'no throttle counters on this CPU'),
          headline:
            'CPU: throttle state unknown in the last hour (no throttle counters on this CPU)'
        }
      ]
    },
    advice: [
      {
        id: 'gpu-add-4090',
        kind: 'gpu-add',
        free: false,
        title: 'Add a second 24 GB GPU',
        effectText:
          'Llama 3.1 70B chat: runs partly on the CPU → fits (tight) (3.1 → 17.8 tok/s); inference score 71 → 80',
        effect: 'serve-70b-q4 goes from offload (3.1 tok/s) to fits (17.8 tok/s); inference +9',
        evidence: ['70B Q4_K_M needs 42.4 GiB', 'one RTX 4090 has 24 GiB'],
        details: ['PSU ≥ (900 W GPUs + ~150 W CPU and system) × 1.1 × 1.1 = 1300 W (Dettmers)'],
        price: {
          status: 'priced',
          currency: 'USD',
          low: 2200,
          high: 2800,
          text: 'USD 2,200–2,800 new (street, 2026-02)',
          stale: false,
          parts: [
            {
              what: 'GeForce RTX 4090',
              quote: {
                key: 'geforce-rtx-4090',
                name: 'GeForce RTX 4090',
                condition: 'new',
                basis: 'street',
                low: 2200,
                high: 2800,
                currency: 'USD',
                observedOn: '2026-02-01',
                datePrecision: 'month',
                ageDays: 30,
                stale: false,
                fromUser: false,
                source: { publication: 'example tracker', says: 'RTX 4090 USD 2,200–2,800' }
              }
            }
          ]
        },
        valuePerUsd: ok(59 / 2200),
        speedup: {
          profileId: 'serve-70b-q4',
          label: 'Llama 3.1 70B chat',
          factor: 5.7,
          text: '3.1 → 17.8 tok/s'
        },
        scoreDrops: [],
        requires: ['a power supply of ≥ 1300 W (give --psu W to check yours)'],
        appliesTo: [],
        withinBudget: null,
        impact: 59,
        trainingDelta: 4,
        inferenceDelta: 9,
        unlocked: ['serve-70b-q4'],
        costClass: 'part',
        relaxes: 'vram-capacity'
      },
      {
        id: 'ram-128',
        kind: 'ram',
        free: false,
        title: 'Upgrade RAM to 128 GB',
        effectText: 'full offload of 70B at Q8 becomes possible; inference score 71 → 74',
        effect: 'full offload of 70B at Q8 becomes possible; inference +3',
        evidence: ['70B Q8_0 host share 51 GiB exceeds 42 GiB free'],
        details: [],
        price: {
          status: 'unknown',
          reason: 'not-in-table',
          detail: 'no DDR5 kit of 128 GB with a price in the table',
          parts: [
            {
              what: 'DDR5 kit of 128 GB',
              quote: null,
              missing: {
                reason: 'not-in-table',
                detail: 'no DDR5 kit of 128 GB with a price in the table'
              }
            }
          ]
        },
        valuePerUsd: unavailable('unsupported', 'price unknown'),
        speedup: null,
        scoreDrops: [],
        requires: [],
        appliesTo: [],
        withinBudget: null,
        impact: 23,
        trainingDelta: 0,
        inferenceDelta: 3,
        unlocked: [],
        costClass: 'part',
        relaxes: 'host-ram'
      },
      {
        id: 'power-limit',
        kind: 'power-limit',
        free: true,
        title: 'Raise the GPU power limit to 500 W',
        effectText: 'sustained clock 87% → 95% of max; training score 70 → 72',
        effect: 'sustained clock ratio 0.87 → 0.95; training +2',
        evidence: ['power-capped 31% of the last hour', 'max limit 600 W'],
        details: [],
        price: { status: 'free' },
        valuePerUsd: unavailable('not-applicable', 'free'),
        speedup: null,
        scoreDrops: [],
        requires: [],
        appliesTo: [],
        withinBudget: null,
        impact: 12,
        trainingDelta: 2,
        inferenceDelta: 1,
        unlocked: [],
        costClass: 'free',
        relaxes: 'power'
      },
      {
        id: 'cooling-case',
        kind: 'cooling',
        free: true,
        title: 'Improve case airflow',
        effectText: 'thermal headroom 6 °C → 12 °C',
        effect: 'thermal headroom 6 °C → 12 °C',
        evidence: ['GPU reached 81 °C of 87 °C slowdown'],
        details: [],
        price: { status: 'free' },
        valuePerUsd: unavailable('not-applicable', 'free'),
        speedup: null,
        scoreDrops: [],
        requires: [],
        appliesTo: [],
        withinBudget: null,
        impact: 4,
        trainingDelta: 1,
        inferenceDelta: 0,
        unlocked: [],
        costClass: 'free',
        relaxes: 'thermals'
      }
    ],
    adviceSummary: {
      currency: 'USD',
      budget: null,
      bestUnderBudget: null,
      bestValue: {
        itemId: 'gpu-add-4090',
        text: 'Best value: Add a second 24 GB GPU (USD 2,200–2,800 new (street, 2026-02))'
      },
      leftOut: [],
      prices: ok({ asOf: '2026-12-02', ageDays: 30, warning: null, userFile: null }),
      box: {
        formFactor: 'desktop',
        formFactorBasis: 'discrete GPU and no sign of a laptop',
        psuWatts: unavailable('unsupported', 'not given (use --psu W or the Settings field)'),
        pcieSlots: unavailable('unsupported', 'the board does not tell its slots here')
      }
    },
    minimumUpgrades: [
      {
        profileId: 'serve-70b-q4',
        achievable: true,
        summary: '+24 GB VRAM (a second RTX 4090 or RTX 3090)'
      },
      { profileId: 'serve-8b-q4', achievable: true, summary: 'already meets its target' },
      { profileId: 'qlora-8b', achievable: true, summary: 'already meets its target' }
    ],
    measured: null,
    unavailable: [
      {
        item: 'GPU 0 memory temperature',
        reason: unavailable('unsupported', 'GDDR6X temperature not exposed on GeForce')
      },
      {
        item: 'CPU package power',
        reason: unavailable('permission-denied', 'energy_uj is root-only since 5.10')
      }
    ]
  }
}

/** Options for the fake service. */
export interface FakeServiceOptions {
  intervalMs?: number
  /** Seconds of history present before the first tick. */
  historySeconds?: number
  face?: 'electron' | 'serve'
  /** Real Sessions API handlers (browser tests of the Sessions view); default: an empty folder. */
  sessions?: SessionsHandlers
}

/** The fake service plus test controls. */
export interface FakeService extends EngineService {
  /** Advances one interval and emits the new snapshot. */
  tick(): Snapshot
  /** Ticks on a real timer every `intervalMs`. */
  start(): void
  stop(): void
  /** Calls made per channel. */
  calls: { channel: string; args: unknown[] }[]
  settings: Settings
}

/** Builds the fake engine service. */
export function createFakeService(options: FakeServiceOptions = {}): FakeService {
  const intervalMs = options.intervalMs ?? 1000
  const inventory = fakeInventory()
  const profiles = fakeProfiles()
  const history: Snapshot[] = []
  for (let i = 0; i < (options.historySeconds ?? 90); i++) history.push(fakeSnapshot(i, intervalMs))
  let next = history.length
  // The real series store and fleet client: they are pure data structures / need a configured URL.
  const series = createSeriesStore({ rawCapacity: 86_400 })
  for (const s of history) series.push(s)
  const fleet = createFleetService()
  let settings: Settings = { ...DEFAULT_SETTINGS }
  const listeners = new Map<EventChannel, Set<(p: unknown) => void>>()
  let timer: ReturnType<typeof setInterval> | null = null
  const calls: { channel: string; args: unknown[] }[] = []

  const emit = (channel: EventChannel, payload: unknown): void => {
    for (const l of listeners.get(channel) ?? []) l(payload)
  }
  const track = (channel: string, args: unknown[]): void => {
    calls.push({ channel, args })
  }

  const service: FakeService = {
    calls,
    get settings() {
      return settings
    },
    handlers: {
      'app:get-info': async () => (
        track('app:get-info', []),
        {
          face: options.face ?? 'serve',
          version: '0.1.0',
          replay: true,
          canPrintPdf: options.face === 'electron',
          probeUnavailable:
            'this agent replays a recording, and a probe loads the machine it runs on'
        }
      ),
      'telemetry:get-inventory': async () => (track('telemetry:get-inventory', []), inventory),
      'telemetry:get-snapshot': async () => history.at(-1) ?? null,
      'telemetry:get-history': async (req) => {
        track('telemetry:get-history', [req])
        const last = history.at(-1)
        if (!last) return []
        const inWindow = history.filter((s) => s.timestampMs > last.timestampMs - req.windowMs)
        const step = Math.max(1, Math.ceil(inWindow.length / req.maxPoints))
        return inWindow.filter((_, i) => i % step === 0)
      },
      'readiness:get-report': async () =>
        fakeReport(profiles, history.at(-1)?.timestampMs ?? FAKE.startMs),
      'readiness:list-profiles': async () => profiles,
      'readiness:list-models': async () => ({
        schemaVersion: 1,
        machine: { label: 'fake machine', origin: 'probed' as const },
        models: [],
        problems: []
      }),
      'readiness:what-if': async (req) => {
        track('readiness:what-if', [req])
        const p = profiles.find((x) => x.id === req.profileId)
        if (!p) throw new ArgumentError(`profileId: unknown profile "${req.profileId}"`)
        return fakeEvaluate(p, req)
      },
      'readiness:add-profile': async (raw) => {
        track('readiness:add-profile', [raw])
        const p = raw as Partial<WorkloadProfile> | null
        if (typeof p !== 'object' || p === null)
          throw new ArgumentError('profile: expected an object')
        if (typeof p.id !== 'string' || p.id === '')
          throw new ArgumentError('profile.id: required string')
        if (typeof p.label !== 'string') throw new ArgumentError('profile.label: required string')
        if (typeof p.model !== 'object' || p.model === null)
          throw new ArgumentError('profile.model: required object')
        const full = { ...fakeProfiles()[0]!, ...p } as WorkloadProfile
        profiles.push(full)
        emit('readiness:did-update', fakeReport(profiles))
        return full
      },
      'settings:get': async () => settings,
      'settings:set': async (patch) => {
        track('settings:set', [patch])
        settings = { ...settings, ...patch }
        return settings
      },
      'report:export': async (format) => {
        track('report:export', [format])
        const r = fakeReport(profiles)
        return format === 'json'
          ? JSON.stringify(r, null, 2)
          : `# RigReady report\n\nTraining ${FAKE.trainingScore} · Inference ${FAKE.inferenceScore}\n`
      },
      'report:print-pdf': async () => {
        throw new Error('printing to PDF needs the desktop app')
      },
      'telemetry:get-series': async (req) => (
        track('telemetry:get-series', [req]),
        series.query(req)
      ),
      'fleet:get-config': async () => fleet.getConfig(),
      'fleet:set-config': async (config) => (
        track('fleet:set-config', [config]),
        fleet.setConfig(config)
      ),
      'fleet:list': async () => fleet.list(),
      ...(options.sessions ?? {
        'sessions:list': async () => [],
        'sessions:open': async (id: string) => {
          throw new ArgumentError(`sessions: no session named ${JSON.stringify(id)}`)
        },
        'sessions:range': async () => {
          throw new ArgumentError('sessions: nothing open')
        }
      }),
      'probe:start': async () => {
        throw new Error('the load probe is not enabled here')
      },
      'probe:cancel': async () => ({ cancelled: false })
    },
    on(channel, listener) {
      const set = listeners.get(channel) ?? new Set()
      set.add(listener as (p: unknown) => void)
      listeners.set(channel, set)
      return () => set.delete(listener as (p: unknown) => void)
    },
    tick() {
      const snap = fakeSnapshot(next++, intervalMs)
      history.push(snap)
      series.push(snap)
      if (history.length > 86_400) history.shift()
      emit('telemetry:did-sample', snap)
      return snap
    },
    start() {
      if (timer === null) timer = setInterval(() => service.tick(), intervalMs)
    },
    stop() {
      if (timer !== null) clearInterval(timer)
      timer = null
    },
    async close() {
      service.stop()
    }
  }
  return service
}
