/**
 * Constants behind the readiness math: bits per weight, KV bytes, decode efficiency η, MFU defaults.
 *
 * Every entry carries the source it came from, so a report can say where a number comes from. Measured
 * (calibrated) values replace these defaults where a caller has them.
 */
import type { MachineGpu } from '../shared/readiness'

/** A number with the source it came from. */
export interface Sourced {
  value: number
  source: string
}

const LLAMA_CPP_QUANT = 'llama.cpp tools/quantize/README.md (effective bpw, Llama-3.1-8B)'

/** One weight format: effective bits per weight, and whether embeddings/head stay 16-bit. */
export interface WeightFormat extends Sourced {
  /** bitsandbytes/AWQ/GPTQ keep embeddings and the LM head at 16 bits; GGUF bpw figures already include them. */
  keepsEmbeddings16: boolean
  /** Formats that an fp16 tensor path computes on directly (used for η: F16 vs quantised). */
  quantized: boolean
}

/** Effective bits per weight by format (keys upper-case). */
export const WEIGHT_FORMATS: Readonly<Record<string, WeightFormat>> = {
  F32: { value: 32, source: 'arithmetic (4 bytes)', keepsEmbeddings16: false, quantized: false },
  FP32: { value: 32, source: 'arithmetic (4 bytes)', keepsEmbeddings16: false, quantized: false },
  F16: { value: 16, source: LLAMA_CPP_QUANT, keepsEmbeddings16: false, quantized: false },
  FP16: { value: 16, source: LLAMA_CPP_QUANT, keepsEmbeddings16: false, quantized: false },
  BF16: { value: 16, source: LLAMA_CPP_QUANT, keepsEmbeddings16: false, quantized: false },
  FP8: {
    value: 8,
    source: 'arithmetic (1 byte, per-tensor scale)',
    keepsEmbeddings16: true,
    quantized: true
  },
  INT8: {
    value: 8,
    source: 'arithmetic (1 byte; bitsandbytes LLM.int8 keeps embeddings 16-bit)',
    keepsEmbeddings16: true,
    quantized: true
  },
  Q8_0: { value: 8.5, source: LLAMA_CPP_QUANT, keepsEmbeddings16: false, quantized: true },
  Q6_K: { value: 6.56, source: LLAMA_CPP_QUANT, keepsEmbeddings16: false, quantized: true },
  Q5_K_M: { value: 5.7, source: LLAMA_CPP_QUANT, keepsEmbeddings16: false, quantized: true },
  Q4_K_M: { value: 4.89, source: LLAMA_CPP_QUANT, keepsEmbeddings16: false, quantized: true },
  Q4_K_S: { value: 4.67, source: LLAMA_CPP_QUANT, keepsEmbeddings16: false, quantized: true },
  Q4_0: {
    value: 4.5,
    source: 'ggml block layout: 32 × 4-bit + one fp16 scale = 4.5 bpw',
    keepsEmbeddings16: false,
    quantized: true
  },
  IQ4_XS: { value: 4.46, source: LLAMA_CPP_QUANT, keepsEmbeddings16: false, quantized: true },
  Q3_K_M: {
    value: 4.0,
    source: `${LLAMA_CPP_QUANT}; 3.74 GiB for 8.03 B params = 4.00 bpw (checked)`,
    keepsEmbeddings16: false,
    quantized: true
  },
  Q2_K: { value: 3.16, source: LLAMA_CPP_QUANT, keepsEmbeddings16: false, quantized: true },
  NF4: {
    value: 4.127,
    source: 'QLoRA arXiv:2305.14314 (4-bit NF4 + 0.127 bits of double-quantised constants)',
    keepsEmbeddings16: true,
    quantized: true
  },
  AWQ4: {
    value: 4.25,
    source: 'AWQ arXiv:2306.00978 (4-bit, one fp16 scale per 128-group ≈ +0.25 bpw; derived)',
    keepsEmbeddings16: true,
    quantized: true
  },
  GPTQ4: {
    value: 4.25,
    source: 'GPTQ arXiv:2210.17323 (4-bit, group 128 scales ≈ +0.25 bpw; derived)',
    keepsEmbeddings16: true,
    quantized: true
  },
  'MLX-4BIT': {
    value: 4.5,
    source: 'MLX 4-bit, group 64 fp16 scale+bias = 4.5 bpw (derived)',
    keepsEmbeddings16: false,
    quantized: true
  }
}

/** Looks a weight format up by name, case-insensitively (`q4_k_m`, `Q4_K_M`, `bf16`). */
export function weightFormat(name: string): WeightFormat | null {
  return WEIGHT_FORMATS[name.trim().toUpperCase()] ?? null
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

const XIONGJIE = 'XiongjieDai/GPU-Benchmarks-on-LLM-Inference llama.cpp tg512 vs spec bandwidth'

/** Decode efficiency η (achieved ÷ spec memory bandwidth), by backend and weight precision. */
export const DECODE_EFFICIENCY: Readonly<
  Record<MachineGpu['backend'], { quantized: Sourced; f16: Sourced }>
> = {
  cuda: {
    quantized: { value: 0.62, source: `${XIONGJIE}: RTX 4090 0.64, RTX 3090 0.61 (Q4_K_M)` },
    f16: { value: 0.85, source: `${XIONGJIE}: RTX 4090 0.87, RTX 3090 0.81 (F16)` }
  },
  metal: {
    quantized: { value: 0.46, source: `${XIONGJIE}: M1 Max 0.44, M2 Ultra 0.48 (Q4_K_M)` },
    f16: { value: 0.75, source: `${XIONGJIE}: M1 Max 0.75 (F16)` }
  },
  rocm: {
    quantized: { value: 0.5, source: 'readiness reference §6.2 default (unverified for ROCm)' },
    f16: { value: 0.5, source: 'readiness reference §6.2 default (unverified for ROCm)' }
  },
  vulkan: {
    quantized: { value: 0.5, source: 'readiness reference §6.2 default (unverified for Vulkan)' },
    f16: { value: 0.5, source: 'readiness reference §6.2 default (unverified for Vulkan)' }
  },
  sycl: {
    quantized: { value: 0.45, source: 'assumed below Vulkan (no published η; unverified)' },
    f16: { value: 0.45, source: 'assumed below Vulkan (no published η; unverified)' }
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

/** η for a backend and weight format. */
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

/** Prefill MFU by backend (reference §6.2: 0.45 CUDA, 0.25 Apple; others assumed). */
export const PREFILL_MFU: Readonly<Record<MachineGpu['backend'], Sourced>> = {
  cuda: {
    value: 0.45,
    source: 'readiness reference §6.2 (RTX 4090 8B F16 pp512 9382 t/s ≈ 150 TFLOPS effective)'
  },
  rocm: { value: 0.35, source: 'assumed (no published figure)' },
  metal: { value: 0.25, source: 'readiness reference §6.2 (M2 Ultra 8B Q4_K_M pp512 994 t/s)' },
  vulkan: { value: 0.3, source: 'assumed (no published figure)' },
  sycl: { value: 0.3, source: 'assumed (no published figure)' },
  cpu: { value: 0.5, source: 'assumed: llama.cpp prompt processing scales with cores (issue #34)' }
}

/** Optimizer state bytes per trainable parameter (beyond the working weights and gradients). */
export const OPTIMIZER_BYTES: Readonly<
  Record<'adamw' | 'adamw8bit' | 'sgd' | 'adafactor', { withMaster: Sourced; statesOnly: Sourced }>
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
