/**
 * Builds the MachineModel the evaluator scores: from a probed Inventory (measured facts first, spec table for
 * bandwidth and TFLOPS), or from a description (`rigready estimate --gpu "RTX 4090" --ram 64`).
 */
import type {
  Confidence,
  MachineGpu,
  MachineModel,
  SustainedEvidence
} from '../../shared/readiness'
import type { Reading } from '../../shared/reading'
import { mapReading, ok, unavailable, valueOf } from '../../shared/reading'
import type { GpuInfo, GpuVendor, Inventory, Snapshot } from '../../shared/telemetry'
import { chooseBackend, rocmPresence } from '../backends'
import type { GpuSpec } from '../gpu-specs'
import { GPU_SPECS, closeGpuMatches, findGpuSpec, matchGpuSpec } from '../gpu-specs'
import { RESERVES } from '../tables'

const GIB = 2 ** 30

function specReading(v: number | null, name: string, what: string): Reading<number> {
  return v === null ? unavailable('unsupported', `${what} of ${name} not in the spec table`) : ok(v)
}

const BACKENDS: ReadonlySet<string> = new Set<MachineGpu['backend']>([
  'cuda',
  'rocm',
  'metal',
  'vulkan',
  'sycl',
  'cpu'
])

/**
 * The compute backend of a GPU: the inventory's own `backend` (declared by the GPU's collector) when it has
 * one, else chosen from vendor, gfx target and ROCm presence (`backends.ts`: ROCm support list, Vulkan for
 * Arc and for AMD without ROCm).
 */
export function backendOf(
  info: Pick<GpuInfo, 'vendor'> & Partial<Pick<GpuInfo, 'runtimeVersion'>>,
  gfxTarget: string | null = null
): MachineGpu['backend'] {
  // `backend` is declared by the collector registry where present (plain value or Reading).
  const declared = (info as { backend?: unknown }).backend
  const v =
    declared !== null && typeof declared === 'object' && 'status' in declared
      ? valueOf(declared as Reading<unknown>)
      : declared
  if (typeof v === 'string' && BACKENDS.has(v)) {
    // The collector names its vendor's stack; which llama.cpp build runs it is decided here: ROCm only
    // for gfx targets on ROCm's support list with ROCm present, Vulkan for Arc (faster than SYCL there).
    if (v === 'rocm') return backendFor('amd', gfxTarget, info.runtimeVersion)
    if (v === 'sycl') return backendFor('intel', gfxTarget, info.runtimeVersion)
    return v as MachineGpu['backend']
  }
  return backendFor(info.vendor, gfxTarget, info.runtimeVersion)
}

function backendFor(
  vendor: GpuVendor,
  gfxTarget: string | null = null,
  runtime?: Reading<string>
): MachineGpu['backend'] {
  return chooseBackend({ vendor, gfxTarget, rocm: rocmPresence(vendor, runtime) }).backend
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
  const specBytes = spec.vramGb === null ? null : spec.vramGb * GIB
  const vram: Reading<number> =
    specBytes === null
      ? unavailable('unsupported', `memory size of ${spec.name} not in the spec table`)
      : unified
        ? ok(Math.min(opts.ramBytes ?? specBytes, specBytes) * RESERVES.unifiedGpuShare.value)
        : ok(specBytes)
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
      : unavailable('not-applicable', 'not an NVIDIA GPU'),
    bf16: bf16Capable(spec.vendor, spec.computeCapability, spec.gfxTarget),
    tdpWatts: specReading(spec.tdpWatts, spec.name, 'TDP'),
    pcieGen: unavailable('not-applicable', 'not measured (described machine)'),
    pcieWidth: unavailable('not-applicable', 'not measured (described machine)'),
    pcieMaxGen: specReading(spec.pcieGen, spec.name, 'PCIe generation'),
    pcieMaxWidth: specReading(spec.pcieWidth, spec.name, 'PCIe width'),
    unified,
    backend: backendFor(spec.vendor, spec.gfxTarget)
  }
}

/** Minimum GPU utilisation for a PCIe link reading to count as "under load" (links train down at idle). */
const LOADED_UTIL_PCT = 30

function gpuFromInfo(
  info: GpuInfo,
  sample: Snapshot['gpus'][number] | undefined,
  ramBytes: Reading<number>,
  specs: readonly GpuSpec[]
): MachineGpu {
  const measuredVram =
    info.memoryTotalBytes.status === 'ok' ? info.memoryTotalBytes.value : undefined
  const gfx = info.gfxTarget.status === 'ok' ? info.gfxTarget.value : undefined
  const match = matchGpuSpec(info.name, { vramBytes: measuredVram, gfxTarget: gfx, table: specs })
  const spec = match?.spec ?? null
  const unified = info.integrated || info.vendor === 'apple'
  const specVram =
    spec?.vramGb !== undefined && spec?.vramGb !== null ? spec.vramGb * GIB : undefined
  const vramBytes: Reading<number> = unified
    ? ramBytes.status === 'ok'
      ? ok(ramBytes.value * RESERVES.unifiedGpuShare.value)
      : unavailable(ramBytes.reason, 'unified memory: the system RAM size is unknown')
    : measuredVram !== undefined
      ? ok(measuredVram)
      : specVram !== undefined
        ? ok(specVram)
        : unavailable(
            info.memoryTotalBytes.status === 'unavailable'
              ? info.memoryTotalBytes.reason
              : 'unsupported',
            `memory size of ${info.name} not read and not in the spec table`
          )
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
    'not-applicable',
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
    backend: backendOf(info, gfx ?? spec?.gfxTarget ?? null)
  }
}

function ramLabel(ramBytes: Reading<number>): string {
  return ramBytes.status === 'ok' ? `${(ramBytes.value / GIB).toFixed(0)} GiB RAM` : 'RAM unknown'
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
  const ramBytes = inventory.memory.totalBytes
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
  const powerSection = latest?.power
  const power =
    powerSection === undefined
      ? unavailable('warming-up', 'power source not sampled yet')
      : powerSection.status === 'ok'
        ? powerSection.value.source
        : powerSection
  const model = inventory.cpu.model.status === 'ok' ? inventory.cpu.model.value : 'CPU'
  return {
    label:
      gpus.length > 0
        ? `${gpus.map((g) => g.name).join(' + ')}, ${ramLabel(ramBytes)}`
        : `${model} (no GPU), ${ramLabel(ramBytes)}`,
    origin: 'probed',
    gpus,
    cpu: {
      name: model,
      physicalCores: inventory.cpu.physicalCores,
      logicalCores: inventory.cpu.logicalCores,
      flags: inventory.cpu.flags.status === 'ok' ? inventory.cpu.flags.value : [],
      governor: cpu
        ? cpu.governor
        : latest && latest.cpu.status === 'unavailable'
          ? latest.cpu
          : unavailable('warming-up', 'CPU not sampled yet')
    },
    ramBytes,
    ramBandwidthGBps: inventory.memory.bandwidthGBps,
    storage: {
      kind,
      freeBytes:
        fsFree.length > 0
          ? fsFree[0].freeBytes
          : unavailable('unsupported', 'no filesystem with a free-space reading'),
      readMBps: unavailable('unsupported', 'not measured (no read benchmark run)')
    },
    sustained,
    onBattery: power.status === 'ok' ? ok(power.value === 'battery') : power
  }
}

/** A hypothetical machine description (`rigready estimate`). */
export interface MachineDescription {
  gpu?: string
  gpus?: number
  /** Host RAM in GiB (memory sizes are binary: a 64 GB kit is 64 GiB). */
  ramGb?: number
  storage?: 'nvme' | 'sata-ssd' | 'hdd'
  cpuCores?: number
  ramBandwidthGBps?: number
  base?: MachineModel
}

/**
 * A described machine. `gpu` is matched against the spec table; an unknown name throws an error listing the
 * closest rows. Fields left out come from `base`, else from defaults (16 cores, 64 GiB, NVMe).
 */
export function describeMachine(d: MachineDescription): MachineModel {
  let gpus: MachineGpu[] = d.base?.gpus ?? []
  // GiB: a "64 GB" kit as sold is 64 GiB (rigready estimate --ram).
  const ramBytes: Reading<number> =
    d.ramGb !== undefined ? ok(d.ramGb * GIB) : (d.base?.ramBytes ?? ok(64 * GIB))
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
      gpuFromSpec(spec, { ramBytes: valueOf(ramBytes) })
    )
  } else if (d.gpus !== undefined && gpus.length > 0) {
    gpus = Array.from({ length: d.gpus }, () => gpus[0])
  } else if (d.gpus === 0) gpus = []
  const cores: Reading<number> =
    d.cpuCores !== undefined ? ok(d.cpuCores) : (d.base?.cpu.physicalCores ?? ok(16))
  const apple = gpus.some((g) => g.vendor === 'apple')
  const label = [
    gpus.length > 0 ? `${gpus.length > 1 ? `${gpus.length}× ` : ''}${gpus[0].name}` : 'no GPU',
    ramLabel(ramBytes),
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
            logicalCores: apple ? cores : mapReading(cores, (c) => c * 2),
            flags: apple ? ['neon'] : ['avx2'],
            governor: unavailable('not-applicable', 'described machine')
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
            freeBytes: unavailable('not-applicable', 'described machine'),
            readMBps: unavailable('not-applicable', 'described machine')
          }
        : (d.base?.storage ?? {
            kind: 'nvme',
            freeBytes: unavailable('not-applicable', 'described machine'),
            readMBps: unavailable('not-applicable', 'described machine')
          }),
    sustained: d.base?.sustained ?? null,
    onBattery: d.base?.onBattery ?? ok(false)
  }
}
