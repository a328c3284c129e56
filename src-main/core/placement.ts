/**
 * Where a workload runs on a machine: one GPU, several GPUs, GPU + CPU offload, CPU only, or unified memory.
 *
 * Rules (readiness reference §2.6, §6.2): usable GPU memory = total − max(1 GiB, 5%); Apple unified memory is
 * already the GPU-usable share of RAM; host usable = RAM − 4 GiB. Layer split adds capacity but not bandwidth
 * (layers run one after another); tensor split adds bandwidth ≈ 0.9 × Σ. Partial offload runs each layer
 * where it lives (llama.cpp), so per-token time = Σ bytes on each device ÷ that device's bandwidth.
 */
import type { MachineGpu, MachineModel, Placement, WorkloadProfile } from '../shared/readiness'
import type { Reading } from '../shared/reading'
import { ok, unavailable } from '../shared/reading'
import type { InferenceMemory, TrainingMemory } from './memory'
import { fmtGB } from './memory'
import { isMoe, moeLayers, planExpertOffload } from './moe'
import { DEFAULT_RAM_BANDWIDTH, RESERVES } from './tables'

/** Runtimes that can run some layers on the CPU (partial offload). */
const OFFLOAD_RUNTIMES = new Set([
  'llama.cpp',
  'ollama',
  'lmstudio',
  'lm studio',
  'koboldcpp',
  'faster-whisper',
  'sentence-transformers'
])

/** A device that holds part of the model, for the speed model. */
export interface DeviceShare {
  kind: 'gpu' | 'cpu'
  label: string
  /** Fraction of the weights (and KV) held here. */
  fraction: number
  bandwidthGBps: Reading<number>
  backend: MachineGpu['backend']
  /** Bandwidth is the sum of several GPUs (tensor split). */
  aggregated: boolean
  /** The GPU (for its memory type and generation in the efficiency table). */
  gpu?: MachineGpu
  /** Exact bytes this device reads per token (MoE expert offload), instead of fraction × bytes per token. */
  bytesPerToken?: number
}

/** Result of placing a workload. */
export interface PlacementPlan {
  placement: Placement
  fits: boolean
  /** Capacity the requirement is compared with (bytes). */
  availableBytes: number
  requiredBytes: number
  hostRequiredBytes: number
  /** GPUs used (empty for CPU-only). */
  gpus: MachineGpu[]
  devices: DeviceShare[]
  /** Why it does not fit, when it does not. */
  shortfall: string | null
}

/**
 * The value of a capacity reading. Placement runs only on known capacities: the evaluator makes a profile
 * unknown before placing it when a capacity it needs is unknown, so an unknown one here is a bug.
 */
function knownBytes(r: Reading<number>, what: string): number {
  if (r.status !== 'ok') throw new Error(`placement needs a known ${what}`)
  return r.value
}

/** GPU memory a workload may use on one card. */
export function usableGpuBytes(gpu: MachineGpu): number {
  const vram = knownBytes(gpu.vramBytes, `memory size of ${gpu.name}`)
  if (gpu.unified) return vram
  const margin = Math.max(
    RESERVES.gpuUsableMarginMinBytes.value,
    RESERVES.gpuUsableMarginFraction.value * vram
  )
  return Math.max(0, vram - margin)
}

/** Host RAM a workload may use (RAM − 4 GiB; on unified machines also minus the GPU share). */
export function usableHostBytes(machine: MachineModel): number {
  const gpuShare = machine.gpus
    .filter((g) => g.unified)
    .reduce((s, g) => s + knownBytes(g.vramBytes, `memory size of ${g.name}`), 0)
  return Math.max(
    0,
    knownBytes(machine.ramBytes, 'RAM size') - gpuShare - RESERVES.hostReserveBytes.value
  )
}

/** GPUs whose backend the profile's runtime supports. */
export function eligibleGpus(machine: MachineModel, profile: WorkloadProfile): MachineGpu[] {
  return machine.gpus.filter(
    (g) => g.backend !== 'cpu' && profile.runtime.allowedBackends.includes(g.backend)
  )
}

function ramBandwidth(machine: MachineModel): Reading<number> {
  return machine.ramBandwidthGBps.status === 'ok'
    ? machine.ramBandwidthGBps
    : unavailable('unsupported', DEFAULT_RAM_BANDWIDTH.source)
}

function cpuShare(machine: MachineModel, fraction: number): DeviceShare {
  return {
    kind: 'cpu',
    label: 'CPU (system RAM)',
    fraction,
    bandwidthGBps: ramBandwidth(machine),
    backend: 'cpu',
    aggregated: false
  }
}

function gpuShare(g: MachineGpu, fraction: number, i: number): DeviceShare {
  return {
    kind: 'gpu',
    label: `GPU${i} ${g.name}`,
    fraction,
    bandwidthGBps: g.memoryBandwidthGBps,
    backend: g.backend,
    aggregated: false,
    gpu: g
  }
}

function sum(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0)
}

/** Places an inference workload. */
export function placeInference(
  machine: MachineModel,
  profile: WorkloadProfile,
  mem: InferenceMemory
): PlacementPlan {
  const gpus = eligibleGpus(machine, profile)
  const cpuAllowed = profile.runtime.allowedBackends.includes('cpu')
  const host = usableHostBytes(machine)
  const need = mem.totalBytes
  const canOffload = cpuAllowed && OFFLOAD_RUNTIMES.has(profile.runtime.runtime.toLowerCase())

  const cpuOnly = (why: string): PlacementPlan => {
    const fits = cpuAllowed && need <= host
    return {
      placement: { kind: 'cpu-only', gpuCount: 0, gpuFraction: 0, description: why },
      fits,
      availableBytes: host,
      requiredBytes: need,
      hostRequiredBytes: need,
      gpus: [],
      devices: [cpuShare(machine, 1)],
      shortfall: fits
        ? null
        : cpuAllowed
          ? `needs ${fmtGB(need)} of RAM, ${fmtGB(host)} usable`
          : `no usable GPU and the runtime (${profile.runtime.runtime}) has no CPU backend`
    }
  }

  if (gpus.length === 0) {
    const why =
      machine.gpus.length === 0
        ? 'CPU only (no GPU)'
        : `CPU only (no GPU with a backend ${profile.runtime.runtime} supports: ${profile.runtime.allowedBackends.join(', ')})`
    return cpuOnly(why)
  }

  // Biggest card first: single-GPU placement uses it.
  const sorted = [...gpus].sort((a, b) => usableGpuBytes(b) - usableGpuBytes(a))
  const first = sorted[0]
  const firstUsable = usableGpuBytes(first)
  if (need <= firstUsable) {
    return {
      placement: {
        kind: first.unified ? 'unified' : 'single-gpu',
        gpuCount: 1,
        gpuFraction: 1,
        description: first.unified
          ? `unified memory on ${first.name} (${fmtGB(firstUsable)} GPU-usable)`
          : `one ${first.name} (${fmtGB(firstUsable)} usable)`
      },
      fits: true,
      availableBytes: firstUsable,
      requiredBytes: need,
      hostRequiredBytes: 0,
      gpus: [first],
      devices: [gpuShare(first, 1, 0)],
      shortfall: null
    }
  }

  const usable = sorted.map(usableGpuBytes)
  const n = sorted.length
  const tensor = profile.runtime.splitMode === 'tensor'
  const needMulti = mem.weightBytes + mem.kvBytes + mem.fixedBytes * n
  if (n > 1 && needMulti <= sum(usable)) {
    const cap = sum(usable)
    const devices: DeviceShare[] = tensor
      ? [
          {
            kind: 'gpu',
            label: `${n} GPUs (tensor split)`,
            fraction: 1,
            bandwidthGBps: sorted.every((g) => g.memoryBandwidthGBps.status === 'ok')
              ? ok(
                  0.9 *
                    sum(
                      sorted.map((g) =>
                        g.memoryBandwidthGBps.status === 'ok' ? g.memoryBandwidthGBps.value : 0
                      )
                    )
                )
              : unavailable('unsupported', 'bandwidth of a GPU unknown'),
            backend: first.backend,
            aggregated: true
          }
        ]
      : sorted.map((g, i) => gpuShare(g, usable[i] / cap, i))
    return {
      placement: {
        kind: tensor ? 'multi-gpu-tensor' : 'multi-gpu-layer',
        gpuCount: n,
        gpuFraction: 1,
        description: tensor
          ? `${n} GPUs, tensor split (bandwidth ≈ 0.9 × sum)`
          : `${n} GPUs, layer split (${fmtGB(cap)} usable; capacity adds, bandwidth does not)`
      },
      fits: true,
      availableBytes: cap,
      requiredBytes: needMulti,
      hostRequiredBytes: 0,
      gpus: sorted,
      devices,
      shortfall: null
    }
  }

  // Partial offload: GPU holds what fits after its fixed buffers; the rest of the weights and KV go to RAM.
  const gpuCap = sum(usable) - mem.fixedBytes * n
  const movable = mem.weightBytes + mem.kvBytes
  // MoE: keep attention, router and KV on the GPU and move routed experts of some layers to RAM
  // (llama.cpp --n-cpu-moe N); a token then reads only its active experts from RAM.
  const moePlan =
    canOffload && isMoe(profile.model)
      ? planExpertOffload(profile.model, mem.moe, gpuCap - mem.kvBytes)
      : null
  if (moePlan) {
    const fits = moePlan.cpuBytes <= host
    const layers = moeLayers(profile.model)
    const perGpu = sorted.map((g, i) => ({
      ...gpuShare(g, 0, i),
      fraction: moePlan.gpuBytes / mem.weightBytes / n,
      bytesPerToken: (moePlan.gpuReadBytes * usable[i]) / sum(usable)
    }))
    return {
      placement: {
        kind: 'gpu-cpu-offload',
        gpuCount: n,
        gpuFraction: moePlan.gpuBytes / mem.weightBytes,
        description: `experts of ${moePlan.cpuMoeLayers} of ${layers} MoE layers in system RAM (llama.cpp --n-cpu-moe ${moePlan.cpuMoeLayers}); attention, router and KV on ${n > 1 ? `${n} GPUs` : first.name}`
      },
      fits,
      availableBytes: sum(usable) + host,
      requiredBytes: need,
      hostRequiredBytes: moePlan.cpuBytes,
      gpus: sorted,
      devices: [...perGpu, { ...cpuShare(machine, 0), bytesPerToken: moePlan.cpuReadBytes }],
      shortfall: fits
        ? null
        : `needs ${fmtGB(moePlan.cpuBytes)} of RAM for offloaded experts, ${fmtGB(host)} usable`
    }
  }
  if (canOffload) {
    const frac = Math.max(0, Math.min(1, gpuCap / movable))
    const onCpu = (1 - frac) * movable
    if (frac <= 0.02)
      return cpuOnly(
        `CPU only (model does not meaningfully fit on ${sorted.map((g) => g.name).join(' + ')})`
      )
    const fits = onCpu <= host
    const perGpu = sorted.map((g, i) => gpuShare(g, (frac * usable[i]) / sum(usable), i))
    return {
      placement: {
        kind: 'gpu-cpu-offload',
        gpuCount: n,
        gpuFraction: frac,
        description: `${Math.round(frac * 100)}% of layers on ${n > 1 ? `${n} GPUs` : first.name}, ${Math.round((1 - frac) * 100)}% in system RAM`
      },
      fits,
      availableBytes: sum(usable) + host,
      requiredBytes: need,
      hostRequiredBytes: onCpu,
      gpus: sorted,
      devices: [...perGpu, cpuShare(machine, 1 - frac)],
      shortfall: fits
        ? null
        : `needs ${fmtGB(onCpu)} of RAM for offloaded layers, ${fmtGB(host)} usable`
    }
  }

  const cap = n > 1 ? sum(usable) : firstUsable
  return {
    placement: {
      kind:
        n > 1
          ? tensor
            ? 'multi-gpu-tensor'
            : 'multi-gpu-layer'
          : first.unified
            ? 'unified'
            : 'single-gpu',
      gpuCount: n,
      gpuFraction: Math.min(1, cap / (n > 1 ? needMulti : need)),
      description: `does not fit ${n > 1 ? `${n} GPUs` : first.name}`
    },
    fits: false,
    availableBytes: cap,
    requiredBytes: n > 1 ? needMulti : need,
    hostRequiredBytes: 0,
    gpus: sorted,
    devices: sorted.map((g, i) => gpuShare(g, 1 / n, i)),
    shortfall: `needs ${fmtGB(n > 1 ? needMulti : need)} of GPU memory, ${fmtGB(cap)} usable${canOffload ? '' : ` (${profile.runtime.runtime} does not offload to CPU)`}`
  }
}

/** Places a training workload: data parallel over every eligible GPU, states sharded per the ZeRO stage. */
export function placeTraining(
  machine: MachineModel,
  profile: WorkloadProfile,
  memFor: (gpuCount: number) => TrainingMemory
): { plan: PlacementPlan; mem: TrainingMemory } {
  const gpus = eligibleGpus(machine, profile)
  const host = usableHostBytes(machine)
  if (gpus.length === 0) {
    const mem = memFor(1)
    const cpuAllowed = profile.runtime.allowedBackends.includes('cpu')
    const fits = cpuAllowed && mem.totalBytes + mem.hostBytes <= host
    return {
      mem,
      plan: {
        placement: {
          kind: 'cpu-only',
          gpuCount: 0,
          gpuFraction: 0,
          description:
            machine.gpus.length === 0
              ? 'no GPU: training would run on the CPU'
              : `no GPU with a backend ${profile.runtime.runtime} supports (${profile.runtime.allowedBackends.join(', ')})`
        },
        fits,
        availableBytes: host,
        requiredBytes: mem.totalBytes,
        hostRequiredBytes: mem.hostBytes,
        gpus: [],
        devices: [cpuShare(machine, 1)],
        shortfall: fits
          ? null
          : cpuAllowed
            ? `needs ${fmtGB(mem.totalBytes)} of RAM`
            : `training with ${profile.runtime.runtime} needs a GPU (${profile.runtime.allowedBackends.join(', ')})`
      }
    }
  }
  const n = gpus.length
  const mem = memFor(n)
  const cap = Math.min(...gpus.map(usableGpuBytes))
  // A paged optimizer (bitsandbytes) spills its states to host RAM when the GPU is short.
  const spill = Math.max(0, Math.min(mem.pageableBytes, mem.totalBytes - cap))
  const gpuNeed = mem.totalBytes - spill
  const hostNeed = mem.hostBytes + spill
  const hostOk = hostNeed <= host
  const fits = gpuNeed <= cap && hostOk
  const first = gpus[0]
  const shortfall = fits
    ? null
    : !hostOk
      ? `offload needs ${fmtGB(hostNeed)} of RAM, ${fmtGB(host)} usable`
      : `needs ${fmtGB(gpuNeed)} per GPU, ${fmtGB(cap)} usable`
  return {
    mem,
    plan: {
      placement: {
        kind: n > 1 ? 'multi-gpu-data' : first.unified ? 'unified' : 'single-gpu',
        gpuCount: n,
        gpuFraction: Math.min(1, cap / gpuNeed),
        description:
          (n > 1
            ? `data parallel over ${n} GPUs (${fmtGB(cap)} usable each)`
            : `one ${first.name} (${fmtGB(cap)} usable)`) +
          (spill > 0 ? `; paged optimizer keeps ${fmtGB(spill)} of states in system RAM` : '')
      },
      fits,
      availableBytes: cap,
      requiredBytes: gpuNeed,
      hostRequiredBytes: hostNeed,
      gpus,
      devices: gpus.map((g, i) => gpuShare(g, 1 / n, i)),
      shortfall
    }
  }
}
