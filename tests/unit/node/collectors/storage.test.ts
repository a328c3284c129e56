import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  createStorageCollector,
  type StorageCollectorOptions
} from '../../../../src-main/node/collectors/storage'
import type { CollectorDeps } from '../../../../src-main/node/collectors/types'
import type { CommandResult } from '../../../../src-main/node/platform/command-runner'
import { createFileReader, type FileReader } from '../../../../src-main/node/platform/file-reader'
import { silentLogger } from '../../../../src-main/node/platform/logger'
import { createFakeRunner, okResult, type FakeResponse } from '../../../helpers/fake-runner'

const ROOT = resolve(__dirname, '../../../fixtures/sysfs/storage-nvme-ssd-hdd')
const signal = new AbortController().signal

function setup(
  routes: Record<string, FakeResponse> = {},
  options: StorageCollectorOptions = {},
  wrap: (fs: FileReader) => FileReader = (fs) => fs
) {
  let mono = 0
  const run = createFakeRunner(routes)
  const deps: CollectorDeps = {
    run,
    spawnStream: (() => {
      throw new Error('not used')
    }) as unknown as CollectorDeps['spawnStream'],
    fs: wrap(createFileReader({ sysRoot: ROOT, procRoot: `${ROOT}/proc` })),
    clock: {
      now: () => 1_700_000_000_000,
      monotonic: () => mono,
      setTimeout: () => 0,
      clearTimeout: () => {}
    },
    log: silentLogger,
    platform: 'linux',
    intervalMs: 1000,
    env: {}
  }
  return { c: createStorageCollector(deps, options), run, advance: (ms: number) => (mono += ms) }
}

describe('storage', () => {
  it('classifies NVMe, SATA SSD and HDD, skips loop devices, trims the model and reads the NVMe link', async () => {
    const { c } = setup()
    const probe = await c.probe(signal)
    expect(probe.status).toBe('present')
    const devs = probe.status === 'present' ? probe.inventory.storage! : []
    expect(devs.map((d) => [d.name, d.kind])).toEqual([
      ['nvme0n1', 'nvme'],
      ['sda', 'sata-ssd'],
      ['sdb', 'hdd']
    ])
    const nvme = devs[0]
    expect(nvme.model).toEqual({ status: 'ok', value: 'Samsung SSD 990 PRO 2TB' })
    expect(nvme.sizeBytes).toEqual({ status: 'ok', value: 3907029168 * 512 })
    expect(
      [nvme.pcieGen, nvme.pcieWidth, nvme.pcieMaxGen, nvme.pcieMaxWidth].map(
        (r) => r.status === 'ok' && r.value
      )
    ).toEqual([3, 4, 4, 4])
    expect(devs[1].transport).toEqual({ status: 'ok', value: 'sata' })
    expect(devs[2].pcieGen.status).toBe('unavailable')
  })

  it('reports NVMe Composite with the drive limits and extra sensors, and rates from the second sample on', async () => {
    const { c, advance } = setup()
    await c.probe(signal)
    const first = (await c.sample({ signal, due: { slow: true, rare: false } })).storage!
    const n1 = first.devices[0]
    expect(n1.temperatureCelsius).toEqual({ status: 'ok', value: 71.85 })
    expect(n1.tempMaxCelsius).toEqual({ status: 'ok', value: 81.85 })
    expect(n1.tempCritCelsius).toEqual({ status: 'ok', value: 84.85 })
    expect(n1.extraTemperatures).toEqual([
      { label: 'Sensor 1', temperatureCelsius: 71.85 },
      { label: 'Sensor 2', temperatureCelsius: 79.85 }
    ])
    expect(n1.readBytesPerSec.status).toBe('unavailable')
    expect(n1.smart).toMatchObject({ status: 'unavailable' })
    advance(1000)
    const second = (await c.sample({ signal, due: { slow: false, rare: false } })).storage!
    // Same diskstats file twice: zero rate, which is a real value, not unknown.
    expect(second.devices[0].readBytesPerSec).toEqual({ status: 'ok', value: 0 })
    expect(second.devices[2].temperatureCelsius.status).toBe('unavailable')
  })

  it('reports filesystems unavailable under fixture roots, and stats them through the reader otherwise', async () => {
    const { c } = setup()
    const s = (await c.sample({ signal, due: { slow: true, rare: false } })).storage!
    expect(s.filesystems.map((f) => f.mount)).toEqual([
      '/',
      '/dev/shm',
      '/mnt/big data',
      '/tank/datasets'
    ])
    expect(s.filesystems[0].freeBytes).toMatchObject({
      status: 'unavailable',
      reason: 'unsupported',
      detail: '/: not in the fixture tree (filesystem not stat-ed)'
    })
    // A reader whose paths are this machine's (as with the real roots) answers statfs itself.
    const seen: string[] = []
    const { c: c2 } = setup({}, {}, (fs) => ({
      ...fs,
      hostPaths: true,
      statfs: async (p) => {
        seen.push(p)
        return p === '/tank/datasets'
          ? { ok: false, code: 'permission-denied', message: 'EACCES' }
          : { ok: true, value: { bsize: 4096, blocks: 1000, bavail: 250 } }
      }
    }))
    const s2 = (await c2.sample({ signal, due: { slow: true, rare: false } })).storage!
    expect(s2.filesystems[0]).toEqual({
      mount: '/',
      sizeBytes: { status: 'ok', value: 4096000 },
      freeBytes: { status: 'ok', value: 1024000 }
    })
    expect(s2.filesystems[3].freeBytes).toMatchObject({ reason: 'permission-denied' })
    expect(seen).toContain('/mnt/big data')
  })

  it('runs smartctl only on rare ticks and keeps the last good result between them and over a timeout', async () => {
    const json = JSON.stringify({
      smart_status: { passed: true },
      temperature: { current: 40 },
      nvme_smart_health_information_log: { critical_warning: 0, percentage_used: 7 }
    })
    let answer: CommandResult = okResult(json)
    const { c, run } = setup({ smartctl: () => answer })
    await c.probe(signal)
    await c.sample({ signal, due: { slow: true, rare: false } })
    expect(run.calls).toHaveLength(0)
    const a = (await c.sample({ signal, due: { slow: true, rare: true } })).storage!
    expect(run.calls.map((x) => x.args.join(' '))).toEqual([
      '-j -a /dev/nvme0n1',
      '-j -a /dev/sda',
      '-j -a /dev/sdb'
    ])
    expect(a.devices[0].smart).toMatchObject({
      status: 'ok',
      value: { percentageUsed: { value: 7 } }
    })
    const b = (await c.sample({ signal, due: { slow: false, rare: false } })).storage!
    expect(b.devices[0].smart).toEqual(a.devices[0].smart)
    answer = { kind: 'timeout', timeoutMs: 15000, stdout: '' }
    const d = (await c.sample({ signal, due: { slow: false, rare: true } })).storage!
    expect(d.devices[0].smart.status).toBe('ok')
  })

  it('says tool-missing when smartctl is not installed', async () => {
    const { c } = setup({})
    const s = (await c.sample({ signal, due: { slow: true, rare: true } })).storage!
    expect(s.devices[0].smart).toMatchObject({ status: 'unavailable', reason: 'tool-missing' })
  })
})
