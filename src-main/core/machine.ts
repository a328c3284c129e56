/**
 * Builds the MachineModel the evaluator scores: from a probed Inventory (measured facts first, spec table for
 * bandwidth and TFLOPS), or from a description (`rigready estimate --gpu "RTX 4090" --ram 64`).
 */
import type { Confidence, MachineGpu, MachineModel, SustainedEvidence } from '../shared/readiness'
import type { Reading } from '../shared/reading'
import { ok, unavailable } from '../shared/reading'
import type { GpuInfo, GpuVendor, Inventory, Snapshot } from '../shared/telemetry'
import type { GpuSpec } from './gpu-specs'
import { GPU_SPECS, closeGpuMatches, findGpuSpec, matchGpuSpec } from './gpu-specs'
import { RESERVES } from './tables'

const GIB = 2 ** 30

function specReading(v: number | null, name: string, what: string): Reading<number> {
  return v === null ? unavailable('unsupported', `${what} of ${name} not in the spec table`) : ok(v)
}

function backendFor(vendor: GpuVendor): MachineGpu['backend'] {
  switch (vendor) {
    case 'nvidia':
      return 'cuda'
    case 'amd':
      return 'rocm'
    case 'apple':
      return 'metal'
    case 'intel':
      return 'sycl'
    default:
      // 'other' and vendors without a known stack: Vulkan compute is the portable fallback.
      return 'vulkan'
  }
}

/** bf16 on matrix units: NVIDIA cc ≥ 8.0; AMD CDNA2+ (gfx90a, gfx94x) and RDNA3+ (gfx11xx, gfx12xx). */
export function bf16Capable(vendor: GpuVendor, cc: string | null, gfx: string | null): boolean {
  if (vendor === 'nvidia') return cc !== null && Number(cc) >= 8.0
  if (vendor === 'amd') return gfx !== null && /^gfx(90a|94\d|11\d\d|12\d\d)$/.test(gfx)
  if (vendor === 'intel') return true
  return false
}

/** A MachineGpu from a spec row (used for described and upgraded machines). */
export function gpuFromSpec(
  spec: GpuSpec,
  opts: { ramBytes?: number; confidence?: Confidence } = {}
): MachineGpu {
  const unified = spec.vendor === 'apple'
  const vram = unified
    ? Math.min(opts.ramBytes ?? (spec.vramGb ?? 0) * GIB, (spec.vramGb ?? 0) * GIB) *
      RESERVES.unifiedGpuShare.value
    : (spec.vramGb ?? 0) * GIB
  return {
    name: spec.name,
    vendor: spec.vendor,
    specKey: spec.key,
    specConfidence: opts.confidence ?? spec.confidence,
    vramBytes: vram,
    memoryBandwidthGBps: specReading(spec.memBandwidthGBps, spec.name, 'memory bandwidth'),
    tensorTflops: specReading(spec.tensorTflopsDense, spec.name, 'tensor TFLOPS'),
    fp32Tflops: specReading(spec.fp32Tflops, spec.name, 'FP32 TFLOPS'),
    computeCapability: spec.computeCapability
      ? ok(spec.computeCapability)
      : unavailable('unsupported', 'not an NVIDIA GPU'),
    bf16: bf16Capable(spec.vendor, spec.computeCapability, spec.gfxTarget),
    tdpWatts: specReading(spec.tdpWatts, spec.name, 'TDP'),
    pcieGen: unavailable('unsupported', 'not measured (described machine)'),
    pcieWidth: unavailable('unsupported', 'not measured (described machine)'),
    pcieMaxGen: specReading(spec.pcieGen, spec.name, 'PCIe generation'),
    pcieMaxWidth: specReading(spec.pcieWidth, spec.name, 'PCIe width'),
    unified,
    backend: backendFor(spec.vendor)
  }
}

/** Minimum GPU utilisation for a PCIe link reading to count as "under load" (links train down at idle). */
const LOADED_UTIL_PCT = 30

function gpuFromInfo(
  info: GpuInfo,
  sample: Snapshot['gpus'][number] | undefined,
  ramBytes: number,
  specs: readonly GpuSpec[]
): MachineGpu {
  const measuredVram =
    info.memoryTotalBytes.status === 'ok' ? info.memoryTotalBytes.value : undefined
  const gfx = info.gfxTarget.status === 'ok' ? info.gfxTarget.value : undefined
  const match = matchGpuSpec(info.name, { vramBytes: measuredVram, gfxTarget: gfx, table: specs })
  const spec = match?.spec ?? null
  const unified = info.integrated || info.vendor === 'apple'
  const vramBytes = unified
    ? ramBytes * RESERVES.unifiedGpuShare.value
    : (measuredVram ?? (spec?.vramGb ?? 0) * GIB)
  const cc =
    info.computeCapability.status === 'ok'
      ? info.computeCapability.value
      : (spec?.computeCapability ?? null)
  const loaded =
    sample !== undefined &&
    sample.state === 'active' &&
    sample.utilizationPct.status === 'ok' &&
    sample.utilizationPct.value >= LOADED_UTIL_PCT
  const notLoaded = unavailable(
    'unsupported',
    'link not measured under load (it trains down at idle)'
  )
  const fromSpec = (v: number | null | undefined, what: string): Reading<number> =>
    v === null || v === undefined
      ? unavailable('unsupported', `${what}: ${info.name} not in the spec table`)
      : ok(v)
  return {
    name: info.name,
    vendor: info.vendor,
    specKey: spec?.key ?? null,
    specConfidence: match?.confidence ?? 'unknown',
    vramBytes,
    memoryBandwidthGBps: fromSpec(spec?.memBandwidthGBps, 'memory bandwidth'),
    tensorTflops: fromSpec(spec?.tensorTflopsDense, 'tensor TFLOPS'),
    fp32Tflops: fromSpec(spec?.fp32Tflops, 'FP32 TFLOPS'),
    computeCapability: cc !== null ? ok(cc) : info.computeCapability,
    bf16: bf16Capable(info.vendor, cc, gfx ?? spec?.gfxTarget ?? null),
    tdpWatts:
      info.powerDefaultLimitWatts.status === 'ok'
        ? info.powerDefaultLimitWatts
        : fromSpec(spec?.tdpWatts, 'TDP'),
    pcieGen: loaded ? sample.pcieGen : notLoaded,
    pcieWidth: loaded ? sample.pcieWidth : notLoaded,
    pcieMaxGen:
      info.pcieMaxGen.status === 'ok'
        ? info.pcieMaxGen
        : fromSpec(spec?.pcieGen, 'PCIe generation'),
    pcieMaxWidth:
      info.pcieMaxWidth.status === 'ok'
        ? info.pcieMaxWidth
        : fromSpec(spec?.pcieWidth, 'PCIe width'),
    unified,
    backend: info.backend ?? backendFor(info.vendor)
  }
}

/**
 * The MachineModel of a probed machine.
 *
 * Measured facts first (VRAM, compute capability, PCIe link under load, governor, power source); the spec
 * table supplies bandwidth and TFLOPS. A GPU missing from the table keeps its measured facts and marks the
 * rest unavailable. No GPU gives a CPU-only machine.
 */
export function machineFromInventory(
  inventory: Inventory,
  latest: Snapshot | null,
  sustained: SustainedEvidence | null,
  specs: readonly GpuSpec[] = GPU_SPECS
): MachineModel {
  const ramBytes =
    inventory.memory.totalBytes.status === 'ok' ? inventory.memory.totalBytes.value : 0
  const gpus = inventory.gpus.map((g) =>
    gpuFromInfo(
      g,
      latest?.gpus.find((s) => s.id === g.id),
      ramBytes,
      specs
    )
  )
  const cpu = latest?.cpu.status === 'ok' ? latest.cpu.value : null
  const kinds = inventory.storage.map((s) => s.kind)
  const kind: MachineModel['storage']['kind'] = kinds.includes('nvme')
    ? 'nvme'
    : kinds.includes('sata-ssd')
      ? 'sata-ssd'
      : kinds.includes('hdd')
        ? 'hdd'
        : kinds.length > 0
          ? 'other'
          : 'unknown'
  // The data path is not known here: use the filesystem with the most free space (root first on ties).
  const fsFree = inventory.filesystems
    .filter((f) => f.freeBytes.status === 'ok')
    .sort(
      (a, b) => (b.freeBytes as { value: number }).value - (a.freeBytes as { value: number }).value
    )
  const power =
    latest?.power.status === 'ok'
      ? latest.power.value.source
      : unavailable('unsupported', 'power source not sampled')
  const model = inventory.cpu.model.status === 'ok' ? inventory.cpu.model.value : 'CPU'
  const phys =
    inventory.cpu.physicalCores.status === 'ok'
      ? inventory.cpu.physicalCores.value
      : inventory.cpu.logicalCores.status === 'ok'
        ? inventory.cpu.logicalCores.value
        : 1
  return {
    label:
      gpus.length > 0
        ? `${gpus.map((g) => g.name).join(' + ')}, ${(ramBytes / 1e9).toFixed(0)} GB RAM`
        : `${model} (no GPU), ${(ramBytes / 1e9).toFixed(0)} GB RAM`,
    origin: 'probed',
    gpus,
    cpu: {
      name: model,
      physicalCores: phys,
      logicalCores:
        inventory.cpu.logicalCores.status === 'ok' ? inventory.cpu.logicalCores.value : phys,
      flags: inventory.cpu.flags.status === 'ok' ? inventory.cpu.flags.value : [],
      governor: cpu ? cpu.governor : unavailable('unsupported', 'CPU not sampled')
    },
    ramBytes,
    ramBandwidthGBps: inventory.memory.bandwidthGBps,
    storage: {
      kind,
      freeBytes:
        fsFree.length > 0
          ? fsFree[0].freeBytes
          : unavailable('unsupported', 'no filesystem with a free-space reading'),
      readMBps: unavailable('unsupported', 'not measured')
    },
    sustained,
    onBattery: power.status === 'ok' ? ok(power.value === 'battery') : power
  }
}

/** A hypothetical machine description (`rigready estimate`). */
export interface MachineDescription {
  gpu?: string
  gpus?: number
  ramGb?: number
  storage?: 'nvme' | 'sata-ssd' | 'hdd'
  cpuCores?: number
  ramBandwidthGBps?: number
  base?: MachineModel
}

/**
 * A described machine. `gpu` is matched against the spec table; an unknown name throws an error listing the
 * closest rows. Fields left out come from `base`, else from defaults (16 cores, 64 GB, NVMe).
 */
export function describeMachine(d: MachineDescription): MachineModel {
  let gpus: MachineGpu[] = d.base?.gpus ?? []
  const ramBytes = d.ramGb !== undefined ? d.ramGb * 1e9 : (d.base?.ramBytes ?? 64e9)
  if (d.gpu !== undefined) {
    const spec = findGpuSpec(d.gpu)
    if (spec === null) {
      const close = closeGpuMatches(d.gpu)
      throw new Error(
        `unknown GPU "${d.gpu}"${
          close.length > 0
            ? `; did you mean: ${close.map((s) => s.name).join(', ')}?`
            : `; known GPUs include ${GPU_SPECS.slice(-8)
                .map((s) => s.name)
                .join(', ')}…`
        }`
      )
    }
    const count = d.gpus ?? 1
    gpus = Array.from({ length: spec.vendor === 'apple' ? 1 : count }, () =>
      gpuFromSpec(spec, { ramBytes })
    )
  } else if (d.gpus !== undefined && gpus.length > 0) {
    gpus = Array.from({ length: d.gpus }, () => gpus[0])
  } else if (d.gpus === 0) gpus = []
  const cores = d.cpuCores ?? d.base?.cpu.physicalCores ?? 16
  const apple = gpus.some((g) => g.vendor === 'apple')
  const label = [
    gpus.length > 0 ? `${gpus.length > 1 ? `${gpus.length}× ` : ''}${gpus[0].name}` : 'no GPU',
    `${(ramBytes / 1e9).toFixed(0)} GB RAM`,
    d.storage ?? d.base?.storage.kind ?? 'nvme'
  ].join(', ')
  return {
    label,
    origin: 'described',
    gpus,
    cpu:
      d.base?.cpu && d.cpuCores === undefined
        ? d.base.cpu
        : {
            name: apple ? 'Apple silicon' : 'CPU',
            physicalCores: cores,
            logicalCores: apple ? cores : cores * 2,
            flags: apple ? ['neon'] : ['avx2'],
            governor: unavailable('unsupported', 'described machine')
          },
    ramBytes,
    ramBandwidthGBps:
      d.ramBandwidthGBps !== undefined
        ? ok(d.ramBandwidthGBps)
        : apple && gpus[0].memoryBandwidthGBps.status === 'ok'
          ? gpus[0].memoryBandwidthGBps
          : (d.base?.ramBandwidthGBps ??
            unavailable('unsupported', 'described machine: RAM bandwidth not given')),
    storage:
      d.storage !== undefined
        ? {
            kind: d.storage,
            freeBytes: unavailable('unsupported', 'described machine'),
            readMBps: unavailable('unsupported', 'described machine')
          }
        : (d.base?.storage ?? {
            kind: 'nvme',
            freeBytes: unavailable('unsupported', 'described machine'),
            readMBps: unavailable('unsupported', 'described machine')
          }),
    sustained: d.base?.sustained ?? null,
    onBattery: d.base?.onBattery ?? ok(false)
  }
}
