import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createStorageCollector } from '../../src-main/node/collectors/storage'
import { parseDiskstats } from '../../src-main/node/sources/block'
import type { CollectorDeps } from '../../src-main/node/collectors/types'
import { createFileReader } from '../../src-main/node/platform/file-reader'
import { silentLogger } from '../../src-main/node/platform/logger'
import { createFakeRunner } from '../helpers/fake-runner'
import { describePeer, peer } from '../helpers/peer-fixtures'

const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

describePeer('conformance: node_exporter diskstats and sys/block', () => {
  it('reads nvme0n1 read bytes 2377714176 from the real diskstats', async () => {
    const m = parseDiskstats(
      await readFile(peer('prometheus__node_exporter/proc/diskstats'), 'utf8')
    )
    expect(m.get('nvme0n1')!.sectorsRead * 512).toBe(2377714176)
  })

  it('turns two diskstats samples into a rate for sda and leaves dm/md devices out', async () => {
    const text = await readFile(peer('prometheus__node_exporter/proc/diskstats'), 'utf8')
    // A second diskstats one second later: sda read 2048 more sectors (1 MiB) and was busy 250 ms.
    const later = text.replace(
      /^(\s*8\s+0\s+sda\s+\d+\s+\d+\s+)(\d+)((?:\s+\d+){6}\s+)(\d+)/m,
      (_, a, sr, mid, io) => `${a}${Number(sr) + 2048}${mid}${Number(io) + 250}`
    )
    expect(later).not.toBe(text)
    const proc = await mkdtemp(join(tmpdir(), 'rigready-diskstats-'))
    dirs.push(proc)
    await writeFile(join(proc, 'diskstats'), text)
    let mono = 0
    const deps: CollectorDeps = {
      run: createFakeRunner({}),
      spawnStream: (() => {
        throw new Error('not used')
      }) as unknown as CollectorDeps['spawnStream'],
      fs: createFileReader({ sysRoot: peer('prometheus__node_exporter/sys'), procRoot: proc }),
      clock: { now: () => 0, monotonic: () => mono, setTimeout: () => 0, clearTimeout: () => {} },
      log: silentLogger,
      platform: 'linux',
      intervalMs: 1000,
      env: {}
    }
    const c = createStorageCollector(deps)
    const probe = await c.probe(new AbortController().signal)
    const names = probe.inventory?.storage?.map((d) => d.name) ?? []
    // node_exporter's sys/block has sda…sdn, dm-* and md* (no nvme); the virtual ones are left out.
    expect(names).toContain('sda')
    expect(names.some((n) => n.startsWith('dm-') || n.startsWith('loop'))).toBe(false)
    const ctx = { signal: new AbortController().signal, due: { slow: true, rare: false } }
    await c.sample(ctx)
    await writeFile(join(proc, 'diskstats'), later)
    mono += 1000
    const s = (await c.sample(ctx)).storage!
    const nvme = s.devices.find((d) => d.name === 'sda')!
    expect(nvme.readBytesPerSec).toEqual({ status: 'ok', value: 1048576 })
    expect(nvme.writeBytesPerSec).toEqual({ status: 'ok', value: 0 })
    expect(nvme.busyPct).toEqual({ status: 'ok', value: 25 })
  })
})
