/**
 * Memory requirement of a workload, term by term, each with the formula that produced it.
 *
 * Sources (readiness reference §2): weights from llama.cpp's bits-per-weight table; KV cache with grouped-query
 * heads (ollama GraphSize); activations after Korthikanti et al. arXiv:2205.05198; model states after ZeRO
 * arXiv:1910.02054 and HF `model_memory_anatomy.md`; LoRA adapter size r × (d_in + d_out); QLoRA NF4 base with
 * 16-bit embeddings (arXiv:2305.14314); DeepSpeed offload formulas for host RAM.
 */
import type { MemoryTerm, WorkloadProfile } from '../shared/readiness'
import { attentionLayout, kvCacheSize } from './kv-cache'
import type { MoeBytes } from './moe'
import { isMoe, moeBytes } from './moe'
import { KV_BYTES, OPTIMIZER_BYTES, RESERVES, weightFormat } from './tables'

const GIB = 2 ** 30

/** Bytes as "12.3 GiB" for formulas (memory is presented in binary units everywhere). */
export function fmtGB(bytes: number): string {
  const GIB = 2 ** 30
  return `${(bytes / GIB).toFixed(bytes >= 100 * GIB ? 0 : bytes >= 10 * GIB ? 1 : 2)} GiB`
}

/** Effective bits per weight for a format, with 16-bit embeddings where the format keeps them. */
export function weightBytes(
  model: WorkloadProfile['model'],
  format: string,
  params = model.paramsTotalB
): number {
  const wf = weightFormat(format)
  if (wf === null) throw new Error(`unknown weight format ${format}`)
  const p = params * 1e9
  const unq = wf.keepsEmbeddings16 ? Math.min(p, (model.paramsUnquantizedB ?? 0) * 1e9) : 0
  return ((p - unq) * wf.value) / 8 + unq * 2
}

/**
 * Weight bytes of a profile in `format`: exact (from the model file's tensor table) when the format is the
 * file's own, else parameters × bits per weight.
 */
export function profileWeightBytes(profile: WorkloadProfile, format: string): number {
  const m = profile.model
  if (m.weightBytesExact !== undefined && sameFormat(format, profile.precision.weightFormat))
    return m.weightBytesExact
  return weightBytes(m, format)
}

/** True when two format names mean the same format. */
export function sameFormat(a: string, b: string): boolean {
  const fa = weightFormat(a)
  const fb = weightFormat(b)
  return fa !== null && fa === fb
}

/** MoE-aware byte split (total, experts, read per token) of a profile in `format`. */
export function profileMoeBytes(profile: WorkloadProfile, format: string): MoeBytes {
  const exact =
    profile.model.weightBytesExact !== undefined &&
    sameFormat(format, profile.precision.weightFormat)
  return moeBytes(profile.model, profileWeightBytes(profile, format), exact)
}

/**
 * Marginal KV bytes per token of context for one sequence (global layers only once sliding windows are full;
 * the MLA latent for DeepSeek): `2 × L_attn × n_kv_heads × head_dim × bytes` for plain GQA.
 */
export function kvBytesPerToken(
  model: WorkloadProfile['model'],
  kvDtype: keyof typeof KV_BYTES = 'f16'
): number {
  return kvCacheSize(model, 1, 1, KV_BYTES[kvDtype].value).marginalBytesPerToken
}

/** KV cache bytes for `ctx` tokens in each of `slots` parallel sequences (GQA, sliding window, MLA). */
export function kvCacheBytes(
  model: WorkloadProfile['model'],
  ctx: number,
  slots = 1,
  kvDtype: keyof typeof KV_BYTES = 'f16'
): number {
  return kvCacheSize(model, ctx, slots, KV_BYTES[kvDtype].value).bytes
}

/** Inference memory broken down. */
export interface InferenceMemory {
  terms: MemoryTerm[]
  totalBytes: number
  weightBytes: number
  kvBytes: number
  /** Bytes that do not scale with layer placement (buffers + runtime), per device. */
  fixedBytes: number
  kvPerTokenBytes: number
  /** MoE-aware split of the weight bytes (experts, bytes read per token). */
  moe: MoeBytes
}

/**
 * Inference memory: weights + KV (GQA) + compute buffers + runtime reserve.
 *
 * Compute buffers follow llama.cpp's graph at its default ubatch of 512: logits (ubatch × vocab × 4 B) plus
 * hidden-size working tensors (ubatch × 6 × hidden × 4 B); flash attention is assumed, so no ctx² scores.
 */
export function inferenceMemory(
  profile: WorkloadProfile,
  format: string,
  kvDtypeOverride?: keyof typeof KV_BYTES
): InferenceMemory {
  const m = profile.model
  const terms: MemoryTerm[] = []
  const wf = weightFormat(format)
  const moe = profileMoeBytes(profile, format)
  const w = moe.totalBytes
  const exact =
    m.weightBytesExact !== undefined && sameFormat(format, profile.precision.weightFormat)
  const unqNote =
    wf?.keepsEmbeddings16 && m.paramsUnquantizedB
      ? ` (+ ${m.paramsUnquantizedB} B embedding/head params at 16 bits)`
      : ''
  const moeNote = isMoe(m)
    ? `; MoE: all ${m.nExperts} experts are held (${m.nExpertsActive} used per token)`
    : ''
  terms.push({
    name: 'weights',
    bytes: w,
    formula: exact
      ? `exact tensor bytes from the model file (${format}) = ${fmtGB(w)}${moeNote}`
      : `${m.paramsTotalB} B params × ${wf?.value} bits/weight (${format}) ÷ 8${unqNote} = ${fmtGB(w)}${moeNote}`
  })
  let kv = 0
  let perTok = 0
  const kvDtype = kvDtypeOverride ?? profile.precision.kvDtype ?? 'f16'
  if (profile.family === 'llm' || profile.family === 'speech') {
    const ctx = profile.shape.ctxTokens ?? m.ctxMax ?? 4096
    const slots = profile.shape.concurrency ?? 1
    const size = kvCacheSize(m, ctx, slots, KV_BYTES[kvDtype].value)
    perTok = size.marginalBytesPerToken
    kv = size.bytes
    terms.push({
      name: 'kv-cache',
      bytes: kv,
      formula: `${size.formula} (${kvDtype}, ${attentionLayout(m)}) = ${(kv / GIB).toFixed(2)} GiB`
    })
  }
  let buffers: number
  let bufFormula: string
  if (profile.family === 'llm' || profile.family === 'speech' || profile.family === 'embedding') {
    const ub =
      profile.family === 'embedding'
        ? (profile.shape.ctxTokens ?? 512) * (profile.shape.concurrency ?? 1)
        : RESERVES.llamaCppUbatch.value
    buffers = ub * 4 * ((m.vocab ?? 0) * (profile.family === 'embedding' ? 0 : 1) + 6 * m.hidden)
    bufFormula = `${ub} tokens × 4 B × (${profile.family === 'embedding' ? '' : `${m.vocab ?? 0} vocab + `}6 × ${m.hidden} hidden) = ${fmtGB(buffers)}`
  } else {
    const per = (m.activationMbPerSample ?? 0) * 1e6
    const batch = profile.shape.concurrency ?? 1
    buffers = per * batch
    bufFormula = m.activationMbPerSample
      ? `${m.activationMbPerSample} MB activations per sample × ${batch} = ${fmtGB(buffers)} (profile estimate)`
      : 'no activation estimate in the profile (0)'
  }
  terms.push({ name: 'buffers', bytes: buffers, formula: bufFormula })
  const runtime = RESERVES.gpuRuntimeInferenceBytes.value
  terms.push({
    name: 'runtime',
    bytes: runtime,
    formula: `runtime reserve 512 MiB (${RESERVES.gpuRuntimeInferenceBytes.source})`
  })
  const total = terms.reduce((s, t) => s + t.bytes, 0)
  return {
    terms,
    totalBytes: total,
    weightBytes: w,
    kvBytes: kv,
    fixedBytes: buffers + runtime,
    kvPerTokenBytes: perTok,
    moe
  }
}

/** LoRA adapter parameter count: Σ over targets and layers of r × (d_in + d_out). */
export function loraParams(
  model: WorkloadProfile['model'],
  rank: number,
  targets: string[]
): number {
  const h = model.hidden
  const q = model.nHeads * model.headDim
  const kv = model.nKvHeads * model.headDim
  const ffn = model.ffnHidden ?? 4 * h
  const experts = model.nExperts ?? 1
  const dims: Record<string, number> = {
    q: h + q,
    k: h + kv,
    v: h + kv,
    o: q + h,
    gate: (h + ffn) * experts,
    up: (h + ffn) * experts,
    down: (ffn + h) * experts
  }
  let perLayer = 0
  for (const t of targets) perLayer += rank * (dims[t] ?? 0)
  return perLayer * model.nLayers
}

/** Training memory broken down (per GPU). */
export interface TrainingMemory {
  terms: MemoryTerm[]
  /** Per-GPU bytes. */
  totalBytes: number
  /** Host RAM needed for offload (DeepSpeed formulas, offloaded activations), 0 without offload. */
  hostBytes: number
  /** Part of totalBytes a paged optimizer may spill to host RAM when the GPU is short (bitsandbytes paged). */
  pageableBytes: number
  /** Bytes of trainable state per parameter before activations (for tests and explanations). */
  statesBytesPerParam: number
  trainableParams: number
}

/** Activation bytes per layer (Korthikanti et al.): s·b·h·(34 + 5·a·s/h); flash attention drops the 5as/h term. */
export function activationBytesPerLayer(
  s: number,
  b: number,
  h: number,
  a: number,
  opts: { flash: boolean; mode: 'none' | 'selective' | 'full' }
): number {
  if (opts.mode === 'full') return 2 * s * b * h
  if (opts.mode === 'selective' || opts.flash) return 34 * s * b * h
  return s * b * h * (34 + (5 * a * s) / h)
}

/**
 * Training memory per GPU for `gpuCount` data-parallel GPUs.
 *
 * Model states per trainable parameter with mixed-precision AdamW: 2 (bf16 weights) + 2 (grads) + 12 (fp32
 * master, m, v) = 16 B (ZeRO accounting; HF's accounting gives 18). LoRA/QLoRA: frozen base (bf16, or NF4 with
 * 16-bit embeddings) + adapters in bf16 with 2 B grads and the optimizer's states. ZeRO stages divide states
 * across GPUs; optimizer/param offload moves them to host RAM (DeepSpeed: P × max(4·N, 16) × 1.5 for ZeRO-2
 * optimizer offload, P × 18 × 1.5 for ZeRO-3 param offload).
 */
export function trainingMemory(profile: WorkloadProfile, gpuCount = 1): TrainingMemory {
  const m = profile.model
  const t = profile.training
  if (!t) throw new Error(`profile ${profile.id} has no training section`)
  const terms: MemoryTerm[] = []
  const P = m.paramsTotalB * 1e9
  const n = Math.max(1, gpuCount)
  const zero = n > 1 ? (t.zeroStage ?? 0) : (t.zeroStage ?? 0) === 3 ? 3 : 0
  const opt = OPTIMIZER_BYTES[t.optimizer]
  let hostBytes = 0
  let pageable = 0
  let trainable = P
  let statesPerParam = 0
  const isLlmLike = profile.family === 'llm'

  if (t.method === 'full' || t.method === 'freeze') {
    // Freeze: assume the top quarter of layers train (documented assumption); frozen part stays bf16.
    const frac = t.method === 'freeze' ? 0.25 : 1
    trainable = P * frac
    const frozen = P - trainable
    let wB = 2 * trainable
    // Optimizer in backward (torchtune optimizer_in_bwd): each layer's gradients are applied and freed at once,
    // so only the largest layer's gradients are live.
    const layerParams = 4 * m.hidden * m.hidden + 3 * m.hidden * (m.ffnHidden ?? 4 * m.hidden)
    let gB = t.optimizerInBackward ? 2 * Math.min(trainable, layerParams) : 2 * trainable
    const master = t.masterWeights !== false
    const optPer = master ? opt.withMaster : opt.statesOnly
    let oB = optPer.value * trainable
    statesPerParam = 2 + (t.optimizerInBackward ? 0 : 2) + optPer.value
    const zNote = zero > 0 ? ` ÷ ${n} GPUs (ZeRO-${zero})` : ''
    if (zero >= 1) oB /= n
    if (zero >= 2) gB /= n
    if (zero >= 3) wB /= n
    const off = t.offload ?? 'none'
    if (off === 'optimizer_cpu' || off === 'nvme') {
      hostBytes = off === 'nvme' ? 0 : trainable * Math.max(4 * n, 16) * 1.5
      oB = 0
      gB = 0
    } else if (off === 'params_cpu') {
      hostBytes = trainable * 18 * 1.5
      const largestLayer =
        (4 * m.hidden * m.hidden + 3 * m.hidden * (m.ffnHidden ?? 4 * m.hidden)) * 4
      wB = largestLayer
      oB = 0
      gB = 0
    }
    terms.push({
      name: 'weights',
      bytes: wB + frozen * 2,
      formula: `2 B (bf16) × ${(trainable / 1e9).toFixed(2)} B trainable params${zero >= 3 ? zNote : ''}${frozen > 0 ? ` + 2 B × ${(frozen / 1e9).toFixed(2)} B frozen` : ''}${off === 'params_cpu' ? ' (params offloaded; largest layer only)' : ''}`
    })
    terms.push({
      name: 'gradients',
      bytes: gB,
      formula:
        off !== 'none'
          ? `offloaded to ${off === 'nvme' ? 'NVMe' : 'CPU'}`
          : t.optimizerInBackward
            ? `optimizer in backward: one layer's gradients live (2 B × ${(Math.min(trainable, layerParams) / 1e6).toFixed(0)} M params)`
            : `2 B × ${(trainable / 1e9).toFixed(2)} B params${zero >= 2 ? zNote : ''}`
    })
    terms.push({
      name: 'optimizer',
      bytes: oB,
      formula:
        off !== 'none'
          ? `offloaded (host needs ${fmtGB(hostBytes)}: DeepSpeed P × ${off === 'params_cpu' ? '18' : `max(4·${n}, 16)`} × 1.5)`
          : `${optPer.value} B/param${master ? '' : ' (pure bf16, no fp32 master)'} (${optPer.source}) × ${(trainable / 1e9).toFixed(2)} B${zero >= 1 ? zNote : ''}`
    })
    if (t.optimizer === 'paged-adamw8bit' && off === 'none') pageable = oB
  } else {
    const rank = t.loraRank ?? 16
    const targets = t.loraTargets ?? ['q', 'k', 'v', 'o']
    trainable = isLlmLike ? loraParams(m, rank, targets) : P * 0.01
    const base = t.method === 'qlora' ? weightBytes(m, 'NF4') : 2 * P
    terms.push({
      name: 'weights',
      bytes: base,
      formula:
        t.method === 'qlora'
          ? `frozen base in NF4: (${m.paramsTotalB} − ${m.paramsUnquantizedB ?? 0}) B × 4.127 bits ÷ 8 + ${m.paramsUnquantizedB ?? 0} B × 2 B (16-bit embeddings/head) = ${fmtGB(base)}`
          : `frozen base in bf16: ${m.paramsTotalB} B × 2 B = ${fmtGB(base)}`
    })
    const perAdapter = 2 + 2 + opt.statesOnly.value
    statesPerParam = perAdapter
    const ad = trainable * perAdapter
    if (t.optimizer === 'paged-adamw8bit') pageable = trainable * opt.statesOnly.value
    terms.push({
      name: 'adapters',
      bytes: ad,
      formula: `r=${rank} on ${targets.join(',')}: ${(trainable / 1e6).toFixed(1)} M params × (2 B weights + 2 B grads + ${opt.statesOnly.value} B ${t.optimizer} states) = ${fmtGB(ad)}`
    })
  }

  // Activations and logits.
  const b = profile.shape.microBatch ?? 1
  if (isLlmLike) {
    const s = profile.shape.seqLen ?? 2048
    const mode = t.gradCheckpointing
    const flash = t.flashAttention ?? false
    const per = activationBytesPerLayer(s, b, m.hidden, m.nHeads, { flash, mode })
    let act = per * m.nLayers
    let formula =
      mode === 'full'
        ? `full recompute: 2·s·b·h × ${m.nLayers} layers (s=${s}, b=${b}, h=${m.hidden})`
        : mode === 'selective' || flash
          ? `34·s·b·h × ${m.nLayers} layers (s=${s}, b=${b}, h=${m.hidden}; ${mode === 'selective' ? 'selective recompute' : 'flash attention'})`
          : `s·b·h·(34 + 5·a·s/h) × ${m.nLayers} layers (s=${s}, b=${b}, h=${m.hidden}, a=${m.nHeads})`
    if (mode === 'full') {
      // One layer is recomputed at a time: its full working set is live during backward.
      const working = activationBytesPerLayer(s, b, m.hidden, m.nHeads, { flash, mode: 'none' })
      if (t.activationOffload) {
        // unsloth-style: the per-layer checkpoints live in host RAM; the GPU keeps one layer's.
        hostBytes += act
        act = per + working
        formula = `checkpoints offloaded to CPU RAM (${fmtGB(hostBytes)} on the host); on GPU one checkpoint 2·s·b·h + one layer's working set ${fmtGB(working)} (s=${s}, b=${b}, h=${m.hidden})`
      } else {
        act += working
        formula += ` + one layer's working set ${fmtGB(working)}`
      }
    }
    terms.push({
      name: 'activations',
      bytes: act,
      formula: `${formula} = ${fmtGB(act)} (Korthikanti arXiv:2205.05198)`
    })
    const chunks = Math.max(1, t.lossChunks ?? 1)
    const logits = (s * b * (m.vocab ?? 0) * 4) / chunks
    terms.push({
      name: 'logits',
      bytes: logits,
      formula: `s·b·vocab·4 B fp32${chunks > 1 ? ` ÷ ${chunks} loss chunks` : ''} = ${s} × ${b} × ${m.vocab ?? 0} × 4${chunks > 1 ? ` ÷ ${chunks}` : ''} = ${fmtGB(logits)}`
    })
  } else {
    const per = (m.activationMbPerSample ?? 0) * 1e6
    const act = per * b
    terms.push({
      name: 'activations',
      bytes: act,
      formula: m.activationMbPerSample
        ? `${m.activationMbPerSample} MB per sample × micro-batch ${b} = ${fmtGB(act)} (profile estimate)`
        : 'no activation estimate in the profile (0)'
    })
  }
  const runtime = RESERVES.gpuRuntimeTrainingBytes.value
  terms.push({
    name: 'runtime',
    bytes: runtime,
    formula: `CUDA context and kernels 1 GiB (${RESERVES.gpuRuntimeTrainingBytes.source})`
  })
  const total = terms.reduce((s, x) => s + x.bytes, 0)
  return {
    terms,
    totalBytes: total,
    hostBytes,
    pageableBytes: pageable,
    statesBytesPerParam: statesPerParam,
    trainableParams: trainable
  }
}
