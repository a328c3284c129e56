/**
 * Weight storage types: every ggml tensor type (block size and bytes per block, so a GGUF tensor table gives
 * exact bytes), llama.cpp file quantisation labels (Q4_K_M, IQ4_XS, MXFP4_MOE…) with their effective bits per
 * weight, and the GPU-side formats people name (AWQ, GPTQ, FP8, NF4, MLX).
 *
 * Sources: ggml `ggml.c` type traits / `ggml-common.h` block structs (block sizes and bytes; restated, not
 * copied), cross-checked against the ggml type ids in the GGUF spec (ggml-org/ggml docs/gguf.md). Effective
 * bits per weight of the file-level labels come from llama.cpp `tools/quantize/README.md` where it lists them
 * (Llama-3.1-8B), else from the block layout of the dominant tensor type (marked "block layout").
 */

/** One ggml tensor type: `blockSize` weights stored in `blockBytes` bytes. */
export interface GgmlType {
  id: number
  name: string
  blockSize: number
  blockBytes: number
}

const QK_K = 256

/** ggml tensor types by id (removed ids 4, 5, 31–33, 36–38 are absent). */
export const GGML_TYPES: readonly GgmlType[] = [
  { id: 0, name: 'F32', blockSize: 1, blockBytes: 4 },
  { id: 1, name: 'F16', blockSize: 1, blockBytes: 2 },
  { id: 2, name: 'Q4_0', blockSize: 32, blockBytes: 2 + 16 },
  { id: 3, name: 'Q4_1', blockSize: 32, blockBytes: 2 + 2 + 16 },
  { id: 6, name: 'Q5_0', blockSize: 32, blockBytes: 2 + 4 + 16 },
  { id: 7, name: 'Q5_1', blockSize: 32, blockBytes: 2 + 2 + 4 + 16 },
  { id: 8, name: 'Q8_0', blockSize: 32, blockBytes: 2 + 32 },
  { id: 9, name: 'Q8_1', blockSize: 32, blockBytes: 4 + 4 + 32 },
  { id: 10, name: 'Q2_K', blockSize: QK_K, blockBytes: 2 + 2 + QK_K / 16 + QK_K / 4 },
  { id: 11, name: 'Q3_K', blockSize: QK_K, blockBytes: 2 + QK_K / 4 + QK_K / 8 + 12 },
  { id: 12, name: 'Q4_K', blockSize: QK_K, blockBytes: 2 + 2 + 12 + QK_K / 2 },
  { id: 13, name: 'Q5_K', blockSize: QK_K, blockBytes: 2 + 2 + 12 + QK_K / 8 + QK_K / 2 },
  { id: 14, name: 'Q6_K', blockSize: QK_K, blockBytes: 2 + QK_K / 2 + QK_K / 4 + QK_K / 16 },
  { id: 15, name: 'Q8_K', blockSize: QK_K, blockBytes: 4 + QK_K + QK_K / 8 },
  { id: 16, name: 'IQ2_XXS', blockSize: QK_K, blockBytes: 2 + QK_K / 4 },
  { id: 17, name: 'IQ2_XS', blockSize: QK_K, blockBytes: 2 + QK_K / 4 + QK_K / 32 },
  { id: 18, name: 'IQ3_XXS', blockSize: QK_K, blockBytes: 2 + (3 * QK_K) / 8 },
  { id: 19, name: 'IQ1_S', blockSize: QK_K, blockBytes: 2 + QK_K / 8 + QK_K / 16 },
  { id: 20, name: 'IQ4_NL', blockSize: 32, blockBytes: 2 + 16 },
  { id: 21, name: 'IQ3_S', blockSize: QK_K, blockBytes: 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4 },
  { id: 22, name: 'IQ2_S', blockSize: QK_K, blockBytes: 2 + QK_K / 4 + QK_K / 16 },
  { id: 23, name: 'IQ4_XS', blockSize: QK_K, blockBytes: 2 + 2 + QK_K / 64 + QK_K / 2 },
  { id: 24, name: 'I8', blockSize: 1, blockBytes: 1 },
  { id: 25, name: 'I16', blockSize: 1, blockBytes: 2 },
  { id: 26, name: 'I32', blockSize: 1, blockBytes: 4 },
  { id: 27, name: 'I64', blockSize: 1, blockBytes: 8 },
  { id: 28, name: 'F64', blockSize: 1, blockBytes: 8 },
  { id: 29, name: 'IQ1_M', blockSize: QK_K, blockBytes: QK_K / 8 + QK_K / 16 + QK_K / 32 },
  { id: 30, name: 'BF16', blockSize: 1, blockBytes: 2 },
  { id: 34, name: 'TQ1_0', blockSize: QK_K, blockBytes: 2 + 4 * 13 },
  { id: 35, name: 'TQ2_0', blockSize: QK_K, blockBytes: 2 + QK_K / 4 },
  { id: 39, name: 'MXFP4', blockSize: 32, blockBytes: 1 + 16 },
  { id: 40, name: 'NVFP4', blockSize: 64, blockBytes: 4 + 32 },
  { id: 41, name: 'Q1_0', blockSize: 128, blockBytes: 2 + 16 },
  { id: 42, name: 'Q2_0', blockSize: 64, blockBytes: 2 + 16 }
]

const BY_ID = new Map(GGML_TYPES.map((t) => [t.id, t]))

/** The ggml type with this id, or null for an id this build does not know. */
export function ggmlType(id: number): GgmlType | null {
  return BY_ID.get(id) ?? null
}

/** Bits per weight of a ggml type (block bytes × 8 ÷ block size). */
export function ggmlBitsPerWeight(t: GgmlType): number {
  return (t.blockBytes * 8) / t.blockSize
}

/**
 * Exact bytes of one tensor: elements ÷ block size × block bytes. Returns null when the row length is not a
 * whole number of blocks (ggml requires it, so such a table is corrupt).
 */
export function ggmlTensorBytes(t: GgmlType, shape: readonly number[]): number | null {
  const n = shape.reduce((a, b) => a * b, 1)
  const row = shape[0] ?? 1
  if (row % t.blockSize !== 0) return null
  return (n / t.blockSize) * t.blockBytes
}

/** Where a weight format runs natively. */
export type FormatFamily = 'gguf' | 'float' | 'gpu-quant' | 'mlx'

/** A weight format users name with `--quant` (file-level label, not a tensor type). */
export interface WeightFormatInfo {
  name: string
  /** Effective bits per weight over the whole file (GGUF) or the quantised linears (GPU formats). */
  bitsPerWeight: number
  source: string
  family: FormatFamily
  /** bitsandbytes/AWQ/GPTQ/FP8 keep embeddings and the LM head at 16 bits; GGUF bpw already includes them. */
  keepsEmbeddings16: boolean
  /** Quantised (η for quantised kernels) rather than a float format computed on directly. */
  quantized: boolean
}

const LLAMA_CPP_QUANT = 'llama.cpp tools/quantize/README.md (effective bpw, Llama-3.1-8B)'
const BLOCK = (t: string, bpw: number): string =>
  `block layout: ${t} = ${bpw.toFixed(4).replace(/0+$/, '')} bpw (ggml block size and bytes), plus 16-bit norms`

function gguf(name: string, bpw: number, source: string, quantized = true): WeightFormatInfo {
  return { name, bitsPerWeight: bpw, source, family: 'gguf', keepsEmbeddings16: false, quantized }
}

function fromBlock(name: string, tensorType: string, extraBpw = 0): WeightFormatInfo {
  const t = GGML_TYPES.find((x) => x.name === tensorType)
  if (!t) throw new Error(`no ggml type ${tensorType}`)
  const bpw = ggmlBitsPerWeight(t) + extraBpw
  return gguf(
    name,
    bpw,
    extraBpw > 0
      ? `${BLOCK(tensorType, ggmlBitsPerWeight(t))}; + ${extraBpw} bpw for higher-precision attention/output tensors (derived)`
      : BLOCK(tensorType, bpw)
  )
}

/**
 * Every weight format `--quant` accepts, keyed by upper-case name. GGUF labels follow llama.cpp's file types
 * (`general.file_type`); MXFP4 is gpt-oss's expert format (llama.cpp labels the file MXFP4_MOE).
 */
export const WEIGHT_FORMAT_TABLE: readonly WeightFormatInfo[] = [
  {
    name: 'F32',
    bitsPerWeight: 32,
    source: 'arithmetic (4 bytes)',
    family: 'float',
    keepsEmbeddings16: false,
    quantized: false
  },
  {
    name: 'F16',
    bitsPerWeight: 16,
    source: LLAMA_CPP_QUANT,
    family: 'float',
    keepsEmbeddings16: false,
    quantized: false
  },
  {
    name: 'BF16',
    bitsPerWeight: 16,
    source: LLAMA_CPP_QUANT,
    family: 'float',
    keepsEmbeddings16: false,
    quantized: false
  },
  gguf('Q8_0', 8.5, LLAMA_CPP_QUANT),
  gguf('Q6_K', 6.56, LLAMA_CPP_QUANT),
  gguf('Q5_K_M', 5.7, LLAMA_CPP_QUANT),
  gguf('Q5_K_S', 5.57, LLAMA_CPP_QUANT),
  fromBlock('Q5_1', 'Q5_1'),
  fromBlock('Q5_0', 'Q5_0'),
  gguf('Q4_K_M', 4.89, LLAMA_CPP_QUANT),
  gguf('Q4_K_S', 4.67, LLAMA_CPP_QUANT),
  fromBlock('Q4_1', 'Q4_1'),
  fromBlock('Q4_0', 'Q4_0'),
  gguf('IQ4_NL', 4.68, LLAMA_CPP_QUANT),
  gguf('IQ4_XS', 4.46, LLAMA_CPP_QUANT),
  gguf('Q3_K_L', 4.27, LLAMA_CPP_QUANT),
  gguf('Q3_K_M', 4.0, `${LLAMA_CPP_QUANT}; 3.74 GiB for 8.03 B params = 4.00 bpw (checked)`),
  gguf('Q3_K_S', 3.64, LLAMA_CPP_QUANT),
  gguf('IQ3_M', 3.76, LLAMA_CPP_QUANT),
  gguf('IQ3_S', 3.66, LLAMA_CPP_QUANT),
  gguf('IQ3_XS', 3.5, LLAMA_CPP_QUANT),
  gguf('IQ3_XXS', 3.21, LLAMA_CPP_QUANT),
  gguf('Q2_K', 3.16, LLAMA_CPP_QUANT),
  gguf('Q2_K_S', 2.97, LLAMA_CPP_QUANT),
  gguf('IQ2_M', 2.93, LLAMA_CPP_QUANT),
  gguf('IQ2_S', 2.74, LLAMA_CPP_QUANT),
  gguf('IQ2_XS', 2.6, LLAMA_CPP_QUANT),
  gguf('IQ2_XXS', 2.45, LLAMA_CPP_QUANT),
  gguf('IQ1_M', 2.01, LLAMA_CPP_QUANT),
  gguf('IQ1_S', 1.88, LLAMA_CPP_QUANT),
  fromBlock('TQ2_0', 'TQ2_0'),
  fromBlock('TQ1_0', 'TQ1_0'),
  // gpt-oss-20b: 11.27 GiB for 20.91 B params (llama-bench, ggml-org GGUF) = 4.63 bpw over the whole file.
  gguf(
    'MXFP4',
    4.63,
    'gpt-oss-20b MXFP4 GGUF: 11.27 GiB / 20.91 B params = 4.63 bpw (llama-bench rows, ggml-org/gpt-oss-20b-GGUF); experts 4.25 bpw (block layout), attention/embeddings Q8_0'
  ),
  gguf(
    'MXFP4_MOE',
    4.63,
    'alias of MXFP4 (llama.cpp file type MXFP4_MOE; gpt-oss-20b 11.27 GiB / 20.91 B)'
  ),
  {
    name: 'FP8',
    bitsPerWeight: 8,
    source: 'arithmetic (1 byte, per-tensor or per-block scale; embeddings/head 16-bit)',
    family: 'gpu-quant',
    keepsEmbeddings16: true,
    quantized: true
  },
  {
    name: 'INT8',
    bitsPerWeight: 8,
    source: 'arithmetic (1 byte; bitsandbytes LLM.int8 keeps embeddings 16-bit)',
    family: 'gpu-quant',
    keepsEmbeddings16: true,
    quantized: true
  },
  {
    name: 'NF4',
    bitsPerWeight: 4.127,
    source: 'QLoRA arXiv:2305.14314 (4-bit NF4 + 0.127 bits of double-quantised constants)',
    family: 'gpu-quant',
    keepsEmbeddings16: true,
    quantized: true
  },
  {
    name: 'AWQ',
    bitsPerWeight: 4.25,
    source: 'AWQ arXiv:2306.00978 (4-bit, fp16 scale per 128-group ≈ +0.25 bpw; derived)',
    family: 'gpu-quant',
    keepsEmbeddings16: true,
    quantized: true
  },
  {
    name: 'AWQ4',
    bitsPerWeight: 4.25,
    source: 'alias of AWQ',
    family: 'gpu-quant',
    keepsEmbeddings16: true,
    quantized: true
  },
  {
    name: 'GPTQ',
    bitsPerWeight: 4.25,
    source: 'GPTQ arXiv:2210.17323 (4-bit, group-128 scales ≈ +0.25 bpw; derived)',
    family: 'gpu-quant',
    keepsEmbeddings16: true,
    quantized: true
  },
  {
    name: 'GPTQ4',
    bitsPerWeight: 4.25,
    source: 'alias of GPTQ',
    family: 'gpu-quant',
    keepsEmbeddings16: true,
    quantized: true
  },
  {
    name: 'GPTQ8',
    bitsPerWeight: 8.25,
    source: 'GPTQ 8-bit, group-128 scales (derived)',
    family: 'gpu-quant',
    keepsEmbeddings16: true,
    quantized: true
  },
  {
    name: 'MLX-4BIT',
    bitsPerWeight: 4.5,
    source: 'MLX 4-bit, group 64 fp16 scale+bias = 4.5 bpw (derived)',
    family: 'mlx',
    keepsEmbeddings16: false,
    quantized: true
  },
  {
    name: 'MLX-8BIT',
    bitsPerWeight: 8.5,
    source: 'MLX 8-bit, group 64 fp16 scale+bias = 8.5 bpw (derived)',
    family: 'mlx',
    keepsEmbeddings16: false,
    quantized: true
  }
]

const ALIASES: Readonly<Record<string, string>> = {
  FP32: 'F32',
  FP16: 'F16',
  FLOAT16: 'F16',
  BFLOAT16: 'BF16',
  FLOAT32: 'F32',
  E4M3: 'FP8',
  FP8_E4M3: 'FP8',
  'FP8-E4M3': 'FP8',
  MXFP4MOE: 'MXFP4_MOE',
  BNB4: 'NF4',
  'BNB-4BIT': 'NF4',
  '4BIT': 'NF4',
  BNB8: 'INT8',
  MLX4: 'MLX-4BIT',
  MLX8: 'MLX-8BIT'
}

const FORMAT_BY_NAME = new Map(WEIGHT_FORMAT_TABLE.map((f) => [f.name, f]))

/** Looks a weight format up by name, case-insensitively, accepting common aliases (`fp16`, `bnb-4bit`). */
export function findWeightFormat(name: string): WeightFormatInfo | null {
  const k = name.trim().toUpperCase()
  return FORMAT_BY_NAME.get(ALIASES[k] ?? k) ?? null
}

/** Every name `--quant` accepts (canonical names, no aliases). */
export function weightFormatNames(): string[] {
  return WEIGHT_FORMAT_TABLE.map((f) => f.name)
}

/**
 * llama.cpp file types (`general.file_type`) by id → label, for GGUF files. Ids follow llama.cpp's
 * `llama_ftype` enum (the GGUF spec lists the same numbers); unknown ids read as null.
 */
export const GGUF_FILE_TYPES: Readonly<Record<number, string>> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
  36: 'TQ1_0',
  37: 'TQ2_0',
  38: 'MXFP4_MOE'
}
