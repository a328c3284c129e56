/**
 * Which llama.cpp backend runs a GPU, and why: CUDA for NVIDIA, Metal for Apple, ROCm (HIP) for AMD cards on
 * ROCm's support list when ROCm is not known to be missing, and Vulkan otherwise — an AMD card without ROCm
 * or with an unsupported gfx target, and Intel Arc — so such cards are used rather than ignored.
 *
 * Sources:
 * - ROCm support list (HIP SDK column, which llama.cpp's ROCm build needs): rocm.docs.amd.com
 *   install-on-windows docs-6.0.2 and docs-7.2 "System requirements" — gfx1100 (RX 7900 XTX/XT/GRE), gfx1101
 *   (RX 7800 XT, 7700 XT), gfx1102 (RX 7600), gfx1030 (RX 6800–6950 XT), gfx1200/gfx1201 (RX 9060/9070);
 *   gfx1031 (RX 6700/6750 XT) and gfx1032 (RX 6600–6650 XT) have the runtime but no HIP SDK. Instinct
 *   gfx908/gfx90a/gfx942/gfx950 from the Linux list. ROCm/ROCm#2353: gfx1031 unsupported, the unofficial
 *   workaround is HSA_OVERRIDE_GFX_VERSION=10.3.0.
 * - Intel Arc: llama.cpp's Vulkan backend generates faster than its SYCL backend on Arc — ggml-org/llama.cpp
 *   #19918 (A770, MoE models: TG 68 t/s Vulkan vs 10 t/s SYCL, 2026-02), #26010 (Arc, Gemma: ~20 vs ~7 t/s,
 *   2026-07); intel/ipex-llm #12991 (B580: llama.cpp Vulkan faster than the IPEX-LLM SYCL build).
 */
import type { MachineGpu } from '../shared/readiness'
import type { Reading } from '../shared/reading'
import type { GpuVendor } from '../shared/telemetry'

/** gfx targets llama.cpp's ROCm (HIP) build supports officially. */
export const ROCM_GFX_TARGETS: ReadonlySet<string> = new Set([
  'gfx908',
  'gfx90a',
  'gfx942',
  'gfx950',
  'gfx1030',
  'gfx1100',
  'gfx1101',
  'gfx1102',
  'gfx1200',
  'gfx1201'
])

/** Whether ROCm is installed: `present`/`absent` when a collector could tell, `unknown` otherwise. */
export type RocmPresence = 'present' | 'absent' | 'unknown'

/** ROCm presence from a GPU's runtime-version reading (AMD collectors fill it when ROCm answers). */
export function rocmPresence(
  vendor: GpuVendor,
  runtime: Reading<string> | undefined
): RocmPresence {
  if (vendor !== 'amd' || runtime === undefined) return 'unknown'
  if (runtime.status === 'ok') return 'present'
  return runtime.reason === 'tool-missing' ? 'absent' : 'unknown'
}

/** A backend and the reason it was chosen (shown in an evaluation's assumptions). */
export interface BackendChoice {
  backend: MachineGpu['backend']
  reason: string
}

const ROCM_SOURCE = 'ROCm system requirements, HIP SDK column'
const ARC_SOURCE =
  'llama.cpp #19918/#26010 and ipex-llm #12991: Vulkan generates faster than SYCL on Arc'

/** The llama.cpp backend for a GPU from its vendor, gfx target (AMD) and whether ROCm is installed. */
export function chooseBackend(input: {
  vendor: GpuVendor
  gfxTarget: string | null
  rocm: RocmPresence
}): BackendChoice {
  switch (input.vendor) {
    case 'nvidia':
      return { backend: 'cuda', reason: 'llama.cpp CUDA backend (NVIDIA driver)' }
    case 'apple':
      return { backend: 'metal', reason: 'llama.cpp Metal backend (Apple GPU)' }
    case 'intel':
      return {
        backend: 'vulkan',
        reason: `llama.cpp Vulkan backend (no oneAPI needed; ${ARC_SOURCE})`
      }
    case 'amd': {
      const gfx = input.gfxTarget?.toLowerCase() ?? null
      if (input.rocm === 'absent')
        return {
          backend: 'vulkan',
          reason: 'llama.cpp Vulkan backend: ROCm not found (Vulkan needs only the GPU driver)'
        }
      if (gfx !== null && !ROCM_GFX_TARGETS.has(gfx))
        return {
          backend: 'vulkan',
          reason: `llama.cpp Vulkan backend: ${gfx} is not on ROCm's support list (${ROCM_SOURCE}; HSA_OVERRIDE_GFX_VERSION is an unofficial workaround)`
        }
      if (gfx === null && input.rocm !== 'present')
        return {
          backend: 'vulkan',
          reason:
            'llama.cpp Vulkan backend: gfx target unknown and ROCm not detected (Vulkan runs on any AMD driver)'
        }
      return {
        backend: 'rocm',
        reason: `llama.cpp ROCm (HIP) backend: ${gfx ?? 'the card'} is on ROCm's support list${input.rocm === 'present' ? '' : ' (ROCm assumed installed; without it llama.cpp uses Vulkan)'}`
      }
    }
    default:
      // 'other' and vendors without a known stack: Vulkan compute is the portable fallback.
      return { backend: 'vulkan', reason: 'llama.cpp Vulkan backend (no vendor runtime known)' }
  }
}

/** Why a GPU of the evaluated machine runs on its backend, or null where it is the obvious one. */
export function backendNote(gpu: MachineGpu, gfxTarget: string | null): string | null {
  if (gpu.vendor === 'nvidia' || gpu.vendor === 'apple') return null
  const choice = chooseBackend({ vendor: gpu.vendor, gfxTarget, rocm: 'unknown' })
  if (choice.backend === gpu.backend) return `${gpu.name}: ${choice.reason}`
  // The machine chose otherwise (ROCm found missing): say which backend and why.
  return gpu.backend === 'vulkan' && gpu.vendor === 'amd'
    ? `${gpu.name}: llama.cpp Vulkan backend: ROCm not found (Vulkan needs only the GPU driver)`
    : `${gpu.name}: llama.cpp ${gpu.backend} backend`
}
