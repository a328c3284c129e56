import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { createFileReader, type FileReader } from '../../../../src-main/node/platform/file-reader'
import {
  createMemoryCollector,
  memoryFigures,
  pageRate
} from '../../../../src-main/node/collectors/memory'
import { parseMeminfo, parsePressure, parseVmstat } from '../../../../src-main/node/sources/procfs'
import { fsCollectorDeps } from '../../../helpers/fs-collector-deps'

const signal = new AbortController().signal
const due = { slow: false, rare: false }
let tmp: string | null = null

const deps = fsCollectorDeps

afterEach(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true })
  tmp = null
})

describe('memory', () => {
  it('reads totals, used, swap, PSI and swap rates from vmstat deltas', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'rigready-mem-'))
    await cp('tests/fixtures/procfs/ryzen-7950x-desktop', tmp, { recursive: true })
    const fs = createFileReader({ sysRoot: tmp, procRoot: tmp })
    const clock = { t: 0 }
    const c = createMemoryCollector(deps(fs, clock))
    expect(await c.probe(signal)).toMatchObject({
      status: 'present',
      inventory: { memory: { totalBytes: { status: 'ok', value: 65536000 * 1024 } } }
    })
    const first = (await c.sample({ signal, due })).memory!
    expect(first.availableBytes).toEqual({ status: 'ok', value: 40960000 * 1024 })
    expect(first.availableIsEstimate).toBe(false)
    expect(first.usedBytes).toEqual({ status: 'ok', value: (65536000 - 40960000) * 1024 })
    expect(first.swapUsedBytes).toEqual({ status: 'ok', value: (8388604 - 8000000) * 1024 })
    expect(first.pressureSomeAvg10Pct).toEqual({ status: 'ok', value: 1.5 })
    expect(first.pressureFullAvg10Pct).toEqual({ status: 'ok', value: 0.75 })
    expect(first.swapInBytesPerSec).toMatchObject({
      status: 'unavailable',
      reason: 'warming-up',
      detail: 'swap rates need two samples'
    })
    await writeFile(join(tmp, 'vmstat'), 'pswpin 150\npswpout 200\n')
    clock.t += 2000
    const second = (await c.sample({ signal, due })).memory!
    expect(second.swapInBytesPerSec).toEqual({ status: 'ok', value: (50 * 4096) / 2 })
    expect(second.swapOutBytesPerSec).toEqual({ status: 'ok', value: 0 })
    await fs.close()
  })

  it('says why when /proc/meminfo, vmstat or PSI are missing', async () => {
    const fs = createFileReader({
      sysRoot: 'tests/fixtures/sysfs/none',
      procRoot: 'tests/fixtures/procfs/none'
    })
    const c = createMemoryCollector(deps(fs, { t: 0 }))
    expect(await c.probe(signal)).toMatchObject({
      status: 'absent',
      reason: { reason: 'unsupported' }
    })
    const s = (await c.sample({ signal, due })).memory!
    expect(s.totalBytes.status).toBe('unavailable')
    expect(s.pressureSomeAvg10Pct).toMatchObject({ reason: 'unsupported' })
    expect(s.swapInBytesPerSec.status).toBe('unavailable')
  })

  it('stays present with swap rates and PSI when only /proc/meminfo is unreadable', async () => {
    const real = createFileReader({
      sysRoot: 'tests/fixtures/procfs/ryzen-7950x-desktop',
      procRoot: 'tests/fixtures/procfs/ryzen-7950x-desktop'
    })
    const denied = { ok: false as const, code: 'permission-denied' as const, message: 'EACCES' }
    const fs: FileReader = {
      ...real,
      readText: async (p) => (p === '/proc/meminfo' ? denied : real.readText(p)),
      readPolled: async (p) => (p === '/proc/meminfo' ? denied : real.readPolled(p))
    }
    const c = createMemoryCollector(deps(fs, { t: 0 }))
    const probe = await c.probe(signal)
    expect(probe).toMatchObject({
      status: 'present',
      inventory: { memory: { totalBytes: { reason: 'permission-denied' } } }
    })
    const s = (await c.sample({ signal, due })).memory!
    expect(s.totalBytes).toMatchObject({ reason: 'permission-denied' })
    expect(s.pressureSomeAvg10Pct.status).toBe('ok')
    expect(s.swapInBytesPerSec).toMatchObject({ reason: 'warming-up' })
    await real.close()
  })

  it('treats permission denied on meminfo as permission-denied', async () => {
    const real = createFileReader({
      sysRoot: 'tests/fixtures/procfs/ryzen-7950x-desktop',
      procRoot: 'tests/fixtures/procfs/ryzen-7950x-desktop'
    })
    const fs: FileReader = {
      ...real,
      readPolled: async () => ({ ok: false, code: 'permission-denied', message: 'EACCES' })
    }
    const c = createMemoryCollector(deps(fs, { t: 0 }))
    await c.probe(signal)
    expect((await c.sample({ signal, due })).memory!.totalBytes).toMatchObject({
      reason: 'permission-denied'
    })
    await real.close()
  })

  it('estimates MemAvailable on old kernels and clamps it to MemTotal', () => {
    const m = parseMeminfo(
      'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 200 kB\nSReclaimable: 5 kB\n'
    )
    expect(memoryFigures(m)).toMatchObject({
      availableBytes: { value: 315 * 1024 },
      availableIsEstimate: true,
      usedBytes: { value: 685 * 1024 }
    })
    expect(
      memoryFigures(parseMeminfo('MemTotal: 10 kB\nMemAvailable: 20 kB\n')).availableBytes
    ).toEqual({ status: 'ok', value: 10240 })
    expect(memoryFigures(new Map()).usedBytes.status).toBe('unavailable')
    expect(pageRate(10, 5, 1000).status).toBe('unavailable')
  })

  it('never throws on random or truncated meminfo, vmstat and pressure text', () => {
    const meminfo = 'MemTotal:       65536000 kB\nMemFree: 1 kB\nHugePages_Total: 0\n'
    const psi =
      'some avg10=1.50 avg60=0.80 avg300=0.20 total=123456\nfull avg10=0.75 avg60=0.40 avg300=0.10 total=65432\n'
    fc.assert(
      fc.property(fc.string(), fc.nat(200), (junk, cut) => {
        for (const m of [
          parseMeminfo(junk),
          parseMeminfo(meminfo.slice(0, cut)),
          parseVmstat(junk)
        ]) {
          for (const v of m.values()) expect(Number.isFinite(v)).toBe(true)
        }
        const p = parsePressure(psi.slice(0, cut) + junk)
        if (p.some) expect(Number.isFinite(p.some.avg10Pct)).toBe(true)
        expect(() => memoryFigures(parseMeminfo(junk))).not.toThrow()
      })
    )
    expect(parsePressure(psi).full).toEqual({
      avg10Pct: 0.75,
      avg60Pct: 0.4,
      avg300Pct: 0.1,
      totalUs: 65432
    })
  })
})
