/**
 * Mixture-of-experts arithmetic: total parameters for memory, active parameters for the bytes a token reads,
 * and expert offload to the CPU as llama.cpp's `--n-cpu-moe N` does (the routed-expert tensors of N layers live
 * in system RAM; attention, norms, router and shared experts stay on the GPU).
 *
 * With exact bytes from a model file (GGUF tensor table) the split is exact; for catalogue models it is derived
 * from the config: routed expert params = MoE layers × experts × 3 × hidden × expert FFN (gate, up, down).
 */
import type { WorkloadProfile } from '../shared/readiness'

type Model = WorkloadProfile['model']

/** True for a mixture-of-experts model. */
export function isMoe(m: Model): boolean {
  return (m.nExperts ?? 0) > 1 && (m.nExpertsActive ?? 0) > 0
}

/** MoE layers (layers whose FFN is routed). */
export function moeLayers(m: Model): number {
  return m.nMoeLayers ?? m.nLayers
}

/** Routed-expert parameters (all experts, all MoE layers), from the config. */
export function routedExpertParams(m: Model): number {
  if (!isMoe(m)) return 0
  const ffn = m.expertFfnHidden ?? m.ffnHidden ?? 4 * m.hidden
  return moeLayers(m) * (m.nExperts ?? 0) * 3 * m.hidden * ffn
}

/** Bytes split of a model's weights in one format. */
export interface MoeBytes {
  /** All weight bytes (memory). */
  totalBytes: number
  /** Routed-expert bytes (subset of total). */
  expertBytes: number
  /** Bytes one token reads (non-expert tensors + the active share of experts). */
  activeBytes: number
  /** Routed-expert bytes one token reads (experts used ÷ experts, over all MoE layers). */
  activeExpertBytes: number
}

function activeShare(m: Model): number {
  return isMoe(m) ? (m.nExpertsActive ?? 0) / (m.nExperts ?? 1) : 0
}

/**
 * The byte split for a model whose weights take `totalBytes` in the chosen format. Exact when the model
 * carries bytes from its file; otherwise experts take their parameter share of the bytes and a token reads
 * `paramsActive / paramsTotal` of them.
 */
export function moeBytes(m: Model, totalBytes: number, exact: boolean): MoeBytes {
  if (exact && m.activeWeightBytesExact !== undefined) {
    const expertBytes = m.expertWeightBytesExact ?? 0
    return {
      totalBytes,
      expertBytes,
      activeBytes: m.activeWeightBytesExact,
      activeExpertBytes: expertBytes * activeShare(m)
    }
  }
  const P = m.paramsTotalB * 1e9
  const bytesPerParam = totalBytes / P
  const expertBytes = Math.min(P, routedExpertParams(m)) * bytesPerParam
  return {
    totalBytes,
    expertBytes,
    activeBytes: m.paramsActiveB * 1e9 * bytesPerParam,
    activeExpertBytes: expertBytes * activeShare(m)
  }
}

/** Expert-offload plan: how many MoE layers keep their experts in system RAM. */
export interface ExpertOffload {
  cpuMoeLayers: number
  /** Weight bytes that stay in GPU memory. */
  gpuBytes: number
  /** Weight bytes held in system RAM. */
  cpuBytes: number
  /** Bytes one token reads from GPU memory and from RAM. */
  gpuReadBytes: number
  cpuReadBytes: number
}

/**
 * The fewest `--n-cpu-moe` layers that make the GPU part fit in `gpuRoomBytes` (weights only), or null
 * when even all experts on the CPU leave too much on the GPU.
 */
export function planExpertOffload(
  m: Model,
  b: MoeBytes,
  gpuRoomBytes: number
): ExpertOffload | null {
  const layers = moeLayers(m)
  if (!isMoe(m) || b.expertBytes <= 0 || layers <= 0) return null
  const perLayer = b.expertBytes / layers
  const activePerLayer = b.activeExpertBytes / layers
  for (let n = 1; n <= layers; n++) {
    const gpuBytes = b.totalBytes - n * perLayer
    if (gpuBytes <= gpuRoomBytes)
      return {
        cpuMoeLayers: n,
        gpuBytes,
        cpuBytes: n * perLayer,
        gpuReadBytes: b.activeBytes - n * activePerLayer,
        cpuReadBytes: n * activePerLayer
      }
  }
  return null
}
