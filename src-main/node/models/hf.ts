/**
 * Reads a Hugging Face model folder offline: `config.json` for the shape, `model.safetensors.index.json` for
 * the total size, and the safetensors headers (8-byte little-endian length + JSON) for exact per-tensor dtype
 * and bytes. Only headers are read; a header longer than 100 MB, a shard shorter than its header says, or
 * JSON that does not parse is reported with the file name.
 *
 * Config keys (transformers): num_hidden_layers, hidden_size, num_attention_heads, num_key_value_heads,
 * head_dim, intermediate_size, vocab_size, max_position_embeddings; MoE num_experts / num_local_experts /
 * n_routed_experts, num_experts_per_tok, moe_intermediate_size, n_shared_experts, first_k_dense_replace;
 * sliding window sliding_window with layer_types (gpt-oss) or sliding_window_pattern (Gemma 3), Llama 4
 * attention_chunk_size (3 of 4 layers chunked); MLA kv_lora_rank, qk_rope_head_dim; multimodal configs
 * nest the language model under text_config.
 */
import { open, readFile, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { WorkloadProfile } from '../../shared/readiness'
import { ModelFileError, type LocalModel } from './types'

const MAX_HEADER_BYTES = 100 * 1024 * 1024
const MAX_JSON_BYTES = 16 * 1024 * 1024

type Json = Record<string, unknown>

async function readJson(file: string): Promise<Json> {
  let text: string
  try {
    const st = await stat(file)
    if (st.size > MAX_JSON_BYTES)
      throw new ModelFileError(file, `too large for a config (${st.size} bytes)`)
    text = await readFile(file, 'utf8')
  } catch (err) {
    if (err instanceof ModelFileError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new ModelFileError(
      file,
      code === 'ENOENT' ? 'no such file' : String((err as Error).message)
    )
  }
  try {
    const v = JSON.parse(text) as unknown
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw new ModelFileError(file, 'expected a JSON object')
    return v as Json
  } catch (err) {
    if (err instanceof ModelFileError) throw err
    throw new ModelFileError(file, `not valid JSON (${(err as Error).message})`)
  }
}

function int(c: Json, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = c[k]
    if (typeof v === 'number' && Number.isFinite(v)) return v
  }
  return undefined
}

/** One safetensors tensor entry. */
interface StTensor {
  dtype: string
  shape: number[]
  data_offsets: [number, number]
}

const ST_DTYPE_BYTES: Readonly<Record<string, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  U32: 4,
  U16: 2
}

/** Reads one safetensors header (bounded) and checks the file holds the data it lists. */
export async function readSafetensorsHeader(file: string): Promise<Record<string, StTensor>> {
  let fh
  try {
    fh = await open(file, 'r')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ModelFileError(
      file,
      code === 'ENOENT' ? 'no such file' : String((err as Error).message)
    )
  }
  try {
    const st = await fh.stat()
    if (st.size < 8) throw new ModelFileError(file, `truncated safetensors file (${st.size} bytes)`)
    const lenBuf = Buffer.alloc(8)
    await fh.read(lenBuf, 0, 8, 0)
    const n = Number(lenBuf.readBigUInt64LE(0))
    if (n <= 1 || n > MAX_HEADER_BYTES)
      throw new ModelFileError(file, `corrupt safetensors header (length ${n})`)
    if (8 + n > st.size)
      throw new ModelFileError(
        file,
        `truncated safetensors file: header needs ${8 + n} bytes, file has ${st.size}`
      )
    const buf = Buffer.alloc(n)
    await fh.read(buf, 0, n, 8)
    let header: Record<string, unknown>
    try {
      header = JSON.parse(buf.toString('utf8')) as Record<string, unknown>
    } catch (err) {
      throw new ModelFileError(file, `corrupt safetensors header (${(err as Error).message})`)
    }
    const out: Record<string, StTensor> = {}
    let maxEnd = 0
    for (const [name, v] of Object.entries(header)) {
      if (name === '__metadata__') continue
      const t = v as StTensor
      if (
        !t ||
        !Array.isArray(t.shape) ||
        !Array.isArray(t.data_offsets) ||
        typeof t.dtype !== 'string'
      )
        throw new ModelFileError(file, `corrupt safetensors header (entry ${name})`)
      out[name] = t
      maxEnd = Math.max(maxEnd, t.data_offsets[1])
    }
    if (8 + n + maxEnd > st.size)
      throw new ModelFileError(
        file,
        `truncated safetensors file: tensors end at byte ${8 + n + maxEnd}, file has ${st.size}`
      )
    return out
  } finally {
    await fh.close()
  }
}

/** Reads a Hugging Face model folder (or its config.json) into a LocalModel. */
export async function readHfModel(pathIn: string, id?: string): Promise<LocalModel> {
  let dir = pathIn
  try {
    const st = await stat(pathIn)
    if (st.isFile()) dir = dirname(pathIn)
  } catch {
    throw new ModelFileError(pathIn, 'no such file or folder')
  }
  const configFile = join(dir, 'config.json')
  const raw = await readJson(configFile)
  const c = (
    raw.text_config && typeof raw.text_config === 'object'
      ? { ...raw, ...(raw.text_config as Json) }
      : raw
  ) as Json
  const layers = int(c, 'num_hidden_layers', 'n_layer', 'num_layers')
  const hidden = int(c, 'hidden_size', 'n_embd', 'd_model')
  const heads = int(c, 'num_attention_heads', 'n_head')
  if (!layers || !hidden || !heads)
    throw new ModelFileError(
      configFile,
      `not a transformer LLM config (missing ${!layers ? 'num_hidden_layers' : !hidden ? 'hidden_size' : 'num_attention_heads'})`
    )
  const kvHeads = int(c, 'num_key_value_heads') ?? heads
  const headDim = int(c, 'head_dim') ?? Math.round(hidden / heads)
  const ffn = int(c, 'intermediate_size', 'n_inner')
  const vocab = int(c, 'vocab_size')
  const experts = int(c, 'num_experts', 'num_local_experts', 'n_routed_experts')
  const used = int(c, 'num_experts_per_tok', 'experts_per_token')
  const moe = experts !== undefined && experts > 1 && used !== undefined && used > 0
  const moeFfn = int(c, 'moe_intermediate_size') ?? (moe ? ffn : undefined)
  const shared = int(c, 'n_shared_experts', 'num_shared_experts')
  const denseFirst = int(c, 'first_k_dense_replace') ?? 0
  const interleave = int(c, 'interleave_moe_layer_step', 'decoder_sparse_step') ?? 1
  const mlpOnly = Array.isArray(c.mlp_only_layers) ? c.mlp_only_layers.length : 0
  const moeLayersN = moe ? Math.floor((layers - denseFirst) / Math.max(1, interleave)) - mlpOnly : 0
  const tie = c.tie_word_embeddings === true

  // Attention layout.
  let window: number | undefined
  let nSliding: number | undefined
  const sw = int(c, 'sliding_window')
  const chunk = int(c, 'attention_chunk_size')
  if (Array.isArray(c.layer_types) && sw) {
    nSliding = c.layer_types.filter((t) => t === 'sliding_attention').length
    window = nSliding > 0 ? sw : undefined
  } else if (sw && int(c, 'sliding_window_pattern')) {
    const p = int(c, 'sliding_window_pattern')!
    window = sw
    nSliding = layers - Math.floor(layers / p)
  } else if (chunk) {
    // Llama 4: every 4th layer is a global NoPE layer, the others attend within chunks.
    window = chunk
    nSliding = layers - Math.floor(layers / 4)
  }
  const kvLora = int(c, 'kv_lora_rank')
  const qkRope = int(c, 'qk_rope_head_dim')

  // Derived parameter counts (config); replaced by tensor shapes when the weights are unquantised.
  const attnParams = kvLora
    ? hidden * (kvLora + (qkRope ?? 0)) +
      kvLora *
        heads *
        ((int(c, 'qk_nope_head_dim') ?? headDim) + (int(c, 'v_head_dim') ?? headDim)) +
      hidden * (int(c, 'q_lora_rank') ?? heads * headDim) +
      heads * (int(c, 'v_head_dim') ?? headDim) * hidden
    : hidden * heads * headDim * 2 + hidden * kvHeads * headDim * 2
  const expertParamsAll = moe ? moeLayersN * experts * 3 * hidden * (moeFfn ?? 0) : 0
  const sharedParams = moe ? moeLayersN * (shared ?? 0) * 3 * hidden * (moeFfn ?? 0) : 0
  const denseFfnLayers = layers - moeLayersN
  const denseParams = denseFfnLayers * 3 * hidden * (ffn ?? 4 * hidden)
  const embParams = (vocab ?? 0) * hidden * (tie ? 1 : 2)
  let totalParams = layers * attnParams + expertParamsAll + sharedParams + denseParams + embParams
  const activeExpertShare = moe ? used / experts : 0

  // Sizes: safetensors headers (exact) or the index's total_size.
  const q = c.quantization_config as Json | undefined
  const quant = typeof q?.quant_method === 'string' ? q.quant_method.toLowerCase() : null
  const dtype = String(c.torch_dtype ?? c.dtype ?? 'bfloat16').toLowerCase()
  let format =
    quant === 'awq'
      ? 'AWQ'
      : quant === 'gptq'
        ? 'GPTQ'
        : quant === 'mxfp4'
          ? 'MXFP4'
          : quant === 'fp8'
            ? 'FP8'
            : quant === 'bitsandbytes'
              ? q?.load_in_4bit
                ? 'NF4'
                : 'INT8'
              : dtype.includes('float32')
                ? 'F32'
                : dtype === 'float16'
                  ? 'F16'
                  : 'BF16'
  const sources = [`config.json of ${basename(dir)}`]
  let weightBytes: number | undefined
  let expertBytes = 0
  let embBytes = 0
  let hasHead = !tie
  const shardFiles = new Set<string>()
  const indexFile = join(dir, 'model.safetensors.index.json')
  let index: Json | null = null
  try {
    await stat(indexFile)
    index = await readJson(indexFile)
  } catch (err) {
    if (err instanceof ModelFileError && !/no such file/.test(err.message)) throw err
  }
  if (index) {
    const wm = index.weight_map as Record<string, string> | undefined
    if (!wm || typeof wm !== 'object') throw new ModelFileError(indexFile, 'no weight_map')
    for (const f of Object.values(wm)) shardFiles.add(f)
    const total = (index.metadata as Json | undefined)?.total_size
    if (typeof total === 'number') weightBytes = total
    sources.push('model.safetensors.index.json total_size')
  } else {
    try {
      await stat(join(dir, 'model.safetensors'))
      shardFiles.add('model.safetensors')
    } catch {
      /* no weights: config only */
    }
  }
  const present = [...shardFiles].filter((f) => f)
  const headers: Record<string, StTensor>[] = []
  let missing = 0
  for (const f of present) {
    try {
      await stat(join(dir, f))
    } catch {
      missing++
      continue
    }
    headers.push(await readSafetensorsHeader(join(dir, f)))
  }
  if (headers.length > 0 && missing === 0) {
    let bytes = 0
    let params = 0
    const dtypes: Record<string, number> = {}
    for (const h of headers)
      for (const [name, t] of Object.entries(h)) {
        const b = t.data_offsets[1] - t.data_offsets[0]
        const expected = t.shape.reduce((a, x) => a * x, 1) * (ST_DTYPE_BYTES[t.dtype] ?? 1)
        if (ST_DTYPE_BYTES[t.dtype] && b !== expected)
          throw new ModelFileError(
            join(dir, present[0]),
            `corrupt safetensors header (tensor ${name}: ${b} bytes for shape ${t.shape.join('×')} ${t.dtype})`
          )
        bytes += b
        params += t.shape.reduce((a, x) => a * x, 1)
        dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + b
        if (/\.experts\./.test(name) && !/shared_expert/.test(name)) expertBytes += b
        if (/embed_tokens\.weight$|wte\.weight$/.test(name)) embBytes = b
        if (/lm_head\.weight$/.test(name)) hasHead = true
      }
    weightBytes = bytes
    if (!quant) {
      totalParams = params
      const top = Object.entries(dtypes).sort((a, b) => b[1] - a[1])[0]?.[0]
      if (top === 'F32') format = 'F32'
      else if (top === 'F16') format = 'F16'
      else if (top === 'F8_E4M3' || top === 'F8_E5M2') format = 'FP8'
      else if (top === 'BF16') format = 'BF16'
    }
    sources.push(
      `safetensors headers (${headers.length} file${headers.length > 1 ? 's' : ''}): exact bytes and dtypes`
    )
  }
  if (weightBytes === undefined)
    sources.push('no weights in the folder: size derived from config × bits per weight')
  const name = id ?? basename(dir)
  const model: WorkloadProfile['model'] = {
    name,
    paramsTotalB: totalParams / 1e9,
    paramsActiveB:
      (totalParams -
        expertParamsAll * (1 - activeExpertShare) -
        (tie ? 0 : (vocab ?? 0) * hidden)) /
      1e9,
    nLayers: layers,
    nAttnLayers: layers,
    nHeads: heads,
    nKvHeads: kvHeads,
    headDim,
    hidden,
    ffnHidden: ffn,
    vocab,
    ctxMax: int(c, 'max_position_embeddings')
  }
  if (weightBytes !== undefined) {
    model.weightBytesExact = weightBytes
    const expB =
      expertBytes > 0 ? expertBytes : moe ? (weightBytes * expertParamsAll) / totalParams : 0
    const embB = embBytes > 0 ? embBytes : ((vocab ?? 0) * hidden * weightBytes) / totalParams
    model.activeWeightBytesExact =
      weightBytes - expB * (1 - activeExpertShare) - (hasHead ? embB : 0)
    if (moe) model.expertWeightBytesExact = expB
  }
  if (moe) {
    model.nExperts = experts
    model.nExpertsActive = used
    model.nMoeLayers = moeLayersN
    if (moeFfn !== undefined) model.expertFfnHidden = moeFfn
    if (shared !== undefined) model.nSharedExperts = shared
  }
  if (window !== undefined && nSliding !== undefined && nSliding > 0) {
    model.slidingWindow = window
    model.nSlidingLayers = nSliding
  }
  if (kvLora) {
    model.kvLoraRank = kvLora
    if (qkRope !== undefined) model.qkRopeHeadDim = qkRope
  }
  for (const key of Object.keys(model) as (keyof typeof model)[])
    if (model[key] === undefined) delete model[key]
  const arch = Array.isArray(raw.architectures)
    ? String(raw.architectures[0])
    : String(raw.model_type ?? 'unknown')
  return {
    id: id ? `hf:${id}` : `hf-folder:${dir}`,
    name,
    source: 'huggingface',
    path: dir,
    weightFormat: format,
    architecture: arch,
    weightBytes: weightBytes ?? 0,
    model,
    sources
  }
}
