/**
 * Model files written by tests: GGUF files with the real shapes of Llama 3.1 8B (dense), gpt-oss-20b (MoE +
 * sliding window), Qwen3-30B-A3B (MoE) and Gemma 3 27B (sliding window), and Hugging Face folders
 * (config.json + safetensors index + headers). Data regions are sparse.
 *
 * Shapes: the models' config.json on Hugging Face (meta-llama/Llama-3.1-8B-Instruct, openai/gpt-oss-20b,
 * Qwen/Qwen3-30B-A3B, google/gemma-3-27b-it); tensor types as in the published GGUFs (Q4_K_M: Q4_K with Q6_K
 * output; gpt-oss MXFP4 experts with Q8_0 attention).
 */
import { mkdir, open, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { transformerTensors, writeGguf, type WrittenGguf } from './gguf-writer'

/** Llama 3.1 8B, Q4_K_M-style (Q4_K everywhere, Q6_K output and embeddings). */
export function writeLlama8bGguf(
  path: string,
  opts: { truncateDataTo?: number } = {}
): Promise<WrittenGguf> {
  return writeGguf(
    path,
    {
      'general.architecture': 'llama',
      'general.name': 'Llama 3.1 8B Instruct',
      'general.file_type': 15,
      'llama.block_count': 32,
      'llama.context_length': 131072,
      'llama.embedding_length': 4096,
      'llama.feed_forward_length': 14336,
      'llama.attention.head_count': 32,
      'llama.attention.head_count_kv': 8,
      'llama.vocab_size': 128256
    },
    transformerTensors({
      layers: 32,
      hidden: 4096,
      heads: 32,
      kvHeads: 8,
      headDim: 128,
      ffn: 14336,
      vocab: 128256,
      types: { attn: 'Q4_K', ffn: 'Q4_K', embd: 'Q4_K', output: 'Q6_K' }
    }),
    opts
  )
}

/** gpt-oss-20b: 24 layers, 32 experts (4 used), alternating 128-token sliding window, MXFP4 experts. */
export function writeGptOss20bGguf(path: string): Promise<WrittenGguf> {
  return writeGguf(
    path,
    {
      'general.architecture': 'gpt-oss',
      'general.name': 'gpt-oss-20b',
      'general.file_type': 38,
      'gpt-oss.block_count': 24,
      'gpt-oss.context_length': 131072,
      'gpt-oss.embedding_length': 2880,
      'gpt-oss.feed_forward_length': 2880,
      'gpt-oss.expert_feed_forward_length': 2880,
      'gpt-oss.attention.head_count': 64,
      'gpt-oss.attention.head_count_kv': 8,
      'gpt-oss.attention.key_length': 64,
      'gpt-oss.attention.value_length': 64,
      'gpt-oss.attention.sliding_window': 128,
      'gpt-oss.expert_count': 32,
      'gpt-oss.expert_used_count': 4,
      'gpt-oss.vocab_size': 201088
    },
    transformerTensors({
      layers: 24,
      hidden: 2880,
      heads: 64,
      kvHeads: 8,
      headDim: 64,
      ffn: 2880,
      vocab: 201088,
      experts: 32,
      expertFfn: 2880,
      types: { attn: 'Q8_0', ffn: 'MXFP4', embd: 'Q8_0' }
    })
  )
}

/** Gemma 3 27B text model: 62 layers, 5 local (window 1024) per global layer, Q4_K_M-style. */
export function writeGemma3_27bGguf(path: string): Promise<WrittenGguf> {
  return writeGguf(
    path,
    {
      'general.architecture': 'gemma3',
      'general.name': 'Gemma 3 27B',
      'general.file_type': 15,
      'gemma3.block_count': 62,
      'gemma3.context_length': 131072,
      'gemma3.embedding_length': 5376,
      'gemma3.feed_forward_length': 21504,
      'gemma3.attention.head_count': 32,
      'gemma3.attention.head_count_kv': 16,
      'gemma3.attention.key_length': 128,
      'gemma3.attention.value_length': 128,
      'gemma3.attention.sliding_window': 1024,
      'gemma3.vocab_size': 262208
    },
    transformerTensors({
      layers: 62,
      hidden: 5376,
      heads: 32,
      kvHeads: 16,
      headDim: 128,
      ffn: 21504,
      vocab: 262208,
      tied: true,
      types: { attn: 'Q4_K', ffn: 'Q4_K', embd: 'Q6_K' }
    })
  )
}

/** Qwen3-30B-A3B config.json values (Qwen/Qwen3-30B-A3B on Hugging Face). */
export const QWEN3_30B_A3B_CONFIG = {
  architectures: ['Qwen3MoeForCausalLM'],
  model_type: 'qwen3_moe',
  hidden_size: 2048,
  intermediate_size: 6144,
  moe_intermediate_size: 768,
  num_hidden_layers: 48,
  num_attention_heads: 32,
  num_key_value_heads: 4,
  head_dim: 128,
  num_experts: 128,
  num_experts_per_tok: 8,
  decoder_sparse_step: 1,
  mlp_only_layers: [],
  vocab_size: 151936,
  max_position_embeddings: 40960,
  tie_word_embeddings: false,
  use_sliding_window: false,
  sliding_window: null,
  torch_dtype: 'bfloat16'
}

/** Writes a sparse safetensors file with the given tensors (header exact, data region holes). */
export async function writeSafetensors(
  path: string,
  tensors: { name: string; dtype: 'BF16' | 'F32'; shape: number[] }[],
  opts: { truncateBy?: number } = {}
): Promise<number> {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } }
  let off = 0
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * (t.dtype === 'F32' ? 4 : 2)
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + bytes] }
    off += bytes
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  const len = Buffer.alloc(8)
  len.writeBigUInt64LE(BigInt(json.length))
  const fh = await open(path, 'w')
  try {
    await fh.write(Buffer.concat([len, json]), 0, 8 + json.length, 0)
    await fh.truncate(8 + json.length + off - (opts.truncateBy ?? 0))
  } finally {
    await fh.close()
  }
  return off
}

/** Writes a Qwen3-30B-A3B folder: config.json, index and two sparse BF16 safetensors shards. */
export async function writeQwen3MoeFolder(
  dir: string
): Promise<{ bytes: number; expertBytes: number }> {
  await mkdir(dir, { recursive: true })
  const c = QWEN3_30B_A3B_CONFIG
  await writeFile(join(dir, 'config.json'), JSON.stringify(c, null, 2))
  const h = c.hidden_size
  const shard1: { name: string; dtype: 'BF16'; shape: number[] }[] = [
    { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [c.vocab_size, h] },
    { name: 'lm_head.weight', dtype: 'BF16', shape: [c.vocab_size, h] }
  ]
  const shard2: { name: string; dtype: 'BF16'; shape: number[] }[] = []
  let expertBytes = 0
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `model.layers.${i}.`
    const target = i < 24 ? shard1 : shard2
    target.push({
      name: `${p}self_attn.q_proj.weight`,
      dtype: 'BF16',
      shape: [c.num_attention_heads * c.head_dim, h]
    })
    target.push({
      name: `${p}self_attn.k_proj.weight`,
      dtype: 'BF16',
      shape: [c.num_key_value_heads * c.head_dim, h]
    })
    target.push({
      name: `${p}self_attn.v_proj.weight`,
      dtype: 'BF16',
      shape: [c.num_key_value_heads * c.head_dim, h]
    })
    target.push({
      name: `${p}self_attn.o_proj.weight`,
      dtype: 'BF16',
      shape: [h, c.num_attention_heads * c.head_dim]
    })
    target.push({ name: `${p}mlp.gate.weight`, dtype: 'BF16', shape: [c.num_experts, h] })
    for (let e = 0; e < c.num_experts; e++)
      for (const proj of ['gate_proj', 'up_proj', 'down_proj']) {
        const shape =
          proj === 'down_proj' ? [h, c.moe_intermediate_size] : [c.moe_intermediate_size, h]
        target.push({ name: `${p}mlp.experts.${e}.${proj}.weight`, dtype: 'BF16', shape })
        expertBytes += shape[0] * shape[1] * 2
      }
  }
  const b1 = await writeSafetensors(join(dir, 'model-00001-of-00002.safetensors'), shard1)
  const b2 = await writeSafetensors(join(dir, 'model-00002-of-00002.safetensors'), shard2)
  const weight_map: Record<string, string> = {}
  for (const t of shard1) weight_map[t.name] = 'model-00001-of-00002.safetensors'
  for (const t of shard2) weight_map[t.name] = 'model-00002-of-00002.safetensors'
  await writeFile(
    join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: b1 + b2 }, weight_map })
  )
  return { bytes: b1 + b2, expertBytes }
}
