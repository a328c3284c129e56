import { describe, expect, it } from 'vitest'
import {
  loadCatalogue,
  resolveCatalogueModel,
  resolveProfileId
} from '../../../src-main/core/profiles'

const catalogue = loadCatalogue()

describe('catalogue names: "did you mean" for profile ids and model names', () => {
  it('resolves profile ids exactly and suggests near misses only', () => {
    const ok = resolveProfileId('chat-8b-q4', catalogue)
    expect(ok.ok && ok.item.id).toBe('chat-8b-q4')
    const typo = resolveProfileId('chat-8b-q5', catalogue)
    expect(typo.ok).toBe(false)
    if (typo.ok) return
    expect(typo.message).toMatch(/^unknown profile "chat-8b-q5"; did you mean: .*chat-8b-q4/)
    // Suggestions, not the whole catalogue.
    expect(typo.message.split(',').length).toBeLessThanOrEqual(5)
    const partial = resolveProfileId('gpt-oss', catalogue)
    expect(!partial.ok && partial.message).toMatch(/moe-gpt-oss-20b, moe-gpt-oss-120b/)
    const none = resolveProfileId('zzzzzzzz', catalogue)
    expect(!none.ok && none.message).toBe(
      'unknown profile "zzzzzzzz" (see `rigready list profiles`)'
    )
  })

  it.each([
    ['moe-qwen3-30b-a3b-q4', 'Qwen3-30B-A3B'],
    ['qwen3-30b-a3b', 'Qwen3-30B-A3B'],
    ['Qwen3 30B A3B', 'Qwen3-30B-A3B'],
    ['gpt-oss-20b', 'gpt-oss-20b'],
    ['llama-3.1-8b', 'Llama-3.1-8B-Instruct'],
    ['Llama 3.3 70B', 'Llama-3.3-70B-Instruct'],
    ['gemma-3-27b', 'gemma-3-27b-it'],
    ['phi-4', 'phi-4']
  ])('model "%s" resolves to %s', (query, name) => {
    const r = resolveCatalogueModel(query, catalogue)
    expect(r.ok ? r.item : r.message).toBe(name)
  })

  it('reports an ambiguous model name with its candidates instead of picking one', () => {
    const r = resolveCatalogueModel('qwen3', catalogue)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.message).toMatch(/model "qwen3" is ambiguous: .*Qwen3-8B.*Qwen3-32B/)
  })

  it('suggests near misses for an unknown model', () => {
    const r = resolveCatalogueModel('gpt-oss-21b', catalogue)
    expect(r.ok).toBe(false)
    if (!r.ok)
      expect(r.message).toMatch(/^unknown model "gpt-oss-21b"; did you mean: .*gpt-oss-20b/)
  })
})
