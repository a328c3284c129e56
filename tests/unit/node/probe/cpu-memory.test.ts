import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addToBins,
  parseCacheSize,
  planMemoryArrays,
  readLlcBytes
} from '../../../../src-main/node/probe/cpu-memory'
import { createFileReader } from '../../../../src-main/node/platform/file-reader'
import { ok, unavailable } from '../../../../src-main/shared/reading'

const MiB = 2 ** 20

describe('node/probe/cpu-memory', () => {
  it('parses sysfs cache sizes', () => {
    expect(parseCacheSize('491520K\n')).toBe(491520 * 1024)
    expect(parseCacheSize('32M')).toBe(32 * MiB)
    expect(parseCacheSize('1024')).toBe(1024)
    expect(parseCacheSize('lots')).toBeNull()
  })

  describe('readLlcBytes', () => {
    let root: string
    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'rr-cache-'))
      const base = join(root, 'devices/system/cpu/cpu0/cache')
      const caches = [
        ['index0', '1', 'Data', '48K'],
        ['index1', '1', 'Instruction', '32K'],
        ['index2', '2', 'Unified', '2048K'],
        ['index3', '3', 'Unified', '36864K']
      ]
      for (const [d, level, type, size] of caches) {
        await mkdir(join(base, d), { recursive: true })
        await writeFile(join(base, d, 'level'), `${level}\n`)
        await writeFile(join(base, d, 'type'), `${type}\n`)
        await writeFile(join(base, d, 'size'), `${size}\n`)
      }
    })
    afterAll(() => rm(root, { recursive: true, force: true }))

    it('takes the highest data or unified level', async () => {
      const fs = createFileReader({ sysRoot: root })
      expect(await readLlcBytes(fs)).toEqual(ok(36864 * 1024))
      await fs.close()
    })

    it('says why when there is no cache info', async () => {
      const fs = createFileReader({ sysRoot: join(root, 'nowhere') })
      const r = await readLlcBytes(fs)
      expect(r.status).toBe('unavailable')
      await fs.close()
    })
  })

  describe('planMemoryArrays', () => {
    it('uses 4× the last-level cache when memory allows', () => {
      const p = planMemoryArrays({
        llcBytes: ok(32 * MiB),
        availableBytes: ok(64 * 2 ** 30),
        threads: 8
      })
      expect(p.arrayBytes).toBe(256 * MiB) // max(4 × 32 MiB, 256 MiB)
      const q = planMemoryArrays({
        llcBytes: ok(96 * MiB),
        availableBytes: ok(64 * 2 ** 30),
        threads: 8
      })
      expect(q.arrayBytes).toBe(384 * MiB)
      expect(q.sizing).toContain('4.0× the 96 MiB last-level cache')
    })

    it('caps the arrays by available memory and says so', () => {
      const p = planMemoryArrays({
        llcBytes: ok(480 * MiB),
        availableBytes: ok(6 * 2 ** 30),
        threads: 2
      })
      expect(p.arrayBytes * 3).toBeLessThanOrEqual((6 * 2 ** 30) / 4)
      expect(p.sizing).toMatch(/STREAM asks for 4×; capped by a quarter of available memory/)
    })

    it('caps the arrays at what a wasm32 memory addresses', () => {
      const p = planMemoryArrays({
        llcBytes: ok(480 * MiB),
        availableBytes: ok(512 * 2 ** 30),
        threads: 2
      })
      expect(p.arrayBytes * 3).toBeLessThan(4 * 2 ** 30)
      expect(p.sizing).toMatch(/WebAssembly memory/)
    })

    it('keeps every slice a whole number of kernel steps', () => {
      const p = planMemoryArrays({
        llcBytes: unavailable('unsupported'),
        availableBytes: ok(3e9),
        threads: 3
      })
      expect(p.arrayBytes % (3 * 64)).toBe(0)
      expect(p.sizing).toMatch(/cache size unknown/)
    })
  })

  it('spreads reported counts over one-second bins by overlap', () => {
    const bins: number[] = []
    addToBins(bins, 10_000, 10_500, 11_500, 100) // half in bin 0, half in bin 1
    addToBins(bins, 10_000, 11_500, 12_000, 50)
    expect(bins[0]).toBeCloseTo(50)
    expect(bins[1]).toBeCloseTo(100)
    addToBins(bins, 10_000, 9_000, 10_500, 30) // the part before the origin is dropped
    expect(bins[0]).toBeCloseTo(60)
  })
})
