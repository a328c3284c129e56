import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  parseCpuinfo,
  parseCpuinfoMhz,
  parseMeminfo,
  parseVmstat,
  pickProcValues
} from '../../../../src-main/node/sources/procfs'

const fixtures = resolve(import.meta.dirname, '../../../fixtures/procfs/ryzen-7950x-desktop')
const KEYS = [
  'MemTotal',
  'MemFree',
  'MemAvailable',
  'Buffers',
  'Cached',
  'SReclaimable',
  'SwapTotal',
  'SwapFree'
]

describe('per-tick fast parsers agree with the full parsers', () => {
  it('pickProcValues matches parseMeminfo and parseVmstat on real-format files', async () => {
    const meminfo = await readFile(resolve(fixtures, 'meminfo'), 'utf8')
    const full = parseMeminfo(meminfo)
    const fast = pickProcValues(meminfo, KEYS, ':')
    for (const k of KEYS) expect(fast.get(k), k).toBe(full.get(k))
    const vmstat = await readFile(resolve(fixtures, 'vmstat'), 'utf8')
    const v = parseVmstat(vmstat)
    const fv = pickProcValues(vmstat, ['pswpin', 'pswpout', 'nr_free_pages'], ' ')
    for (const k of ['pswpin', 'pswpout', 'nr_free_pages']) expect(fv.get(k), k).toBe(v.get(k))
  })

  it('parseCpuinfoMhz matches parseCpuinfo', async () => {
    const text = await readFile(resolve(fixtures, 'cpuinfo'), 'utf8')
    const full = new Map(
      parseCpuinfo(text).flatMap((e) => (e.mhz === null ? [] : [[e.processor, e.mhz] as const]))
    )
    expect(parseCpuinfoMhz(text)).toEqual(full)
  })

  it('agree on random key/value files and never throw on garbage', () => {
    const line = fc.tuple(
      fc.constantFrom(...KEYS, 'Other', 'X'),
      fc.nat({ max: 2 ** 40 }),
      fc.constantFrom(' kB', '', ' MB')
    )
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        // Keep the first occurrence of each key, as /proc files do.
        const seen = new Set<string>()
        const uniq = lines.filter(([k]) => (seen.has(k) ? false : (seen.add(k), true)))
        const text = uniq.map(([k, n, u]) => `${k}:${' '.repeat(4)}${n}${u}`).join('\n') + '\n'
        const full = parseMeminfo(text)
        const fast = pickProcValues(text, KEYS, ':')
        for (const k of KEYS) expect(fast.get(k)).toBe(full.get(k))
      })
    )
    fc.assert(
      fc.property(fc.string(), (s) => {
        pickProcValues(s, KEYS, ':')
        pickProcValues(s, ['pswpin'], ' ')
        parseCpuinfoMhz(s)
      })
    )
  })
})
