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
import type { DeviceShare } from './placement'
import type { Sourced } from './tables'
import {
  CPU_FLOPS_PER_CYCLE,
  DEFAULT_CPU_GHZ,
  DEFAULT_RAM_BANDWIDTH,
  PREFILL_MFU,
  TRAINING_MFU,
  decodeEfficiency
} from './tables'

/** A speed estimate with the efficiency used. */
export interface Estimate {
  value: Reading<number>
  efficiency: Sourced
  /** Inputs that were assumed rather than known (lower confidence). */
  assumed: Assumption[]
}

/**
 * Decode tokens/s for one stream over the devices holding the model.
 *
 * `bytesPerToken` = active weights + KV read per token. A CPU device with unknown RAM bandwidth falls back to
 * a documented default and says so in `assumed`.
 */
export function decodeTokensPerSec(
  devices: DeviceShare[],
  bytesPerToken: number,
  format: string
): Estimate {
  let seconds = 0
  const assumed: Assumption[] = []
  let eff: Sourced | null = null
  for (const d of devices) {
    if (d.fraction <= 0) continue
    const e = decodeEfficiency(d.backend, format)
    if (eff === null || d.kind === 'gpu') eff = e
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
    seconds += (d.fraction * bytesPerToken) / (e.value * bw * 1e9)
  }
  const efficiency = eff ?? decodeEfficiency('cpu', format)
  if (seconds <= 0)
    return { value: unavailable('unsupported', 'no device holds the model'), efficiency, assumed }
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
  return { value: ok(total), assumed: [] }
}

/** Prefill tokens/s = MFU × peak ÷ (2 × P_active). */
export function prefillTokensPerSec(
  peak: Reading<number>,
  paramsActiveB: number,
  backend: MachineGpu['backend']
): Estimate {
  const mfu = PREFILL_MFU[backend]
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
  datacenter: boolean
): Sourced {
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
