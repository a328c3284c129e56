/**
 * KV-cache size for the attention layouts people run: grouped-query attention, sliding-window / hybrid
 * attention (Gemma 3, gpt-oss, Llama 4 chunked attention) and DeepSeek's multi-head latent attention (MLA).
 *
 * Sources:
 * - GQA: `2 × layers × n_kv_heads × head_dim × bytes × ctx` (ollama `fs/ggml/ggml.go` GraphSize; readiness
 *   reference §2.2).
 * - Sliding window: llama.cpp keeps two caches (`src/llama-kv-cache-iswa.cpp`): the global layers get the full
 *   context, the windowed layers `min(ctx, n_swa × n_seq + n_ubatch)` cells (padded to 256). gpt-oss
 *   alternates sliding (window 128) and full layers; Gemma 3 has 5 local (window 1024) per global layer.
 * - MLA: llama.cpp and vLLM cache one latent vector of `kv_lora_rank + qk_rope_head_dim` elements per token and
 *   layer (DeepSeek-V2 arXiv:2405.04434 §2.1.2; V3: 512 + 64 = 576), no separate V.
 */
import type { WorkloadProfile } from '../shared/readiness'

type Model = WorkloadProfile['model']

/** llama.cpp pads cache sizes to this many cells. */
const KV_PAD = 256
/** llama.cpp default n_ubatch (the SWA cache holds window + ubatch cells). */
const UBATCH = 512

/** Which attention layout the model has, for explanations. */
export type AttentionLayout = 'gqa' | 'swa-hybrid' | 'mla'

/** The model's attention layout. */
export function attentionLayout(m: Model): AttentionLayout {
  if (m.kvLoraRank !== undefined && m.kvLoraRank > 0) return 'mla'
  if (m.slidingWindow !== undefined && (m.nSlidingLayers ?? 0) > 0) return 'swa-hybrid'
  return 'gqa'
}

/** Layers that keep a KV cache (attention layers; hybrid SSM layers keep none). */
function attnLayers(m: Model): number {
  return m.nAttnLayers ?? m.nLayers
}

/** Bytes of KV per cached token in one layer (K and V, or the MLA latent). */
export function kvBytesPerTokenPerLayer(m: Model, bytesPerElement: number): number {
  if (attentionLayout(m) === 'mla')
    return (m.kvLoraRank! + (m.qkRopeHeadDim ?? 0)) * bytesPerElement
  return 2 * m.nKvHeads * m.headDim * bytesPerElement
}

/** Cells the windowed layers hold for `ctx` tokens and `slots` sequences (llama.cpp iSWA sizing). */
export function slidingCells(window: number, ctx: number, slots: number): number {
  const cells = Math.ceil((window * slots + UBATCH) / KV_PAD) * KV_PAD
  return Math.min(ctx * slots, cells)
}

/** A KV-cache size with how it was computed. */
export interface KvSize {
  bytes: number
  /** Bytes per token of context once the windowed layers are full (the marginal cost of more context). */
  marginalBytesPerToken: number
  layout: AttentionLayout
  formula: string
}

/** KV cache for `ctx` tokens in each of `slots` sequences at `bytesPerElement` (f16 = 2). */
export function kvCacheSize(m: Model, ctx: number, slots: number, bytesPerElement: number): KvSize {
  const layers = attnLayers(m)
  const per = kvBytesPerTokenPerLayer(m, bytesPerElement)
  const layout = attentionLayout(m)
  if (layout === 'swa-hybrid') {
    const swa = Math.min(layers, m.nSlidingLayers ?? 0)
    const full = layers - swa
    const cells = slidingCells(m.slidingWindow!, ctx, slots)
    const bytes = full * per * ctx * slots + swa * per * cells
    return {
      bytes,
      marginalBytesPerToken: full * per,
      layout,
      formula: `${full} global layers × ${per} B × ${ctx} ctx × ${slots} + ${swa} sliding layers × ${per} B × ${cells} cells (window ${m.slidingWindow}; llama.cpp iSWA: window × slots + ubatch, padded)`
    }
  }
  const bytes = layers * per * ctx * slots
  return {
    bytes,
    marginalBytesPerToken: layers * per,
    layout,
    formula:
      layout === 'mla'
        ? `MLA latent: ${layers} layers × (${m.kvLoraRank} rank + ${m.qkRopeHeadDim ?? 0} rope) × ${bytesPerElement} B × ${ctx} ctx × ${slots}`
        : `2 × ${layers} layers × ${m.nKvHeads} KV heads × ${m.headDim} head dim × ${bytesPerElement} B × ${ctx} ctx × ${slots}`
  }
}

/**
 * KV bytes read to generate one token at context position `pos`: global layers read every cached token,
 * windowed layers at most the window.
 */
export function kvBytesReadPerToken(m: Model, pos: number, bytesPerElement: number): number {
  const layers = attnLayers(m)
  const per = kvBytesPerTokenPerLayer(m, bytesPerElement)
  if (attentionLayout(m) === 'swa-hybrid') {
    const swa = Math.min(layers, m.nSlidingLayers ?? 0)
    return (layers - swa) * per * pos + swa * per * Math.min(pos, m.slidingWindow!)
  }
  return layers * per * pos
}
