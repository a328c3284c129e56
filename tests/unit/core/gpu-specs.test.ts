import { describe, expect, it } from 'vitest'
import { GPU_SPECS, closeGpuMatches, matchGpuSpec } from '../../../src-main/core/gpu-specs'

const GIB = 2 ** 30

describe('gpu-specs', () => {
  it('holds every row of the research table with its source and a confidence from its unverified notes', () => {
    expect(GPU_SPECS.length).toBeGreaterThanOrEqual(60)
    for (const r of GPU_SPECS) expect(r.source.length).toBeGreaterThan(0)
    expect(GPU_SPECS.find((r) => r.name === 'GeForce GTX 1060 6GB')!.confidence).toBe('low')
    expect(GPU_SPECS.find((r) => r.name === 'GeForce RTX 4090')!.confidence).toBe('high')
    const r4060 = GPU_SPECS.find((r) => r.name === 'GeForce RTX 4060')!
    expect([r4060.pcieGen, r4060.pcieWidth]).toEqual([4, 8])
    expect(GPU_SPECS.find((r) => r.name.startsWith('Apple M1 Max'))!.tensorTflopsDense).toBeNull()
  })

  it.each([
    ['NVIDIA GeForce RTX 4090', 'GeForce RTX 4090'],
    ['NVIDIA H100 80GB HBM3', 'H100 SXM5 80GB'],
    ['NVIDIA H100 PCIe', 'H100 PCIe 80GB'],
    ['NVIDIA RTX A6000', 'RTX A6000'],
    ['NVIDIA A100-SXM4-80GB', 'A100 SXM4 80GB'],
    ['Tesla T4', 'Tesla T4'],
    ['Tesla V100-SXM2-32GB', 'Tesla V100 SXM2 32GB'],
    ['NVIDIA RTX 6000 Ada Generation', 'RTX 6000 Ada'],
    ['NVIDIA GeForce RTX 3090 Ti', 'GeForce RTX 3090 Ti'],
    ['NVIDIA GeForce RTX 4080 SUPER', 'GeForce RTX 4080 SUPER'],
    ['NVIDIA L4', 'L4'],
    ['AMD Radeon RX 7900 XTX', 'Radeon RX 7900 XTX'],
    ['AMD Radeon RX 7900 XT', 'Radeon RX 7900 XT'],
    ['AMD Instinct MI300X', 'Instinct MI300X'],
    ['Apple M2 Max', 'Apple M2 Max (38-core GPU)'],
    ['Intel(R) Arc(TM) A770 Graphics', 'Intel Arc A770 16GB']
  ])('matches "%s" to %s', (name, expected) => {
    expect(matchGpuSpec(name)?.spec.name).toBe(expected)
  })

  it('resolves AMD code names and gfx targets by VRAM: Navi 31 / gfx1100 with 24 GiB is the 7900 XTX, with 20 GiB the 7900 XT', () => {
    expect(matchGpuSpec('Navi 31', { vramBytes: 24 * GIB })?.spec.name).toBe('Radeon RX 7900 XTX')
    expect(matchGpuSpec('gfx1100', { vramBytes: 20 * GIB })?.spec.name).toBe('Radeon RX 7900 XT')
    expect(
      matchGpuSpec('AMD Radeon Graphics', { gfxTarget: 'gfx1100', vramBytes: 24 * GIB })?.spec.name
    ).toBe('Radeon RX 7900 XTX')
  })

  it('lowers confidence when two cards share a die and VRAM cannot tell them apart', () => {
    expect(matchGpuSpec('gfx1030', { vramBytes: 16 * GIB })?.confidence).toBe('low')
  })

  it('returns null for unknown or different products instead of a wrong neighbour', () => {
    expect(matchGpuSpec('NVIDIA GeForce RTX 4090 Laptop GPU')).toBeNull()
    expect(matchGpuSpec('Apple M2')).toBeNull()
    expect(matchGpuSpec('Matrox G200eR2')).toBeNull()
    expect(matchGpuSpec('')).toBeNull()
  })

  it('flags a VRAM mismatch with low confidence', () => {
    const m = matchGpuSpec('NVIDIA GeForce RTX 4060 Ti', { vramBytes: 8 * GIB })
    expect(m?.spec.name).toBe('GeForce RTX 4060 Ti 16GB')
    expect(m?.confidence).toBe('low')
  })

  it('prefers the VRAM-consistent row when the form factor is not in the name', () => {
    expect(matchGpuSpec('NVIDIA A100', { vramBytes: 80 * GIB })?.spec.name).toBe('A100 SXM4 80GB')
    expect(matchGpuSpec('NVIDIA A100', { vramBytes: 40 * GIB })?.spec.name).toBe('A100 PCIe 40GB')
  })

  it('suggests close rows for a typo', () => {
    expect(closeGpuMatches('RTX 4099').map((s) => s.name)).toContain('GeForce RTX 4090')
  })
})
