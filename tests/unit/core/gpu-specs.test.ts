import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  GPU_SPECS,
  closeGpuMatches,
  matchGpuSpec,
  resolveGpuName
} from '../../../src-main/core/gpu-specs'

const ROOT = resolve(import.meta.dirname, '../../..')

/** The project's own spec table, split the way the build script splits it (quoted cells may hold commas). */
function extraRows(): Record<string, string>[] {
  const text = readFileSync(resolve(ROOT, 'resources/data/gpu-specs-extra.csv'), 'utf8')
  const split = (line: string): string[] => {
    const out: string[] = []
    let cur = ''
    let quoted = false
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]
      if (quoted && ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = !quoted
      else if (ch === ',' && !quoted) {
        out.push(cur)
        cur = ''
      } else cur += ch
    }
    out.push(cur)
    return out
  }
  const [header, ...lines] = text.trim().split(/\r?\n/).map(split)
  return lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])))
}

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
    expect(matchGpuSpec('Apple M5 Ultra')).toBeNull()
    expect(matchGpuSpec('Matrox G200eR2')).toBeNull()
    expect(matchGpuSpec('')).toBeNull()
  })

  it('flags a VRAM mismatch with low confidence', () => {
    const m = matchGpuSpec('NVIDIA GeForce RTX 4090', { vramBytes: 12 * GIB })
    expect(m?.spec.name).toBe('GeForce RTX 4090')
    expect(m?.confidence).toBe('low')
  })

  it('tells memory variants of one name apart by the measured VRAM, and says so when it cannot', () => {
    expect(matchGpuSpec('NVIDIA GeForce RTX 4060 Ti', { vramBytes: 8 * GIB })?.spec.name).toBe(
      'GeForce RTX 4060 Ti 8GB'
    )
    expect(matchGpuSpec('NVIDIA GeForce RTX 4060 Ti', { vramBytes: 15.6 * GIB })?.spec.name).toBe(
      'GeForce RTX 4060 Ti 16GB'
    )
    expect(matchGpuSpec('NVIDIA GeForce RTX 3060', { vramBytes: 12 * GIB })?.spec.name).toBe(
      'GeForce RTX 3060 12GB'
    )
    expect(matchGpuSpec('Intel(R) Arc(TM) A770 Graphics', { vramBytes: 8 * GIB })?.spec.name).toBe(
      'Intel Arc A770 8GB'
    )
    const unknownSize = matchGpuSpec('NVIDIA GeForce RTX 4060 Ti')
    expect(unknownSize?.note).toMatch(/ambiguous/)
    expect(unknownSize?.confidence).not.toBe('high')
  })

  it('matches Apple chips by their GPU core count when the name gives it', () => {
    expect(matchGpuSpec('Apple M1 Max (24-core GPU)')?.spec.name).toBe('Apple M1 Max (24-core GPU)')
    expect(matchGpuSpec('Apple M3 Pro 14-core')?.spec.name).toBe('Apple M3 Pro (14-core GPU)')
    const bare = matchGpuSpec('Apple M2')
    expect(bare?.spec.name).toBe('Apple M2 (10-core GPU)')
    expect(bare?.note).toMatch(/ambiguous/)
  })

  it('prefers the VRAM-consistent row when the form factor is not in the name', () => {
    expect(matchGpuSpec('NVIDIA A100', { vramBytes: 80 * GIB })?.spec.name).toBe('A100 SXM4 80GB')
    expect(matchGpuSpec('NVIDIA A100', { vramBytes: 40 * GIB })?.spec.name).toBe('A100 PCIe 40GB')
  })

  it('suggests close rows for a typo', () => {
    expect(closeGpuMatches('RTX 4099').map((s) => s.name)).toContain('GeForce RTX 4090')
  })

  it('completes the table for what people own: every RTX 20–50, workstation, datacenter, Radeon, Arc and Apple M1–M4 variant', () => {
    const names = new Set(GPU_SPECS.map((r) => r.name))
    const expected = [
      ...['2060', '2060 12GB', '2060 SUPER', '2070', '2070 SUPER', '2080', '2080 SUPER', '2080 Ti'],
      ...['3050 6GB', '3050 8GB', '3060 8GB', '3060 12GB', '3060 Ti', '3070', '3070 Ti'],
      ...['3080 10GB', '3080 12GB', '3080 Ti', '3090', '3090 Ti'],
      ...['4060', '4060 Ti 8GB', '4060 Ti 16GB', '4070', '4070 SUPER', '4070 Ti', '4070 Ti SUPER'],
      ...['4080', '4080 SUPER', '4090'],
      ...['5050', '5060', '5060 Ti 8GB', '5060 Ti 16GB', '5070', '5070 Ti', '5080', '5090']
    ].map((n) => `GeForce RTX ${n}`)
    const workstation = [
      'Quadro RTX 4000',
      'Quadro RTX 5000',
      'Quadro RTX 6000',
      'Quadro RTX 8000',
      'RTX A2000 6GB',
      'RTX A2000 12GB',
      'RTX A4000',
      'RTX A4500',
      'RTX A5000',
      'RTX A5500',
      'RTX A6000',
      'RTX 2000 Ada',
      'RTX 4000 SFF Ada',
      'RTX 4000 Ada',
      'RTX 4500 Ada',
      'RTX 5000 Ada',
      'RTX 6000 Ada',
      'RTX PRO 4000 Blackwell',
      'RTX PRO 4500 Blackwell',
      'RTX PRO 5000 Blackwell',
      'RTX PRO 6000 Blackwell'
    ]
    const datacenter = ['A100 PCIe 80GB', 'A100 SXM4 40GB', 'H100 NVL 94GB', 'H200 SXM 141GB']
    const amd = ['6600', '6600 XT', '6650 XT', '6700 XT', '6750 XT', '6800', '6800 XT', '6900 XT']
      .concat([
        '6950 XT',
        '7600',
        '7600 XT',
        '7700 XT',
        '7800 XT',
        '7900 GRE',
        '7900 XT',
        '7900 XTX'
      ])
      .concat(['9060 XT 8GB', '9060 XT 16GB', '9070', '9070 XT'])
      .map((n) => `Radeon RX ${n}`)
    const arc = ['A310', 'A380', 'A580', 'A750', 'A770 8GB', 'A770 16GB', 'B570', 'B580'].map(
      (n) => `Intel Arc ${n}`
    )
    const apple = [
      'M1 (7-core GPU)',
      'M1 (8-core GPU)',
      'M1 Pro (14-core GPU)',
      'M1 Pro (16-core GPU)',
      'M1 Max (24-core GPU)',
      'M1 Max (32-core GPU)',
      'M1 Ultra (48-core GPU)',
      'M1 Ultra (64-core GPU)',
      'M2 (8-core GPU)',
      'M2 (10-core GPU)',
      'M2 Pro (16-core GPU)',
      'M2 Pro (19-core GPU)',
      'M2 Max (30-core GPU)',
      'M2 Max (38-core GPU)',
      'M2 Ultra (60-core GPU)',
      'M2 Ultra (76-core GPU)',
      'M3 (8-core GPU)',
      'M3 (10-core GPU)',
      'M3 Pro (14-core GPU)',
      'M3 Pro (18-core GPU)',
      'M3 Max (30-core GPU)',
      'M3 Max (40-core GPU)',
      'M3 Ultra (60-core GPU)',
      'M3 Ultra (80-core GPU)',
      'M4 (8-core GPU)',
      'M4 (10-core GPU)',
      'M4 Pro (16-core GPU)',
      'M4 Pro (20-core GPU)',
      'M4 Max (32-core GPU)',
      'M4 Max (40-core GPU)'
    ].map((n) => `Apple ${n}`)
    const missing = [...expected, ...workstation, ...datacenter, ...amd, ...arc, ...apple].filter(
      (n) => !names.has(n)
    )
    expect(missing).toEqual([])
  })

  it('gives every row a source, and every row of the project table reached the built JSON with it', () => {
    for (const r of GPU_SPECS) expect(r.source.trim().length, r.name).toBeGreaterThan(0)
    const extra = extraRows()
    expect(extra.length).toBeGreaterThan(80)
    const legend = readFileSync(resolve(ROOT, 'resources/data/gpu-specs-extra-sources.md'), 'utf8')
    for (const e of extra) {
      expect(e.source?.trim().length, e.name).toBeGreaterThan(0)
      const row = GPU_SPECS.find((r) => r.name === e.name)
      expect(
        row,
        `${e.name} missing from resources/gpu-specs.json (run scripts/build-gpu-specs.mjs)`
      ).toBeDefined()
      expect(row!.source).toContain(e.source.replace(/\s*\(unverified:[^)]*\)/, ''))
      // Every source key the row names (first word of each `;` part) is explained in the legend.
      for (const part of e.source.replace(/\([^)]*\)/g, '').split(';')) {
        const key = part.trim().split(/[\s(]/)[0]
        if (/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/.test(key) && key.length >= 2)
          expect(legend, `${e.name}: source key ${key}`).toContain(key)
      }
      if (e.length_mm !== '') expect(row!.boardLengthMm).toBe(Number(e.length_mm))
      if (e.slot_width !== '') expect(row!.slotWidth).toBe(Number(e.slot_width))
      if (e.power_connectors !== '') expect(row!.powerConnectors).toBe(e.power_connectors)
    }
  })

  it('keeps unknown fields unknown: an empty cell is null, never 0', () => {
    for (const r of GPU_SPECS) {
      for (const v of [r.vramGb, r.memBandwidthGBps, r.fp32Tflops, r.tdpWatts, r.boardLengthMm])
        if (v !== null) expect(v).toBeGreaterThan(0)
    }
    const m4 = GPU_SPECS.find((r) => r.name === 'Apple M4 (10-core GPU)')!
    expect([m4.tdpWatts, m4.tensorTflopsDense, m4.pcieGen, m4.boardLengthMm]).toEqual([
      null,
      null,
      null,
      null
    ])
    expect(GPU_SPECS.find((r) => r.name === 'GeForce RTX 4090')!.slotWidth).toBe(3)
  })

  it('keeps the keys of the research rows stable and names new rows in the same scheme', () => {
    const keys = GPU_SPECS.map((r) => r.key)
    expect(new Set(keys).size).toBe(keys.length)
    for (const r of GPU_SPECS)
      expect(r.key).toBe(
        r.name
          .toLowerCase()
          .replace(/[()]/g, ' ')
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '')
      )
    expect(keys).toContain('geforce-rtx-4090')
    expect(keys).toContain('apple-m1-max-32-core-gpu')
  })

  describe('user-typed names (--gpu)', () => {
    it.each([
      ['rtx4090', 'GeForce RTX 4090'],
      ['RTX 4090', 'GeForce RTX 4090'],
      ['GeForce RTX 4090 24GB', 'GeForce RTX 4090'],
      ['NVIDIA GeForce RTX 4090', 'GeForce RTX 4090'],
      ['4090', 'GeForce RTX 4090'],
      ['4060', 'GeForce RTX 4060'],
      ['4060 Ti 16GB', 'GeForce RTX 4060 Ti 16GB'],
      ['4060 Ti 8GB', 'GeForce RTX 4060 Ti 8GB'],
      ['RTX 4060 Ti 16 GB', 'GeForce RTX 4060 Ti 16GB'],
      ['4070 super', 'GeForce RTX 4070 SUPER'],
      ['3080 12GB', 'GeForce RTX 3080 12GB'],
      ['RTX 3080 Ti', 'GeForce RTX 3080 Ti'],
      ['rtx a6000', 'RTX A6000'],
      ['RTX 6000 Ada', 'RTX 6000 Ada'],
      ['Quadro RTX 8000', 'Quadro RTX 8000'],
      ['RTX PRO 6000 Blackwell', 'RTX PRO 6000 Blackwell'],
      ['h100 nvl', 'H100 NVL 94GB'],
      ['7900xtx', 'Radeon RX 7900 XTX'],
      ['RX 7900 XT', 'Radeon RX 7900 XT'],
      ['rx 6700 xt', 'Radeon RX 6700 XT'],
      ['9070 XT', 'Radeon RX 9070 XT'],
      ['Arc B580', 'Intel Arc B580'],
      ['a770 16gb', 'Intel Arc A770 16GB'],
      ['M1 Max', 'Apple M1 Max (32-core GPU)'],
      ['M1 Max 24-core', 'Apple M1 Max (24-core GPU)'],
      ['m3 pro 14c', 'Apple M3 Pro (14-core GPU)'],
      ['Apple M4', 'Apple M4 (10-core GPU)'],
      ['M2 Ultra', 'Apple M2 Ultra (76-core GPU)']
    ])('"%s" resolves to %s', (query, name) => {
      const r = resolveGpuName(query)
      expect(r.ok ? r.spec.name : r.message).toBe(name)
    })

    it.each([
      ['4060 Ti', ['GeForce RTX 4060 Ti 8GB', 'GeForce RTX 4060 Ti 16GB']],
      ['RTX 3060', ['GeForce RTX 3060 8GB', 'GeForce RTX 3060 12GB']],
      ['9060 XT', ['Radeon RX 9060 XT 8GB', 'Radeon RX 9060 XT 16GB']],
      ['A770', ['Intel Arc A770 8GB', 'Intel Arc A770 16GB']]
    ])('"%s" is ambiguous until the memory size is given', (query, candidates) => {
      const r = resolveGpuName(query)
      expect(r.ok).toBe(false)
      if (r.ok) return
      for (const c of candidates) expect(r.message).toContain(c)
      expect(r.message).toMatch(/memory size/)
    })

    it('suggests near misses and never picks silently', () => {
      const r = resolveGpuName('RTX 4099')
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.message).toMatch(/did you mean: .*GeForce RTX 4090/)
    })
  })
})
