/**
 * The collector registry is the one list of collectors: ids, platforms, absent classes and GPU backends all
 * come from it, and a GPU vendor is one module there (the "new vendor" touch list in collectors/index.ts).
 */
import { describe, expect, it } from 'vitest'
import {
  ALL_COLLECTOR_IDS,
  COLLECTOR_REGISTRY,
  collectorModule,
  collectorsFor,
  isGpuDeviceClass,
  modulesFor
} from '../../../../src-main/node/collectors/index'
import type {
  CollectorModule,
  GpuCollectorModule
} from '../../../../src-main/node/collectors/types'
import { buildInventory } from '../../../../src-main/node/inventory'
import { createFileReader } from '../../../../src-main/node/platform/file-reader'
import { unavailable } from '../../../../src-main/shared/reading'
import {
  emptyGpuInfo,
  emptyGpuSample,
  GPU_SAMPLE_READINGS
} from '../../../../src-main/shared/telemetry'
import { fsCollectorDeps } from '../../../helpers/fs-collector-deps'

const modules = COLLECTOR_REGISTRY as readonly CollectorModule[]
const nowhere = () =>
  fsCollectorDeps(createFileReader({ sysRoot: '/nonexistent', procRoot: '/nonexistent' }))

describe('collector registry', () => {
  it('declares each id once, and the built collector reports the id its entry declares', () => {
    expect(new Set(ALL_COLLECTOR_IDS).size).toBe(ALL_COLLECTOR_IDS.length)
    for (const m of modules) expect(m.create(nowhere()).id).toBe(m.id)
  })

  it('gives every GPU module a vendor, a compute backend and its own absent class', () => {
    const gpus = modules.filter((m) => m.kind === 'gpu')
    expect(gpus.map((m) => m.id)).toEqual(['gpu-nvidia', 'gpu-amd', 'gpu-intel'])
    for (const m of gpus) {
      if (m.kind !== 'gpu') continue
      expect(m.vendor).toMatch(/^[a-z]+$/)
      expect(['cuda', 'rocm', 'metal', 'vulkan', 'sycl']).toContain(m.backend)
      expect(m.absentClass).toBe(m.id)
      expect(isGpuDeviceClass(m.absentClass)).toBe(true)
    }
    expect(isGpuDeviceClass('gpu')).toBe(true)
    expect(isGpuDeviceClass('storage')).toBe(false)
  })

  it('selects collectors per platform from the entries, in registry order', () => {
    expect(modulesFor('linux').map((m) => m.id)).toEqual([
      'cpu',
      'memory',
      'thermal',
      'power',
      'storage',
      'gpu-nvidia',
      'gpu-amd',
      'gpu-intel'
    ])
    expect(modulesFor('win32').map((m) => m.id)).toEqual(['si-fallback', 'gpu-nvidia'])
    expect(modulesFor('darwin').map((m) => m.id)).toEqual(['si-fallback'])
    expect(modulesFor('freebsd').map((m) => m.id)).toEqual(['si-fallback'])
    expect(collectorsFor('linux')).toHaveLength(8)
  })

  it('finds entries by id with the vendor and backend they declare', () => {
    expect(collectorModule('gpu-nvidia')).toMatchObject({ vendor: 'nvidia', backend: 'cuda' })
    expect(collectorModule('gpu-amd')).toMatchObject({ vendor: 'amd', backend: 'rocm' })
    expect(collectorModule('gpu-intel')).toMatchObject({ vendor: 'intel', backend: 'sycl' })
    expect(collectorModule('nope')).toBeUndefined()
  })

  it('takes a new vendor as one module: its GPUs carry its vendor and backend with no shared type changed', async () => {
    // What a new vendor adds besides its source file, its fixture folder and its line in COLLECTOR_REGISTRY.
    const acme: GpuCollectorModule<'gpu-acme'> = {
      id: 'gpu-acme',
      kind: 'gpu',
      vendor: 'acme',
      backend: 'vulkan',
      runsOn: (p) => p === 'linux',
      absentClass: 'gpu-acme',
      create: () => ({
        id: acme.id,
        async probe() {
          const who = { id: 'acme:0', index: 0, vendor: acme.vendor, backend: acme.backend }
          return {
            status: 'present',
            inventory: {
              gpus: [emptyGpuInfo({ ...who, name: 'Acme X1' }, unavailable('unsupported', 'x'))]
            }
          }
        },
        async sample() {
          const who = { id: 'acme:0', index: 0, vendor: acme.vendor, name: 'Acme X1' }
          return { gpus: [emptyGpuSample(who, unavailable('timeout', 'no data yet'))] }
        },
        async close() {}
      })
    }
    const c = acme.create(nowhere())
    const r = await buildInventory({
      collectors: [c],
      platform: 'linux',
      arch: 'x64',
      useSystemInformation: false,
      nowMs: 0
    })
    expect(r.inventory.gpus[0]).toMatchObject({ vendor: 'acme', backend: 'vulkan' })
    const ctx = { signal: new AbortController().signal, due: { slow: true, rare: false } }
    const s = (await c.sample(ctx)).gpus![0]
    expect(s.state).toBe('active')
    for (const k of GPU_SAMPLE_READINGS)
      expect(s[k]).toEqual({ status: 'unavailable', reason: 'timeout', detail: 'no data yet' })
  })
})
