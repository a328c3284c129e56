import { describe, expect, it } from 'vitest'
import { evaluateProfile } from '../../../src-main/core/readiness/evaluate'
import { describeMachine } from '../../../src-main/core/readiness/machine'
import { loadCatalogue } from '../../../src-main/core/profiles'
import { trainingFlops } from '../../../src-main/core/speed'
import type { WorkloadProfile } from '../../../src-main/shared/readiness'

const catalogue = loadCatalogue()
const chat8b = catalogue.find((p) => p.id === 'chat-8b-q4')!
// XiongjieDai/GPU-Benchmarks-on-LLM-Inference runs llama-bench tg512: 512 generated tokens, no prompt.
const tg512: WorkloadProfile = {
  ...chat8b,
  shape: { ctxTokens: 512, promptTokens: 0, genTokens: 512, concurrency: 1 }
}

function decode(gpu: string, ramGb = 64): number {
  const e = evaluateProfile(describeMachine({ gpu, ramGb }), tg512)
  if (e.speed.decodeTokensPerSec.status !== 'ok') throw new Error('no decode estimate')
  return e.speed.decodeTokensPerSec.value
}

describe('speed', () => {
  // Published: Llama-3-8B Q4_K_M tg512 = 130.6 (RTX 4090), 115.4 (RTX 3090), 35.7 (M1 Max 32-core) tok/s.
  it.each([
    ['NVIDIA GeForce RTX 4090', 130.6, 64],
    ['NVIDIA GeForce RTX 3090', 115.4, 64],
    ['Apple M1 Max', 35.7, 32]
  ])(
    'estimates Llama-3-8B Q4_K_M decode on %s within ±25%% of the measured %s tok/s',
    (gpu, measured, ram) => {
      const v = decode(gpu, ram)
      expect(Math.abs(v - measured) / measured).toBeLessThan(0.25)
    }
  )

  it('does not add bandwidth for a layer split: 2× RTX 4090 decode an 8B no faster than one (llama.cpp 124.7 vs 130.6)', () => {
    const one = evaluateProfile(describeMachine({ gpu: 'RTX 4090', ramGb: 64 }), tg512)
    const two = evaluateProfile(describeMachine({ gpu: 'RTX 4090', gpus: 2, ramGb: 64 }), tg512)
    expect(two.speed.decodeTokensPerSec).toEqual(one.speed.decodeTokensPerSec)
  })

  // Readiness reference §2.6: 70B Q4_K_M on 2× RTX 4090 measured 19.2 tok/s.
  it('estimates 70B Q4_K_M on 2× RTX 4090 (layer split) within ±30% of the measured 19.2 tok/s', () => {
    const p = catalogue.find((x) => x.id === 'serve-70b-q4')!
    const e = evaluateProfile(describeMachine({ gpu: 'RTX 4090', gpus: 2, ramGb: 64 }), {
      ...p,
      shape: { ctxTokens: 8192, promptTokens: 0, genTokens: 512, concurrency: 1 }
    })
    expect(e.placement.kind).toBe('multi-gpu-layer')
    const v = e.speed.decodeTokensPerSec.status === 'ok' ? e.speed.decodeTokensPerSec.value : 0
    expect(Math.abs(v - 19.2) / 19.2).toBeLessThan(0.3)
  })

  it('slows partial offload to the system-RAM part: per-token time adds bytes on CPU ÷ DDR bandwidth', () => {
    const p = catalogue.find((x) => x.id === 'serve-70b-q4')!
    const slow = evaluateProfile(describeMachine({ gpu: 'RTX 4090', ramGb: 64 }), p)
    expect(slow.placement.kind).toBe('gpu-cpu-offload')
    const fast = evaluateProfile(
      describeMachine({ gpu: 'RTX 4090', ramGb: 64, ramBandwidthGBps: 102.4 }),
      p
    )
    const a =
      slow.speed.decodeTokensPerSec.status === 'ok' ? slow.speed.decodeTokensPerSec.value : 0
    const b =
      fast.speed.decodeTokensPerSec.status === 'ok' ? fast.speed.decodeTokensPerSec.value : 0
    expect(b).toBeGreaterThan(a * 1.5)
    expect(a).toBeLessThan(5)
  })

  // EleutherAI Transformer Math 101 / reference §2.6: full FT 8B on 1B tokens = 4.8e19 FLOPs → H100 SXM at 40% ≈ 34 h.
  it('uses 6·P·D for full fine-tuning, 4·P·D for adapters and +2·P·D with full recomputation', () => {
    const full = catalogue.find((x) => x.id === 'full-ft-8b')!
    const p = {
      ...full,
      model: { ...full.model, paramsActiveB: 8 },
      shape: { ...full.shape, datasetTokens: 1e9, epochs: 1 },
      training: { ...full.training!, gradCheckpointing: 'none' as const }
    }
    expect(trainingFlops(p)!.flops).toBeCloseTo(4.8e19, -17)
    expect(trainingFlops({ ...p, training: { ...p.training, method: 'lora' } })!.flops).toBeCloseTo(
      3.2e19,
      -17
    )
    expect(
      trainingFlops({ ...p, training: { ...p.training, gradCheckpointing: 'full' } })!.flops
    ).toBeCloseTo(6.4e19, -17)
  })

  it('estimates training hours from peak tensor TFLOPS × MFU, faster on an H100 than on an RTX 4090', () => {
    const p = catalogue.find((x) => x.id === 'qlora-8b')!
    const h = (gpu: string): number => {
      const e = evaluateProfile(describeMachine({ gpu, ramGb: 128 }), p)
      return e.speed.trainHours.status === 'ok' ? e.speed.trainHours.value : NaN
    }
    expect(h('H100 PCIe')).toBeLessThan(h('RTX 4090'))
    expect(h('RTX 4090')).toBeGreaterThan(1)
  })
})
