import { describe, expect, it } from 'vitest'
import { describeMachine } from '../../../src-main/core/readiness/machine'
import {
  inferenceMemory,
  kvCacheBytes,
  loraParams,
  trainingMemory,
  weightBytes
} from '../../../src-main/core/memory'
import { evaluateProfile } from '../../../src-main/core/readiness/evaluate'
import { loadCatalogue } from '../../../src-main/core/profiles'
import type { WorkloadProfile } from '../../../src-main/shared/readiness'

const catalogue = loadCatalogue()
const byId = (id: string): WorkloadProfile => {
  const p = catalogue.find((x) => x.id === id)
  if (!p) throw new Error(`no profile ${id}`)
  return p
}
const GB = 1e9
const GIB = 2 ** 30

describe('memory', () => {
  // llama.cpp tools/quantize/README.md: Llama 3.1 Q4_K_M file sizes 4.92 / 43.1 / 249.1 GB.
  it.each([
    ['chat-8b-q4', 4.92],
    ['serve-70b-q4', 43.1],
    ['serve-405b-q4', 249.1]
  ])('puts %s Q4_K_M weights within ±5%% of llama.cpp published %s GB', (id, published) => {
    const w = weightBytes(byId(id).model, 'Q4_K_M') / GB
    expect(Math.abs(w - published) / published).toBeLessThan(0.05)
  })

  // Readiness reference §2.2 (ollama GraphSize): Llama-3.1-8B 128 KiB/token → 1 GiB at 8K; 70B 320 KiB/token → 10 GiB at 32K.
  it('sizes fp16 KV cache exactly: Llama-3.1-8B at 8K = 1 GiB, 70B at 32K = 10 GiB', () => {
    expect(kvCacheBytes(byId('chat-8b-q4').model, 8192, 1, 'f16')).toBe(GIB)
    expect(kvCacheBytes(byId('serve-70b-q4').model, 32768, 1, 'f16')).toBe(10 * GIB)
  })

  it('counts grouped-query KV heads, not attention heads (MHA formulas overestimate Llama-3-8B 4×)', () => {
    const m = byId('chat-8b-q4').model
    const mha = { ...m, nKvHeads: m.nHeads }
    expect(kvCacheBytes(mha, 8192) / kvCacheBytes(m, 8192)).toBe(4)
  })

  it('halves KV with q8_0 and quarters it with q4_0 (Ollama OLLAMA_KV_CACHE_TYPE)', () => {
    const m = byId('serve-70b-q4').model
    expect(kvCacheBytes(m, 8192, 1, 'q8_0')).toBe(kvCacheBytes(m, 8192, 1, 'f16') / 2)
    expect(kvCacheBytes(m, 8192, 1, 'q4_0')).toBe(kvCacheBytes(m, 8192, 1, 'f16') / 4)
  })

  it('multiplies KV by parallel slots', () => {
    const m = byId('chat-8b-q4').model
    expect(kvCacheBytes(m, 8192, 4)).toBe(4 * GIB)
  })

  // Readiness reference §2.5: 70B Q4_K_M at 8K ≈ 40 GiB + 2.5 GiB KV + ~1.5 GiB ≈ 44 GiB.
  it('puts serve-70b-q4 at 8K near the reference 44 GiB total, with every term and its formula', () => {
    const mem = inferenceMemory(byId('serve-70b-q4'), 'Q4_K_M')
    expect(mem.totalBytes / GIB).toBeGreaterThan(41)
    expect(mem.totalBytes / GIB).toBeLessThan(46)
    expect(mem.terms.map((t) => t.name)).toEqual(['weights', 'kv-cache', 'buffers', 'runtime'])
    for (const t of mem.terms) expect(t.formula.length).toBeGreaterThan(10)
  })

  // ZeRO arXiv:1910.02054 (16 B/param) and HF model_memory_anatomy (18 B/param).
  it('keeps full fine-tuning model states for 8B with mixed-precision AdamW between 16 and 18 bytes/param', () => {
    const p = byId('full-ft-8b')
    const tm = trainingMemory(p, 1)
    const states = tm.terms
      .filter((t) => ['weights', 'gradients', 'optimizer'].includes(t.name))
      .reduce((s, t) => s + t.bytes, 0)
    const perParam = states / (p.model.paramsTotalB * 1e9)
    expect(perParam).toBeGreaterThanOrEqual(16)
    expect(perParam).toBeLessThanOrEqual(18)
    expect(tm.statesBytesPerParam).toBe(16)
  })

  // ZeRO paper example: Ψ = 7.5B, N = 64 → 120 / 31.4 / 16.6 / 1.9 GB for baseline / Z1 / Z2 / Z3.
  it('reproduces the ZeRO paper per-GPU model states for 7.5B params on 64 GPUs', () => {
    const base = byId('full-ft-8b')
    const p = (stage: 0 | 1 | 2 | 3): WorkloadProfile => ({
      ...base,
      model: { ...base.model, paramsTotalB: 7.5 },
      training: { ...base.training!, zeroStage: stage }
    })
    const states = (stage: 0 | 1 | 2 | 3): number =>
      trainingMemory(p(stage), 64)
        .terms.filter((t) => ['weights', 'gradients', 'optimizer'].includes(t.name))
        .reduce((s, t) => s + t.bytes, 0) / GB
    expect(states(0)).toBeCloseTo(120, 0)
    expect(states(1)).toBeCloseTo(31.4, 0)
    expect(states(2)).toBeCloseTo(16.6, 0)
    expect(states(3)).toBeCloseTo(1.9, 0)
  })

  // Readiness reference §2.4: Llama-3-8B r=16 on q,k,v,o,gate,up,down ≈ 41.9 M adapter params.
  it('counts LoRA adapter params as r × (d_in + d_out) over targets: 41.9 M for Llama-3-8B r=16 all linear', () => {
    const n = loraParams(byId('qlora-8b').model, 16, ['q', 'k', 'v', 'o', 'gate', 'up', 'down'])
    expect(n / 1e6).toBeCloseTo(41.9, 1)
  })

  // Readiness reference §2.4 derived QLoRA-8B example ≈ 9 GB (NF4 3.6 + embeddings 2.1 + adapters + activations + logits + runtime).
  it('puts QLoRA-8B (seq 2048, batch 1, full checkpointing) near the reference ~9 GB', () => {
    const tm = trainingMemory(byId('qlora-8b'), 1)
    expect(tm.totalBytes / GB).toBeGreaterThan(7.5)
    expect(tm.totalBytes / GB).toBeLessThan(10.5)
    const w = tm.terms.find((t) => t.name === 'weights')!
    expect(w.bytes / GB).toBeCloseTo(3.6 + 2.1, 0)
  })

  // QLoRA arXiv:2305.14314: "finetune a 65B parameter model on a single 48GB GPU" (r=64 on all linear layers).
  it('fits a 65B QLoRA fine-tune on one 48 GB GPU (RTX A6000)', () => {
    const base = byId('qlora-8b')
    const llama65: WorkloadProfile = {
      ...base,
      id: 'qlora-65b',
      model: {
        name: 'llama-65b',
        paramsTotalB: 65.2,
        paramsActiveB: 65.2,
        paramsUnquantizedB: 0.52,
        nLayers: 80,
        nHeads: 64,
        nKvHeads: 64,
        headDim: 128,
        hidden: 8192,
        ffnHidden: 22016,
        vocab: 32000
      },
      shape: { seqLen: 512, microBatch: 1, datasetTokens: 1e7, epochs: 1 },
      training: {
        method: 'qlora',
        loraRank: 64,
        loraTargets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
        optimizer: 'adamw',
        gradCheckpointing: 'full',
        flashAttention: true
      }
    }
    const e = evaluateProfile(describeMachine({ gpu: 'RTX A6000', ramGb: 128 }), llama65)
    expect(e.verdict === 'fits-tight' || e.verdict === 'fits-comfortably').toBe(true)
    expect(e.memory.requiredBytes).toBeLessThan(48 * GIB)
    // …and it does not fit a 24 GB card.
    expect(evaluateProfile(describeMachine({ gpu: 'RTX 4090', ramGb: 128 }), llama65).verdict).toBe(
      'does-not-fit'
    )
  })

  it('keeps QLoRA embeddings at 16 bits but GGUF bpw already includes them', () => {
    const m = byId('chat-8b-q4').model
    expect(weightBytes(m, 'NF4')).toBeGreaterThan(
      weightBytes({ ...m, paramsUnquantizedB: 0 }, 'NF4')
    )
    expect(weightBytes(m, 'Q4_K_M')).toBe(weightBytes({ ...m, paramsUnquantizedB: 0 }, 'Q4_K_M'))
  })

  it('uses total params for MoE memory and active params for bandwidth', () => {
    const mx = byId('moe-mixtral-q4').model
    expect(weightBytes(mx, 'Q4_K_M') / weightBytes(mx, 'Q4_K_M', mx.paramsActiveB)).toBeCloseTo(
      46.7 / 12.9,
      5
    )
  })
})
