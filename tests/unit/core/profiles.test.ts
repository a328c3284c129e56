import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  loadCatalogue,
  mergeProfiles,
  parseProfilesFile,
  validateProfile
} from '../../../src-main/core/profiles'

const catalogue = loadCatalogue()

describe('profiles', () => {
  it('ships at least 20 valid profiles spanning LLM inference, fine-tuning, MoE, image, speech, vision, CNN and embedding', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(20)
    const families = new Set(catalogue.map((p) => p.family))
    for (const f of ['llm', 'diffusion', 'speech', 'vision', 'cnn', 'embedding'])
      expect(families.has(f as never)).toBe(true)
    expect(catalogue.some((p) => (p.model.nExperts ?? 1) > 1)).toBe(true)
    for (const id of ['serve-70b-q4', 'qlora-8b']) expect(catalogue.map((p) => p.id)).toContain(id)
    for (const p of catalogue) expect(p.sources.length).toBeGreaterThan(0)
  })

  it('uses the real Llama-3.1-8B shape from its HF config.json', () => {
    const m = catalogue.find((p) => p.id === 'qlora-8b')!.model
    expect([m.nLayers, m.nHeads, m.nKvHeads, m.headDim, m.hidden, m.ffnHidden, m.vocab]).toEqual([
      32, 32, 8, 128, 4096, 14336, 128256
    ])
  })

  it('names the bad field path in a clear error', () => {
    const bad = JSON.parse(JSON.stringify(catalogue[0]))
    bad.model.nLayers = -3
    const r = validateProfile(bad)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors).toContain('model.nLayers: expected a positive integer')
  })

  it('reports unknown fields, missing fields and unknown weight formats with their paths, per profile in a file', () => {
    const a = JSON.parse(JSON.stringify(catalogue[0]))
    a.model.nLayer = 32
    const b = JSON.parse(JSON.stringify(catalogue[1]))
    delete b.runtime
    b.precision.weightFormat = 'Q4_K_X'
    const r = parseProfilesFile(JSON.stringify({ profiles: [a, b] }))
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.errors).toContain('profiles[0].model: unknown field "nLayer"')
      expect(r.errors).toContain('profiles[1].runtime: required')
      expect(
        r.errors.some((e) =>
          e.startsWith('profiles[1].precision.weightFormat: unknown weight format')
        )
      ).toBe(true)
    }
  })

  it('requires a training section for fine-tune and pretrain profiles', () => {
    const p = JSON.parse(JSON.stringify(catalogue.find((x) => x.id === 'qlora-8b')))
    delete p.training
    const r = validateProfile(p)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors[0]).toMatch(/^training: required/)
  })

  it('rejects unknown JSON with an error instead of crashing', () => {
    for (const text of ['', 'null', '42', '"x"', '{}', '[]', '{"profiles": 3}', '{not json']) {
      const r = parseProfilesFile(text)
      expect(r.ok).toBe(false)
    }
  })

  it('never throws on random or truncated input (property)', () => {
    const text = JSON.stringify(catalogue.slice(0, 3))
    fc.assert(
      fc.property(fc.string(), fc.nat(text.length), (s, cut) => {
        parseProfilesFile(s)
        parseProfilesFile(text.slice(0, cut))
        validateProfile(s)
      }),
      { numRuns: 300 }
    )
    fc.assert(
      fc.property(fc.anything(), (v) => {
        validateProfile(v)
      }),
      { numRuns: 300 }
    )
  })

  it('accepts a single profile object and lets user profiles replace catalogue entries by id', () => {
    const mine = { ...catalogue[0], label: 'mine' }
    const r = parseProfilesFile(JSON.stringify(mine))
    expect(r.ok).toBe(true)
    if (r.ok) {
      const merged = mergeProfiles(catalogue, r.profiles)
      expect(merged.length).toBe(catalogue.length)
      expect(merged.find((p) => p.id === mine.id)!.label).toBe('mine')
    }
  })

  it('cites the config each current-family profile was verified against, with the numbers it holds', () => {
    const current = [
      'chat-qwen3-8b-q4',
      'chat-qwen3-32b-q4',
      'moe-qwen3-30b-a3b-q4',
      'moe-gpt-oss-20b',
      'moe-gpt-oss-120b',
      'chat-gemma3-27b-q4',
      'serve-llama33-70b-q4',
      'moe-llama4-scout-q4',
      'reason-r1-distill-qwen32b-q4',
      'reason-r1-distill-llama8b-q4',
      'chat-mistral-small3-24b-q4',
      'serve-deepseek-v3-q2',
      'chat-phi4-q4'
    ]
    for (const id of current) {
      const p = catalogue.find((x) => x.id === id)
      expect(p, id).toBeDefined()
      const cited = p!.sources.join(' ')
      expect(cited, id).toMatch(/Verified|Architecture =|shares the Llama 3\.1 70B/)
      // The layer count and hidden size the profile uses are the ones its source states.
      expect(cited, id).toContain(String(p!.model.hidden))
    }
    const scout = catalogue.find((x) => x.id === 'moe-llama4-scout-q4')!.model
    expect([scout.nLayers, scout.nExperts, scout.nExpertsActive, scout.nSlidingLayers]).toEqual([
      48, 16, 1, 36
    ])
    const gemma3 = catalogue.find((x) => x.id === 'chat-gemma3-27b-q4')!.model
    expect([gemma3.nLayers, gemma3.nSlidingLayers, gemma3.slidingWindow]).toEqual([62, 52, 1024])
    const gemma2 = catalogue.find((x) => x.id === 'chat-gemma2-9b-q6')!.model
    expect([gemma2.nSlidingLayers, gemma2.slidingWindow]).toEqual([21, 4096])
  })
})
