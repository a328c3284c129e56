import { describe, expect, it } from 'vitest'
import {
  buildInventory,
  emptyInventory,
  mergeSystemInformation,
  type SiInventory
} from '../../../src-main/node/inventory'
import type { Collector } from '../../../src-main/node/collectors/types'
import { ok, unavailable } from '../../../src-main/shared/reading'

const si: SiInventory = {
  cpu: async () => ({
    manufacturer: 'AMD',
    brand: 'Ryzen 9 7950X',
    physicalCores: 16,
    cores: 32,
    processors: 1,
    speed: 4.5,
    speedMax: 5.7
  }),
  cpuFlags: async () => 'fpu sse4_2 avx avx2 fma avx512f avx512_bf16 foo',
  mem: async () => ({ total: 64 * 2 ** 30, swaptotal: 0 }),
  memLayout: async () => [
    { type: 'DDR5', clockSpeed: 6000, size: 32e9 },
    { type: 'DDR5', clockSpeed: 6000, size: 32e9 }
  ],
  osInfo: async () => ({
    distro: 'Ubuntu',
    release: '24.04',
    kernel: '6.8.0',
    platform: 'linux',
    arch: 'x64'
  }),
  graphics: async () => ({ controllers: [] }),
  fsSize: async () => []
}

function collector(id: Collector['id'], probe: Collector['probe']): Collector {
  return { id, probe, sample: async () => ({}), close: async () => {} }
}

describe('inventory', () => {
  it('merges systeminformation facts once: ML-relevant ISA flags, memory speed and theoretical bandwidth', async () => {
    const inv = emptyInventory(0, 'linux', 'x64')
    await mergeSystemInformation(inv, si, 1000)
    expect(inv.cpu.model).toEqual(ok('AMD Ryzen 9 7950X'))
    expect(inv.cpu.flags).toEqual(ok(['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_bf16']))
    expect(inv.memory.speedMtps).toEqual(ok(6000))
    expect(inv.memory.bandwidthGBps).toEqual(ok(96))
    expect(inv.host.os).toEqual(ok('Ubuntu 24.04'))
  })

  it('marks a hung systeminformation call as timed out instead of waiting', async () => {
    const inv = emptyInventory(0, 'linux', 'x64')
    const t0 = Date.now()
    await mergeSystemInformation(inv, { ...si, cpu: () => new Promise(() => {}) }, 200)
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(inv.cpu.model).toMatchObject({ status: 'unavailable', reason: 'timeout' })
  })

  it('keeps probed facts, lists absent collectors once with their reasons, and names why no GPU exists', async () => {
    const r = await buildInventory({
      collectors: [
        collector('cpu', async () => ({
          status: 'present',
          inventory: { cpu: { logicalCores: ok(8) } }
        })),
        collector('gpu-nvidia', async () => ({
          status: 'absent',
          reason: unavailable('tool-missing', 'nvidia-smi not found')
        })),
        collector('thermal', async () => {
          throw new Error('bug in probe')
        })
      ],
      platform: 'linux',
      arch: 'x64',
      useSystemInformation: false,
      nowMs: 0
    })
    expect(r.present.map((c) => c.id)).toEqual(['cpu'])
    expect(r.inventory.cpu.logicalCores).toEqual(ok(8))
    expect(r.inventory.absent.filter((a) => a.deviceClass === 'gpu-nvidia')).toHaveLength(1)
    expect(r.absentReasons.get('thermal')).toMatchObject({ reason: 'failed' })
    expect(r.inventory.absent.find((a) => a.deviceClass === 'gpu')?.reason.detail).toMatch(
      /nvidia-smi not found/
    )
  })
})
