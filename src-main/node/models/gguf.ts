/**
 * Reads a local GGUF file's header (metadata and tensor table) with `@huggingface/gguf` — offline: with
 * `allowLocalFile` it reads the file itself in 2 MiB chunks and stops after the tensor table, never the
 * tensor data, and makes no network request for a path.
 *
 * The tensor table gives exact weight bytes (elements ÷ ggml block size × block bytes, core/quant-types.ts).
 * The library does not notice a truncated file (it pads short reads with zeros), so every tensor must lie
 * inside the file and have a non-empty, unique name; otherwise the file is reported as truncated or corrupt.
 */
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { gguf } from '@huggingface/gguf'
import { GGUF_FILE_TYPES, ggmlTensorBytes, ggmlType } from '../../core/quant-types'
import type { WorkloadProfile } from '../../shared/readiness'
import { ModelFileError, type LocalModel } from './types'

/** Expert tensor names (`blk.N.ffn_{gate,up,down,gate_up}_exps.weight`); shared experts (`_shexp`) are dense. */
const EXPERT_RE = /\.ffn_(gate|up|down|gate_up)_exps\./

/** Architectures whose sliding-window layer pattern llama.cpp hard-codes (every Nth layer is global). */
const SWA_PATTERN: Readonly<Record<string, number>> = {
  gemma2: 2,
  gemma3: 6,
  'gpt-oss': 2,
  cohere2: 4
}

/** Metadata as the library returns it (plain values; typed `{ value }` entries are accepted too). */
type Meta = Record<string, unknown>

function raw(meta: Meta, key: string): unknown {
  const v = meta[key]
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'value' in v
    ? (v as { value: unknown }).value
    : v
}

function num(meta: Meta, key: string): number | undefined {
  const v = raw(meta, key)
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'number') return v
  if (Array.isArray(v) && v.length > 0) {
    const xs = v.map((x) => (typeof x === 'bigint' ? Number(x) : Number(x)))
    return Math.max(...xs)
  }
  return undefined
}

function str(meta: Meta, key: string): string | undefined {
  const v = raw(meta, key)
  return typeof v === 'string' ? v : undefined
}

/** Totals from a tensor table. */
export interface TensorStats {
  totalBytes: number
  totalParams: number
  expertBytes: number
  expertParams: number
  tokenEmbdBytes: number
  tokenEmbdParams: number
  hasOutput: boolean
  /** Bytes by ggml type name. */
  bytesByType: Record<string, number>
}

/** Reads a GGUF file's header into a LocalModel. Throws ModelFileError naming the file on any problem. */
export async function readGgufModel(path: string): Promise<LocalModel> {
  let size: number
  try {
    const st = await stat(path)
    if (!st.isFile()) throw new ModelFileError(path, 'not a file')
    size = st.size
  } catch (err) {
    if (err instanceof ModelFileError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new ModelFileError(
      path,
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : String((err as Error).message)
    )
  }
  if (size < 24) throw new ModelFileError(path, `not a GGUF file (only ${size} bytes)`)
  let parsed: Awaited<ReturnType<typeof gguf>>
  try {
    parsed = await gguf(path, { allowLocalFile: true })
  } catch (err) {
    const msg = (err as Error).message
    throw new ModelFileError(
      path,
      /magic/i.test(msg)
        ? 'not a GGUF file (no GGUF magic number)'
        : /offset|bounds|range/i.test(msg)
          ? 'truncated GGUF header'
          : `corrupt GGUF header (${msg})`
    )
  }
  const meta = parsed.metadata as unknown as Meta
  const dataStart = Number(parsed.tensorDataOffset)
  if (dataStart > size)
    throw new ModelFileError(
      path,
      `truncated: tensor data starts at byte ${dataStart}, the file has ${size}`
    )
  const stats = tensorStats(path, parsed.tensorInfos, size - dataStart)
  const arch = str(meta, 'general.architecture')
  if (!arch) throw new ModelFileError(path, 'corrupt GGUF header (no general.architecture)')
  return toLocalModel(path, arch, meta, stats)
}

/** Sums the tensor table, checking every tensor lies inside the data region. */
export function tensorStats(
  path: string,
  infos: { name: string; shape: bigint[]; dtype: number; offset: bigint }[],
  dataBytes: number
): TensorStats {
  if (infos.length === 0) throw new ModelFileError(path, 'GGUF file has no tensors')
  const seen = new Set<string>()
  const s: TensorStats = {
    totalBytes: 0,
    totalParams: 0,
    expertBytes: 0,
    expertParams: 0,
    tokenEmbdBytes: 0,
    tokenEmbdParams: 0,
    hasOutput: false,
    bytesByType: {}
  }
  for (const t of infos) {
    if (!t.name || seen.has(t.name))
      throw new ModelFileError(
        path,
        t.name
          ? `corrupt tensor table (tensor ${t.name} listed twice)`
          : 'truncated or corrupt tensor table (tensor without a name)'
      )
    seen.add(t.name)
    const type = ggmlType(t.dtype)
    if (type === null)
      throw new ModelFileError(path, `tensor ${t.name} has unknown ggml type ${t.dtype}`)
    const shape = t.shape.map(Number)
    const bytes = ggmlTensorBytes(type, shape)
    if (bytes === null)
      throw new ModelFileError(
        path,
        `tensor ${t.name}: row of ${shape[0]} is not a whole number of ${type.name} blocks`
      )
    const end = Number(t.offset) + bytes
    if (end > dataBytes)
      throw new ModelFileError(
        path,
        `truncated: tensor ${t.name} ends at data byte ${end}, the file holds ${dataBytes} bytes of tensor data`
      )
    const params = shape.reduce((a, b) => a * b, 1)
    s.totalBytes += bytes
    s.totalParams += params
    s.bytesByType[type.name] = (s.bytesByType[type.name] ?? 0) + bytes
    if (EXPERT_RE.test(t.name)) {
      s.expertBytes += bytes
      s.expertParams += params
    }
    if (t.name === 'token_embd.weight') {
      s.tokenEmbdBytes = bytes
      s.tokenEmbdParams = params
    }
    if (t.name === 'output.weight') s.hasOutput = true
  }
  return s
}

function toLocalModel(path: string, arch: string, meta: Meta, s: TensorStats): LocalModel {
  const k = (x: string): number | undefined => num(meta, `${arch}.${x}`)
  const layers = k('block_count')
  const hidden = k('embedding_length')
  const heads = k('attention.head_count')
  if (!layers || !hidden || !heads)
    throw new ModelFileError(
      path,
      `GGUF metadata lacks ${arch}.${!layers ? 'block_count' : !hidden ? 'embedding_length' : 'attention.head_count'}`
    )
  const kvHeads = k('attention.head_count_kv') ?? heads
  const headDim = k('attention.key_length') ?? Math.round(hidden / heads)
  const experts = k('expert_count')
  const used = k('expert_used_count')
  const window = k('attention.sliding_window')
  const kvLora = k('attention.kv_lora_rank')
  const vocabArr = raw(meta, 'tokenizer.ggml.tokens')
  const vocab = k('vocab_size') ?? (Array.isArray(vocabArr) ? vocabArr.length : undefined)
  const fileTypeId = num(meta, 'general.file_type')
  const format =
    fileTypeId !== undefined ? (GGUF_FILE_TYPES[fileTypeId] ?? dominantType(s)) : dominantType(s)
  const moe = experts !== undefined && experts > 1 && used !== undefined && used > 0
  const leadingDense = k('leading_dense_block_count') ?? 0
  const activeExpertBytes = moe ? (s.expertBytes * used) / experts : 0
  const activeExpertParams = moe ? (s.expertParams * used) / experts : 0
  // A token reads every non-expert tensor except the embedding lookup (one row), unless the embedding is
  // tied and doubles as the output projection.
  const embSkipBytes = s.hasOutput ? s.tokenEmbdBytes : 0
  const embSkipParams = s.hasOutput ? s.tokenEmbdParams : 0
  const activeBytes = s.totalBytes - s.expertBytes - embSkipBytes + activeExpertBytes
  const activeParams = s.totalParams - s.expertParams - embSkipParams + activeExpertParams
  const pattern = num(meta, `${arch}.attention.sliding_window_pattern`) ?? SWA_PATTERN[arch]
  const nSliding =
    window !== undefined && window > 0 && pattern !== undefined && pattern > 1
      ? layers - Math.floor(layers / pattern)
      : undefined
  const name = str(meta, 'general.name') ?? basename(path).replace(/\.gguf$/i, '')
  const model: WorkloadProfile['model'] = {
    name,
    paramsTotalB: s.totalParams / 1e9,
    paramsActiveB: activeParams / 1e9,
    nLayers: layers,
    nAttnLayers: layers,
    nHeads: heads,
    nKvHeads: kvHeads,
    headDim,
    hidden,
    ffnHidden: k('feed_forward_length'),
    vocab,
    ctxMax: k('context_length'),
    weightBytesExact: s.totalBytes,
    activeWeightBytesExact: activeBytes
  }
  if (moe) {
    model.nExperts = experts
    model.nExpertsActive = used
    model.nMoeLayers = layers - leadingDense
    model.expertFfnHidden = k('expert_feed_forward_length')
    model.nSharedExperts = k('expert_shared_count')
    model.expertWeightBytesExact = s.expertBytes
  }
  if (nSliding !== undefined) {
    model.slidingWindow = window
    model.nSlidingLayers = nSliding
  }
  if (kvLora !== undefined && kvLora > 0) {
    model.kvLoraRank = kvLora
    model.qkRopeHeadDim = k('rope.dimension_count')
  }
  for (const key of Object.keys(model) as (keyof typeof model)[])
    if (model[key] === undefined) delete model[key]
  return {
    id: `gguf:${path}`,
    name,
    source: 'gguf',
    path,
    weightFormat: format,
    architecture: arch,
    weightBytes: s.totalBytes,
    model,
    sources: [`GGUF header of ${basename(path)} (metadata and tensor table, read offline)`]
  }
}

/** ggml tensor types whose file label differs (a Q4_K-dominated file is a Q4_K_M-class file). */
const TYPE_TO_LABEL: Readonly<Record<string, string>> = {
  Q4_K: 'Q4_K_M',
  Q5_K: 'Q5_K_M',
  Q3_K: 'Q3_K_M',
  Q8_K: 'Q8_0',
  Q8_1: 'Q8_0'
}

function dominantType(s: TensorStats): string {
  return TYPE_TO_LABEL[dominantRaw(s)] ?? dominantRaw(s)
}

function dominantRaw(s: TensorStats): string {
  let best = 'F16'
  let bytes = -1
  for (const [t, b] of Object.entries(s.bytesByType))
    if (b > bytes) {
      best = t
      bytes = b
    }
  return best
}
