/**
 * Speed estimates: decode tokens/s from bandwidth, prefill and TTFT from compute, training hours from FLOPs.
 *
 * Decode (batch 1) is memory-bandwidth bound: tps = η × BW ÷ (W_active + KV_read); with layers on several
 * devices, per-token time = Σ bytes on each device ÷ (η × its bandwidth) (readiness reference §2.6).
 * Prefill: MFU × peak ÷ (2 × P_active). Training: hours = k × P × D ÷ (N × peak × MFU), k = 6 full fine-tune,
 * 4 adapters/frozen base, +2 with full recomputation (EleutherAI Transformer Math 101; reference §2.4).
 * Non-LLM families use the profile's forward GFLOPs per sample (×3 for training).
 */
import type {
  Assumption,
  MachineGpu,
  MachineModel,
  TrainingMethod,
  WorkloadProfile
} from '../shared/readiness'
import type { Reading } from '../shared/reading'
import { ok, unavailable } from '../shared/reading'
import { kvBytesReadPerToken } from './kv-cache'
import type { InferenceMemory } from './memory'
import { isMoe, moeLayers } from './moe'
import type { DeviceShare } from './placement'
import { recipeEfficiency } from './training-recipes'
import type { Sourced } from './tables'
import type { GpuSpec } from './gpu-specs'
import { GPU_SPECS, appleGenerationOf, memoryTypeOf } from './gpu-specs'
import { backendNote } from './backends'
import {
  APPLE_DECODE_EFFICIENCY,
  CPU_FLOPS_PER_CYCLE,
  CUDA_F16_PREFILL_MFU,
  CUDA_HBM_DECODE_EFFICIENCY,
  CUDA_HBM_PREFILL_MFU,
  DEFAULT_CPU_GHZ,
  DEFAULT_RAM_BANDWIDTH,
  KV_BYTES,
  MOE_PREFILL_FACTOR,
  PER_TOKEN_OVERHEAD,
  PREFILL_MFU,
  TRAINING_MFU,
  VULKAN_ARC_DECODE_EFFICIENCY,
  VULKAN_PREFILL_MFU,
  decodeEfficiency,
  weightFormat
} from './tables'

/** A speed estimate with the efficiency used. */
export interface Estimate {
  value: Reading<number>
  efficiency: Sourced
  /** Inputs that were assumed rather than known (lower confidence). */
  assumed: Assumption[]
}

/** Per-token shape of the model for the fixed-overhead term. */
export interface DecodeShape {
  nLayers: number
  /** MoE layers (0 for dense models). */
  nMoeLayers: number
}

/** Decode η for one GPU (memory class and Apple generation aware) or a backend default. */
export function decodeEfficiencyFor(
  backend: MachineGpu['backend'],
  format: string,
  gpu?: MachineGpu
): Sourced {
  const spec = gpu?.specKey ? GPU_SPECS.find((s) => s.key === gpu.specKey) : undefined
  const f16 = weightFormat(format)?.quantized === false
  if (spec && backend === 'cuda' && memoryTypeOf(spec) === 'hbm')
    return f16 ? CUDA_HBM_DECODE_EFFICIENCY.f16 : CUDA_HBM_DECODE_EFFICIENCY.quantized
  const gen = spec ? appleGenerationOf(spec) : null
  if (gen && backend === 'metal')
    return f16 ? APPLE_DECODE_EFFICIENCY[gen].f16 : APPLE_DECODE_EFFICIENCY[gen].quantized
  const arc = spec ? arcGenerationOf(spec) : null
  if (arc && backend === 'vulkan') return VULKAN_ARC_DECODE_EFFICIENCY[arc]
  return decodeEfficiency(backend, format)
}

/** Intel Arc generation of a spec row: Alchemist (Xe-HPG) or Battlemage (Xe2), else null. */
export function arcGenerationOf(spec: GpuSpec): 'alchemist' | 'battlemage' | null {
  if (spec.vendor !== 'intel') return null
  if (/xe2|battlemage/i.test(spec.arch)) return 'battlemage'
  return /xe-hpg|alchemist/i.test(spec.arch) ? 'alchemist' : null
}

/** Fixed per-token time (seconds) for the primary backend, the model's layers and the GPUs in a split. */
export function perTokenOverheadSeconds(
  backend: MachineGpu['backend'],
  shape: DecodeShape,
  gpuCount: number
): number {
  const o = PER_TOKEN_OVERHEAD[backend]
  const ms =
    o.baseMs +
    o.perLayerMs * shape.nLayers +
    o.perMoeLayerMs * shape.nMoeLayers +
    o.perExtraGpuMs * Math.max(0, gpuCount - 1)
  return ms / 1000
}

/**
 * Decode tokens/s for one stream over the devices holding the model.
 *
 * Time per token = fixed overhead (PER_TOKEN_OVERHEAD) + Σ over devices of the bytes it reads ÷ (η × its
 * bandwidth). `bytesPerToken` = active weights + KV read per token; a device with `bytesPerToken` of its own
 * (MoE experts in RAM) reads exactly that. A CPU device with unknown RAM bandwidth falls back to a documented
 * default and says so in `assumed`. `etaOverride` and `overheadMsOverride` replace the table (calibration).
 */
export function decodeTokensPerSec(
  devices: DeviceShare[],
  bytesPerToken: number,
  format: string,
  shape: DecodeShape = { nLayers: 0, nMoeLayers: 0 },
  opts: { etaOverride?: number; overheadMsOverride?: number } = {}
): Estimate {
  let seconds = 0
  const assumed: Assumption[] = []
  let eff: Sourced | null = null
  let primary: MachineGpu['backend'] = 'cpu'
  let gpuCount = 0
  for (const d of devices) {
    const bytes = d.bytesPerToken ?? d.fraction * bytesPerToken
    if (bytes <= 0 && d.fraction <= 0) continue
    const e: Sourced =
      opts.etaOverride !== undefined && d.kind === 'gpu'
        ? { value: opts.etaOverride, source: 'measured (calibration)' }
        : decodeEfficiencyFor(d.backend, format, d.gpu)
    if (d.kind === 'gpu') {
      gpuCount += 1
      if (eff === null || eff === undefined) {
        eff = e
        primary = d.backend
      }
    } else if (eff === null) eff = e
    let bw: number
    if (d.bandwidthGBps.status === 'ok') bw = d.bandwidthGBps.value
    else if (d.kind === 'cpu') {
      bw = DEFAULT_RAM_BANDWIDTH.value
      assumed.push({
        kind: 'assumed-value',
        text: `RAM bandwidth ${DEFAULT_RAM_BANDWIDTH.value} GB/s (${DEFAULT_RAM_BANDWIDTH.source})`
      })
    } else {
      return {
        value: unavailable(
          'unsupported',
          `memory bandwidth of ${d.label} unknown (not in the spec table)`
        ),
        efficiency: e,
        assumed
      }
    }
    seconds += bytes / (e.value * bw * 1e9)
  }
  const efficiency = eff ?? decodeEfficiency('cpu', format)
  if (seconds <= 0)
    return { value: unavailable('unsupported', 'no device holds the model'), efficiency, assumed }
  const overhead =
    opts.overheadMsOverride !== undefined
      ? opts.overheadMsOverride / 1000
      : perTokenOverheadSeconds(primary, shape, gpuCount)
  seconds += overhead
  if (shape.nLayers > 0)
    assumed.push({
      kind: 'default-efficiency',
      text: `fixed ${(overhead * 1000).toFixed(1)} ms per token (${PER_TOKEN_OVERHEAD[primary].source})`
    })
  return { value: ok(1 / seconds), efficiency, assumed }
}

/** Peak dense TFLOPS of a GPU for a compute dtype (tensor units where present, else fp32). */
export function gpuPeakTflops(gpu: MachineGpu): Reading<number> {
  if (gpu.tensorTflops.status === 'ok') return gpu.tensorTflops
  return gpu.fp32Tflops
}

/**
 * CPU peak fp32 TFLOPS: physical cores × clock × FMA lanes (AVX-512 64, AVX2 32, NEON 16 FLOP/cycle);
 * unavailable when the core count is unknown.
 */
export function cpuPeakTflops(machine: MachineModel): {
  value: Reading<number>
  assumed: Assumption[]
} {
  const cores = machine.cpu.physicalCores
  if (cores.status !== 'ok') return { value: cores, assumed: [] }
  const f = machine.cpu.flags.map((x) => x.toLowerCase())
  const isa = f.includes('avx512f')
    ? 'avx512'
    : f.includes('avx2')
      ? 'avx2'
      : f.includes('neon') || f.includes('asimd')
        ? 'neon'
        : 'baseline'
  const v = (Math.max(1, cores.value) * DEFAULT_CPU_GHZ * CPU_FLOPS_PER_CYCLE[isa]) / 1000
  return {
    value: ok(v),
    assumed: [
      {
        kind: 'assumed-value',
        text: `CPU peak ${v.toFixed(2)} TFLOPS = ${cores.value} cores × ${DEFAULT_CPU_GHZ} GHz (assumed) × ${CPU_FLOPS_PER_CYCLE[isa]} FLOP/cycle (${isa})`
      }
    ]
  }
}

/** Aggregate peak TFLOPS of the devices running a workload (sum over GPUs, or the CPU). */
export function peakTflops(
  machine: MachineModel,
  gpus: MachineGpu[]
): { value: Reading<number>; assumed: Assumption[] } {
  if (gpus.length === 0) return cpuPeakTflops(machine)
  let total = 0
  const notes: Assumption[] = backendNotes(gpus).map((text) => ({ kind: 'assumed-value', text }))
  for (const g of gpus) {
    const p = gpuPeakTflops(g)
    if (p.status !== 'ok')
      return {
        value: unavailable(
          'unsupported',
          `compute peak of ${g.name} unknown (not in the spec table)`
        ),
        assumed: []
      }
    total += p.value
  }
  return { value: ok(total), assumed: notes }
}

/** Why each AMD/Intel/other GPU runs on its llama.cpp backend (one line per distinct GPU). */
export function backendNotes(gpus: MachineGpu[]): string[] {
  const out: string[] = []
  for (const g of gpus) {
    const spec = g.specKey ? GPU_SPECS.find((s) => s.key === g.specKey) : undefined
    const note = backendNote(g, spec?.gfxTarget ?? null)
    if (note !== null && !out.includes(note)) out.push(note)
  }
  return out
}

/** Prefill MFU for the GPU running the prompt (HBM datacenter cards, F16, MoE aware). */
export function prefillMfuFor(
  backend: MachineGpu['backend'],
  opts: { gpu?: MachineGpu; format?: string; moe?: boolean } = {}
): Sourced {
  const spec = opts.gpu?.specKey ? GPU_SPECS.find((s) => s.key === opts.gpu!.specKey) : undefined
  let base: Sourced = PREFILL_MFU[backend]
  if (backend === 'vulkan' && spec && arcGenerationOf(spec) === 'alchemist')
    base = VULKAN_PREFILL_MFU.alchemist
  else if (backend === 'vulkan' && spec?.vendor === 'amd' && spec.tensorTflopsDense === null)
    base = VULKAN_PREFILL_MFU.amdNoMatrix
  else if (backend === 'cuda' && spec && memoryTypeOf(spec) === 'hbm') base = CUDA_HBM_PREFILL_MFU
  else if (backend === 'cuda' && opts.format && weightFormat(opts.format)?.quantized === false)
    base = CUDA_F16_PREFILL_MFU
  if (!opts.moe) return base
  return {
    value: base.value * MOE_PREFILL_FACTOR.value,
    source: `${base.source}; × ${MOE_PREFILL_FACTOR.value} for MoE (${MOE_PREFILL_FACTOR.source})`
  }
}

/** Prefill tokens/s = MFU × peak ÷ (2 × P_active). */
export function prefillTokensPerSec(
  peak: Reading<number>,
  paramsActiveB: number,
  backend: MachineGpu['backend'],
  opts: { gpu?: MachineGpu; format?: string; moe?: boolean } = {}
): Estimate {
  const mfu = prefillMfuFor(backend, opts)
  if (peak.status !== 'ok') return { value: peak, efficiency: mfu, assumed: [] }
  return {
    value: ok((mfu.value * peak.value * 1e12) / (2 * paramsActiveB * 1e9)),
    efficiency: mfu,
    assumed: []
  }
}

/** Training MFU default for the GPUs and method. */
export function trainingMfu(
  gpus: MachineGpu[],
  method: TrainingMethod,
  datacenter: boolean,
  recipe?: string
): Sourced {
  const r = gpus.length > 0 ? recipeEfficiency(recipe, method) : null
  if (r) return r
  if (method === 'qlora') return TRAINING_MFU.qlora
  if (gpus.length === 0)
    return { value: 0.3, source: 'assumed CPU training efficiency (unverified)' }
  return datacenter ? TRAINING_MFU.datacenter : TRAINING_MFU.consumer
}

/** Training FLOPs: k × P × D for LLMs (k = 6 full, 4 adapters/frozen, +2 with full recompute); 3 × forward × samples otherwise. */
export function trainingFlops(profile: WorkloadProfile): { flops: number; formula: string } | null {
  const t = profile.training
  if (!t) return null
  const recompute = t.gradCheckpointing === 'full' ? 2 : 0
  if (profile.family === 'llm') {
    const P = profile.model.paramsActiveB * 1e9
    const epochs = profile.shape.epochs ?? 1
    const D = (profile.shape.datasetTokens ?? 0) * epochs
    if (D <= 0) return null
    const k = (t.method === 'full' ? 6 : 4) + recompute
    return {
      flops: k * P * D,
      formula: `${k} × ${profile.model.paramsActiveB} B params × ${(D / 1e6).toFixed(0)} M tokens`
    }
  }
  const g = profile.model.gflopsPerSample
  const samples = (profile.shape.samplesPerEpoch ?? 0) * (profile.shape.epochs ?? 1)
  if (g === undefined || samples <= 0) return null
  const k = 3 + (recompute > 0 ? 1 : 0)
  return {
    flops: k * g * 1e9 * samples,
    formula: `${k} × ${g} GFLOPs forward × ${(samples / 1e6).toFixed(1)} M samples`
  }
}

/** Training hours = FLOPs ÷ (peak × MFU). */
export function trainHours(flops: number, peak: Reading<number>, mfu: Sourced): Reading<number> {
  if (peak.status !== 'ok') return peak
  return ok(flops / (peak.value * 1e12 * mfu.value) / 3600)
}

/** The overhead shape of a model: layers and MoE layers. */
export function decodeShape(m: WorkloadProfile['model']): DecodeShape {
  return { nLayers: m.nLayers, nMoeLayers: isMoe(m) ? moeLayers(m) : 0 }
}

/**
 * Bytes one generated token reads: the active weights (MoE: non-expert tensors + used experts; exact from the
 * model file when known) plus the KV cache at the average position of the generation (prompt + half the
 * generated tokens; sliding-window layers read at most their window).
 */
export function decodeBytesPerToken(
  profile: WorkloadProfile,
  mem: InferenceMemory,
  kvDtype: keyof typeof KV_BYTES
): number {
  const pos = (profile.shape.promptTokens ?? 0) + (profile.shape.genTokens ?? 0) / 2
  return mem.moe.activeBytes + kvBytesReadPerToken(profile.model, pos, KV_BYTES[kvDtype].value)
}
