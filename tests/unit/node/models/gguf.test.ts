import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kvCacheBytes } from '../../../../src-main/core/memory'
import { readGgufModel } from '../../../../src-main/node/models/gguf'
import { ModelFileError } from '../../../../src-main/node/models/types'
import {
  writeGemma3_27bGguf,
  writeGptOss20bGguf,
  writeLlama8bGguf
} from '../../../helpers/model-fixtures'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rr-gguf-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('GGUF reader (files written by the test, sparse data regions)', () => {
  it('reads a dense Llama 3.1 8B Q4_K_M header: shape, exact weight bytes = the tensor table, and costs no disk', async () => {
    const w = await writeLlama8bGguf(join(dir, 'llama-8b.gguf'))
    const m = await readGgufModel(w.path)
    expect(m.weightFormat).toBe('Q4_K_M')
    expect(m.architecture).toBe('llama')
    expect(m.model.nLayers).toBe(32)
    expect(m.model.nKvHeads).toBe(8)
    expect(m.model.headDim).toBe(128)
    expect(m.model.ctxMax).toBe(131072)
    expect(m.weightBytes).toBe(w.tensorBytes)
    expect(m.model.weightBytesExact).toBe(w.tensorBytes)
    // 8.03 B params (HF model card); the tensor table counts them exactly.
    expect(m.model.paramsTotalB).toBeCloseTo(8.03, 2)
    const st = await stat(w.path)
    expect(st.blocks * 512).toBeLessThan(1e6)
    // GQA hand-computed: 2 × 32 layers × 8 KV heads × 128 × 2 B × 8192 = 1 GiB.
    expect(kvCacheBytes(m.model, 8192)).toBe(2 * 32 * 8 * 128 * 2 * 8192)
  })

  it('reads gpt-oss-20b (MoE + sliding window): experts, active bytes and the alternating 128-token window', async () => {
    const w = await writeGptOss20bGguf(join(dir, 'gpt-oss-20b-mxfp4.gguf'))
    const m = await readGgufModel(w.path)
    expect(m.weightFormat).toBe('MXFP4_MOE')
    expect(m.model.nExperts).toBe(32)
    expect(m.model.nExpertsActive).toBe(4)
    expect(m.model.slidingWindow).toBe(128)
    expect(m.model.nSlidingLayers).toBe(12)
    expect(m.weightBytes).toBe(w.tensorBytes)
    // 20.91 B params per llama-bench of the ggml-org GGUF (ours omits biases and sinks: within 1%).
    expect(Math.abs(m.model.paramsTotalB - 20.91) / 20.91).toBeLessThan(0.01)
    // Experts: 24 layers × 3 × 2880 × 2880 × 32 at MXFP4 (17 bytes per 32 weights).
    const expertBytes = ((24 * 3 * 2880 * 2880 * 32) / 32) * 17
    expect(m.model.expertWeightBytesExact).toBe(expertBytes)
    const emb = ((2880 * 201088) / 32) * 34
    expect(m.model.activeWeightBytesExact).toBe(w.tensorBytes - expertBytes - emb + expertBytes / 8)
    // SWA hand-computed at 8192 ctx: 12 global layers × 2·8·64·2 B × 8192 + 12 sliding layers × 2048 B ×
    // 768 cells (128 window + 512 ubatch, padded to 256; llama.cpp iSWA).
    expect(kvCacheBytes(m.model, 8192)).toBe(12 * 2048 * 8192 + 12 * 2048 * 768)
  })

  it('reads Gemma 3 27B (5 local : 1 global): KV at 32K is about a fifth of a global-only cache', async () => {
    const w = await writeGemma3_27bGguf(join(dir, 'gemma-3-27b.gguf'))
    const m = await readGgufModel(w.path)
    expect(m.model.nSlidingLayers).toBe(52)
    expect(m.model.slidingWindow).toBe(1024)
    // 10 global × 2·16·128·2 B × 32768 + 52 sliding × 8192 B × 1536 cells.
    const swa = 10 * 8192 * 32768 + 52 * 8192 * 1536
    expect(kvCacheBytes(m.model, 32768)).toBe(swa)
    const global = 62 * 8192 * 32768
    expect(swa / global).toBeLessThan(0.21)
  })

  it.each([
    [
      'a truncated data region',
      async (p: string) => writeLlama8bGguf(p, { truncateDataTo: 1_000_000 }),
      /truncated: tensor .* ends at data byte/
    ],
    [
      'a file cut inside its header',
      async (p: string) => {
        const { writeGguf } = await import('../../../helpers/gguf-writer')
        return writeGguf(
          p,
          { 'general.architecture': 'llama' },
          [
            { name: 'a', type: 'F32', shape: [32] },
            { name: 'b', type: 'F32', shape: [32] }
          ],
          { headerOnlyBytes: 60 }
        )
      },
      /truncated|corrupt|not a GGUF/
    ],
    ['a non-GGUF file', async (p: string) => writeFile(p, 'x'.repeat(4096)), /not a GGUF file/],
    ['an empty file', async (p: string) => writeFile(p, ''), /not a GGUF file/]
  ])('names the file and what is wrong for %s', async (_what, make, re) => {
    const p = join(dir, `bad-${Math.random().toString(36).slice(2)}.gguf`)
    await make(p)
    const err = await readGgufModel(p).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ModelFileError)
    expect((err as Error).message).toContain(p)
    expect((err as Error).message).toMatch(re)
  })

  it('says "no such file" for a missing path', async () => {
    await expect(readGgufModel(join(dir, 'missing.gguf'))).rejects.toThrow(
      /missing\.gguf: no such file/
    )
  })
})
