/**
 * Constants behind the readiness math: bits per weight, KV bytes, decode efficiency η, MFU defaults.
 *
 * Every entry carries the source it came from, so a report can say where a number comes from. Measured
 * (calibrated) values replace these defaults where a caller has them.
 */
import type { MachineGpu } from '../shared/readiness'
import { WEIGHT_FORMAT_TABLE, findWeightFormat } from './quant-types'

/** A number with the source it came from. */
export interface Sourced {
  value: number
  source: string
}

/** One weight format: effective bits per weight, and whether embeddings/head stay 16-bit. */
export interface WeightFormat extends Sourced {
  /** bitsandbytes/AWQ/GPTQ keep embeddings and the LM head at 16 bits; GGUF bpw figures already include them. */
  keepsEmbeddings16: boolean
  /** Formats that an fp16 tensor path computes on directly (used for η: F16 vs quantised). */
  quantized: boolean
}

/** Effective bits per weight by format (keys upper-case), built from the weight-format table in quant-types. */
export const WEIGHT_FORMATS: Readonly<Record<string, WeightFormat>> = Object.fromEntries(
  WEIGHT_FORMAT_TABLE.map((f) => [
    f.name,
    {
      value: f.bitsPerWeight,
      source: f.source,
      keepsEmbeddings16: f.keepsEmbeddings16,
      quantized: f.quantized
    }
  ])
)

/** Looks a weight format up by name, case-insensitively (`q4_k_m`, `Q4_K_M`, `bf16`, `fp16`). */
export function weightFormat(name: string): WeightFormat | null {
  const f = findWeightFormat(name)
  return f === null ? null : (WEIGHT_FORMATS[f.name] ?? null)
}

/** Bytes per KV-cache element by dtype (ollama `fs/ggml/ggml.go` GraphSize; llmfit `models.rs`). */
export const KV_BYTES: Readonly<Record<'f16' | 'q8_0' | 'q4_0' | 'fp8', Sourced>> = {
  f16: { value: 2, source: 'ollama fs/ggml GraphSize: f16 KV = 2 bytes/element' },
  q8_0: {
    value: 1,
    source:
      'ollama fs/ggml GraphSize: q8_0 KV = 1 byte/element (ggml block is 8.5 bits; ollama rounds to 1)'
  },
  q4_0: { value: 0.5, source: 'ollama fs/ggml GraphSize: q4_0 KV = 0.5 bytes/element' },
  fp8: { value: 1, source: 'arithmetic (vLLM fp8 KV cache, 1 byte/element)' }
}

const XIONGJIE =
  'XiongjieDai/GPU-Benchmarks-on-LLM-Inference README (llama.cpp, Llama 3 8B/70B Q4_K_M and F16, tg512/tg1024)'

const VK_AMD =
  'llama.cpp Vulkan, fitted with 1.5 ms + 0.04 ms/layer overhead: RX 5700 XT (RADV) llama 7B Q4_0 3.56 GiB tg128 65.19 t/s (ggml-org/llama.cpp PR #13324, 2025-05) → η 0.68; RX 9070 XT (AMD driver, KHR_coopmat) Qwen2 14B Q4_0 7.95 GiB tg128 58.90 t/s (PR #13326, 2025-05) → η 0.98 → 0.8'

/** Decode efficiency η for one memory class: quantised and f16 weights. */
export interface EfficiencyRow {
  quantized: Sourced
  f16: Sourced
}

/**
 * Decode efficiency η (achieved ÷ spec memory bandwidth), by backend and memory class, fitted together with
 * PER_TOKEN_OVERHEAD so that time per token = overhead + bytes ÷ (η × bandwidth) reproduces the measured
 * tokens/s of both a small (8B) and a large (70B) model on the same device.
 */
export const DECODE_EFFICIENCY: Readonly<Record<MachineGpu['backend'], EfficiencyRow>> = {
  cuda: {
    quantized: {
      value: 0.8,
      source: `${XIONGJIE}: 70B Q4_K_M on 2× RTX 4090 19.22, RTX A6000 14.58, RTX 6000 Ada 18.36 t/s → η 0.80 (GDDR)`
    },
    f16: {
      value: 0.95,
      source: `${XIONGJIE}: 8B F16 RTX 4090 54.84, RTX 3090 47.40 t/s with 1.8 ms/token overhead → η 0.95 (GDDR)`
    }
  },
  metal: {
    quantized: {
      value: 0.66,
      source: `${XIONGJIE}: M2 Ultra 70B Q4_K_M 12.48 t/s → η 0.66 (M1 0.50, M3/M4 0.78: see APPLE_DECODE_EFFICIENCY)`
    },
    f16: { value: 0.83, source: `${XIONGJIE}: M2 Ultra 8B F16 36.90 t/s → η 0.83` }
  },
  rocm: {
    quantized: {
      value: 0.75,
      source:
        'ggml-org/llama.cpp PR #5835 (2024-03): RX 6700 XT ROCm 6.0 Mistral 7B Q4_0 3.83 GiB tg128 58.97 t/s with 1.5 ms + 0.04 ms/layer overhead → η 0.75 of 384 GB/s'
    },
    f16: { value: 0.75, source: 'assumed equal to quantised (llama.cpp PR #5835)' }
  },
  vulkan: {
    quantized: {
      value: 0.8,
      source: `${VK_AMD}; default for Vulkan on other vendors`
    },
    f16: { value: 0.8, source: `assumed equal to quantised (${VK_AMD})` }
  },
  sycl: {
    quantized: {
      value: 0.83,
      source:
        'intel/ipex-llm #12991: Arc B580 SYCL (IPEX-LLM llama.cpp) DeepSeek-R1-Distill-Qwen-7B Q4_K_M (4.36 GiB) tg128 66.48 t/s with 1.5 ms + 0.04 ms/layer overhead → η 0.83 of 456 GB/s'
    },
    f16: { value: 0.83, source: 'assumed equal to quantised (ipex-llm #12991)' }
  },
  cpu: {
    quantized: {
      value: 0.6,
      source:
        'readiness reference §6.2: CPU 0.6 of theoretical DDR bandwidth (llama.cpp issue #34 scaling)'
    },
    f16: { value: 0.6, source: 'readiness reference §6.2: CPU 0.6 of theoretical DDR bandwidth' }
  }
}

/** CUDA on HBM datacenter cards: llama.cpp reaches a smaller share of HBM bandwidth than of GDDR. */
export const CUDA_HBM_DECODE_EFFICIENCY: EfficiencyRow = {
  quantized: {
    value: 0.53,
    source: `${XIONGJIE}: H100 PCIe 70B Q4_K_M 25.01 and A100 PCIe 22.11 t/s → η 0.53 of HBM bandwidth`
  },
  f16: {
    value: 0.62,
    source: `${XIONGJIE}: H100 PCIe 8B F16 67.79 t/s with 1.8 ms/token overhead → η 0.62`
  }
}

/**
 * Vulkan on Intel Arc: Alchemist (Xe-HPG) reaches a small share of its bandwidth (cooperative-matrix paths are
 * disabled on it: llama.cpp PR #24404); Battlemage (Xe2) about what SYCL reaches.
 */
export const VULKAN_ARC_DECODE_EFFICIENCY: Readonly<Record<'alchemist' | 'battlemage', Sourced>> = {
  alchemist: {
    value: 0.35,
    source:
      'llama.cpp Vulkan on Arc A770 (560 GB/s), 1.5 ms + 0.04 ms/layer overhead: gemma2 2B Q4_K_M 1.59 GiB tg128 96.83 t/s (Windows, PR #14001, 2025-06) → η 0.39; Llama 3 8B Q4_K_M 4.58 GiB tg128 24.99 t/s (Mesa 24.0, PR #10597, 2024-12) → η 0.24'
  },
  battlemage: {
    value: 0.83,
    source:
      'intel/ipex-llm #12991: Arc B580 llama.cpp Vulkan faster than SYCL, whose DeepSeek-R1-Distill-Qwen-7B Q4_K_M tg128 66.48 t/s gives η 0.83 at 1.5 ms + 0.04 ms/layer (a lower bound)'
  }
}

/** Apple GPU generations differ: the M1 GPU cannot use its full bandwidth (one llama.cpp Metal path). */
export const APPLE_DECODE_EFFICIENCY: Readonly<Record<'M1' | 'M2' | 'M3' | 'M4', EfficiencyRow>> = {
  M1: {
    quantized: {
      value: 0.5,
      source: `${XIONGJIE}: M1 Max 32c 8B Q4_K_M 35.73, 70B 4.34 t/s → η 0.50`
    },
    f16: { value: 0.8, source: `${XIONGJIE}: M1 Max 8B F16 18.75 t/s → η 0.80` }
  },
  M2: {
    quantized: {
      value: 0.66,
      source: `${XIONGJIE}: M2 Ultra 76c 8B Q4_K_M 78.81, 70B 12.48 t/s → η 0.66`
    },
    f16: { value: 0.83, source: `${XIONGJIE}: M2 Ultra 8B F16 36.90 t/s → η 0.83` }
  },
  M3: {
    quantized: {
      value: 0.78,
      source: `${XIONGJIE}: M3 Max 40c 8B Q4_K_M 48.97, 70B 7.65 t/s → η 0.78`
    },
    f16: { value: 0.94, source: `${XIONGJIE}: M3 Max 8B F16 22.04 t/s → η 0.94` }
  },
  M4: {
    quantized: {
      value: 0.78,
      source:
        'ggml-org/llama.cpp discussion #4167 (Apple silicon table): M4 Max 40c 7B Q4_0 tg128 83.06 t/s → η 0.78 with 3 ms overhead'
    },
    f16: { value: 0.94, source: 'assumed equal to M3 (no F16 row retrieved)' }
  }
}

/**
 * Fixed time per generated token (kernel launches, synchronisation), in ms: a base, a cost per layer, an
 * extra cost per MoE layer (router, top-k, expert matmuls) and per extra GPU in a layer split. This is why a
 * 1B model on an H100 does not run at bandwidth ÷ 0.7 GB.
 */
export const PER_TOKEN_OVERHEAD: Readonly<
  Record<
    MachineGpu['backend'],
    {
      baseMs: number
      perLayerMs: number
      perMoeLayerMs: number
      perExtraGpuMs: number
      source: string
    }
  >
> = {
  cuda: {
    baseMs: 1.0,
    perLayerMs: 0.025,
    perMoeLayerMs: 0,
    perExtraGpuMs: 0.3,
    source: `${XIONGJIE}: 8B Q4_K_M RTX 4090 130.58 vs 70B on 2× 4090 19.22 t/s → 1.8 ms at 32 layers; 2× 4090 8B 124.65 → +0.3 ms per extra GPU; gpt-oss-20b on RTX 4090 ≈ 225 t/s needs no MoE term`
  },
  metal: {
    baseMs: 1.0,
    perLayerMs: 0.06,
    perMoeLayerMs: 0.12,
    perExtraGpuMs: 0,
    source: `${XIONGJIE}: Apple 8B vs 70B Q4_K_M → 2.9 ms at 32 layers; MoE term from Qwen3-30B-A3B Q4_K_M on M1 Max tg128 51.03 t/s (llama.cpp 27aef3d, ferrum-infer-rs M1 Max status notes 2026-04-30)`
  },
  rocm: {
    baseMs: 1.5,
    perLayerMs: 0.04,
    perMoeLayerMs: 0.05,
    perExtraGpuMs: 0.3,
    source: 'assumed (CUDA-like launch costs, higher; unverified)'
  },
  vulkan: {
    baseMs: 1.5,
    perLayerMs: 0.04,
    perMoeLayerMs: 0.05,
    perExtraGpuMs: 0.3,
    source:
      'assumed (CUDA-like launch costs, higher); Vulkan η values are fitted together with it (VK_AMD, Arc rows)'
  },
  sycl: {
    baseMs: 1.5,
    perLayerMs: 0.04,
    perMoeLayerMs: 0.05,
    perExtraGpuMs: 0.3,
    source: 'assumed equal to Vulkan; SYCL η fitted with it (ipex-llm #12991)'
  },
  cpu: {
    baseMs: 0.5,
    perLayerMs: 0.01,
    perMoeLayerMs: 0,
    perExtraGpuMs: 0,
    source: 'assumed (thread synchronisation per layer; unverified)'
  }
}

/** η for a backend and weight format (default memory class; see CUDA_HBM/APPLE tables for per-GPU rows). */
export function decodeEfficiency(backend: MachineGpu['backend'], format: string): Sourced {
  const wf = weightFormat(format)
  const row = DECODE_EFFICIENCY[backend]
  return wf !== null && !wf.quantized ? row.f16 : row.quantized
}

/** Training MFU defaults (achieved ÷ peak dense bf16/fp16 tensor FLOPS). */
export const TRAINING_MFU: Readonly<Record<'consumer' | 'datacenter' | 'qlora', Sourced>> = {
  consumer: {
    value: 0.35,
    source:
      'readiness reference §6.2 default; PaLM arXiv:2204.02311 MFU table 21–46% (unverified for consumer cards)'
  },
  datacenter: {
    value: 0.4,
    source: 'readiness reference §6.2 default; Llama 3 paper 38–43% bf16 MFU on H100 (unverified)'
  },
  qlora: {
    value: 0.25,
    source: 'readiness reference §6.2 default (NF4 dequantisation overhead; unverified)'
  }
}

const XIONGJIE_PP = 'XiongjieDai/GPU-Benchmarks-on-LLM-Inference README, pp512'

/**
 * Prefill MFU by backend: achieved prompt FLOPs (2 × active params per token) ÷ peak dense tensor TFLOPS
 * (fp32 TFLOPS on Apple, which publishes no matrix peak). Quantised weights: llama.cpp dequantises in the
 * matmul, so its share of the tensor peak is lower than with F16.
 */
export const PREFILL_MFU: Readonly<Record<MachineGpu['backend'], Sourced>> = {
  cuda: {
    value: 0.7,
    source: `${XIONGJIE_PP}: RTX 4090 8B Q4_K_M 7139 t/s = 115 TFLOPS of 165 (F16 9382 t/s = 0.91)`
  },
  rocm: { value: 0.35, source: 'assumed (no published figure)' },
  metal: {
    value: 0.63,
    source: `${XIONGJIE_PP}: M1 Max 8B Q4_K_M 408 t/s = 6.6 of 10.4 fp32 TFLOPS; M2 Ultra 994 t/s = 0.59; M3 Max 693 t/s = 0.78`
  },
  vulkan: {
    value: 0.3,
    source:
      'llama.cpp Vulkan RX 9070 XT (KHR_coopmat) Qwen2 14B Q4_0 pp512 1984 t/s = 58.6 of 194.7 FP16 matrix TFLOPS (PR #13326)'
  },
  sycl: {
    value: 0.31,
    source:
      'intel/ipex-llm #12991: Arc B580 SYCL Qwen2 7B Q4_K_M pp512 2336 t/s = 35.6 of 116.5 XMX FP16 TFLOPS'
  },
  cpu: { value: 0.5, source: 'assumed: llama.cpp prompt processing scales with cores (issue #34)' }
}

/** Prefill MFU on HBM datacenter cards (llama.cpp's ubatch 512 leaves most of an H100 idle). */
export const CUDA_HBM_PREFILL_MFU: Sourced = {
  value: 0.15,
  source: `${XIONGJIE_PP} (LLaMA 2 7B q4_0): H100 PCIe 4869 t/s = 66 of 756 TFLOPS (0.09), A100 3444 t/s = 0.15; F16 0.13–0.22`
}

/** F16 prefill on consumer CUDA reaches more of the tensor peak than quantised weights. */
export const CUDA_F16_PREFILL_MFU: Sourced = {
  value: 0.9,
  source: `${XIONGJIE_PP}: RTX 4090 8B F16 9382 t/s = 151 of 165 TFLOPS; RTX 3090 4445 t/s = 0.91`
}

/**
 * Vulkan prompt processing where llama.cpp uses no matrix units: AMD RDNA1/2 (share of the FP32 peak, the only
 * peak those cards have) and Intel Alchemist (share of the XMX peak it does not use).
 */
export const VULKAN_PREFILL_MFU: Readonly<Record<'amdNoMatrix' | 'alchemist', Sourced>> = {
  amdNoMatrix: {
    value: 0.5,
    source:
      'llama.cpp Vulkan pp512: RX 5700 XT llama 7B Q4_0 468 t/s = 6.3 of 9.75 FP32 TFLOPS (PR #13324) = 0.65; RX 6800 XT 13B Q6_K 374 t/s = 9.7 of 20.7 (PR #2059, 2024-01) = 0.47'
  },
  alchemist: {
    value: 0.037,
    source:
      'llama.cpp Vulkan Arc A770 gemma2 2B Q4_K_M pp512 977.81 t/s = 5.1 of 137.6 XMX TFLOPS (PR #14001; cooperative matrix off on Xe-HPG, PR #24404)'
  }
}

/** MoE prompt processing: expert matmuls are small and scattered (mul_mat_id). */
export const MOE_PREFILL_FACTOR: Sourced = {
  value: 0.6,
  source:
    'Qwen3-30B-A3B Q4_K_M on M1 Max pp512 618.64 t/s (llama.cpp 27aef3d) = 0.40 of fp32 peak vs 0.63 dense'
}

/** Optimizer state bytes per trainable parameter (beyond the working weights and gradients). */
export const OPTIMIZER_BYTES: Readonly<
  Record<
    'adamw' | 'adamw8bit' | 'paged-adamw8bit' | 'sgd' | 'adafactor',
    { withMaster: Sourced; statesOnly: Sourced }
  >
> = {
  adamw: {
    withMaster: { value: 12, source: 'ZeRO arXiv:1910.02054: fp32 master + m + v = 12 B/param' },
    statesOnly: { value: 8, source: 'fp32 m + v = 8 B/param (HF model_memory_anatomy)' }
  },
  adamw8bit: {
    withMaster: {
      value: 6,
      source: 'fp32 master 4 + 8-bit m, v 2 B/param (HF model_memory_anatomy)'
    },
    statesOnly: { value: 2, source: 'bitsandbytes 8-bit m + v = 2 B/param' }
  },
  'paged-adamw8bit': {
    withMaster: {
      value: 6,
      source:
        'fp32 master 4 + 8-bit m, v 2 B/param; paged (bitsandbytes PagedAdamW8bit spills states to host RAM under pressure)'
    },
    statesOnly: {
      value: 2,
      source: 'bitsandbytes PagedAdamW8bit: 8-bit m + v = 2 B/param, in unified (pageable) memory'
    }
  },
  sgd: {
    withMaster: {
      value: 8,
      source: 'fp32 master 4 + momentum 4 B/param (HF model_memory_anatomy)'
    },
    statesOnly: { value: 4, source: 'fp32 momentum 4 B/param' }
  },
  adafactor: {
    withMaster: {
      value: 4.1,
      source:
        'fp32 master 4 + factored second moment ≈ 0.1 B/param (Adafactor arXiv:1804.04235, derived)'
    },
    statesOnly: { value: 0.1, source: 'factored second moment, row+column vectors (derived)' }
  }
}

/** Fixed memory reserves. */
export const RESERVES = {
  gpuRuntimeInferenceBytes: {
    value: 512 * 2 ** 20,
    source: 'Ollama minimum reserve 457 MiB CUDA/ROCm, 512 MiB Metal'
  },
  gpuRuntimeTrainingBytes: {
    value: 2 ** 30,
    source: 'CUDA context + kernels ≈ 1.3 GB on V100 (HF model_memory_anatomy); 1 GiB used'
  },
  gpuUsableMarginFraction: {
    value: 0.05,
    source: 'readiness reference §6.2: usable = total − max(1 GiB, 5%)'
  },
  gpuUsableMarginMinBytes: {
    value: 2 ** 30,
    source: 'llama.cpp --fit-target default 1024 MiB per device'
  },
  hostReserveBytes: {
    value: 4 * 2 ** 30,
    source: 'readiness reference §6.2: CPU usable = RAM − 4 GB (OS and apps)'
  },
  unifiedGpuShare: {
    value: 0.75,
    source: 'Metal recommendedMaxWorkingSetSize ≈ 70–78% of RAM (XiongjieDai; gpustack #1375 "75%")'
  },
  llamaCppUbatch: { value: 512, source: 'llama.cpp default n_ubatch = 512 (compute buffer sizing)' }
} as const

/** Platform maturity by backend (reference §6.2 proposal). */
export const PLATFORM_MATURITY: Readonly<Record<MachineGpu['backend'], number>> = {
  cuda: 100,
  metal: 85,
  rocm: 80,
  vulkan: 65,
  sycl: 55,
  cpu: 50
}

/** A typical host memory bandwidth when none was measured: dual-channel DDR4-3200. */
export const DEFAULT_RAM_BANDWIDTH: Sourced = {
  value: 51.2,
  source: 'assumed dual-channel DDR4-3200 (2 × 25.6 GB/s); measure or describe for better estimates'
}

/** CPU peak FLOPS assumptions (fp32 FMA lanes per core per cycle), for CPU prefill and CPU-only estimates. */
export const CPU_FLOPS_PER_CYCLE: Readonly<
  Record<'avx512' | 'avx2' | 'neon' | 'baseline', number>
> = {
  avx512: 64,
  avx2: 32,
  neon: 16,
  baseline: 8
}

/** Assumed sustained all-core clock when none is known (GHz). */
export const DEFAULT_CPU_GHZ = 3.0
