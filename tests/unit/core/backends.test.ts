import { describe, expect, it } from 'vitest'
import { ROCM_GFX_TARGETS, chooseBackend, rocmPresence } from '../../../src-main/core/backends'
import { evaluateProfile } from '../../../src-main/core/readiness/evaluate'
import { describeMachine, machineFromInventory } from '../../../src-main/core/readiness/machine'
import { loadCatalogue } from '../../../src-main/core/profiles'
import { ok, unavailable } from '../../../src-main/shared/reading'
import type { GpuInfo, Inventory } from '../../../src-main/shared/telemetry'

const catalogue = loadCatalogue()
const chat8b = catalogue.find((p) => p.id === 'chat-8b-q4')!

describe('llama.cpp backend choice', () => {
  it('uses ROCm for AMD cards on the support list and Vulkan for the rest, saying why', () => {
    expect(chooseBackend({ vendor: 'amd', gfxTarget: 'gfx1100', rocm: 'present' }).backend).toBe(
      'rocm'
    )
    const assumed = chooseBackend({ vendor: 'amd', gfxTarget: 'gfx1100', rocm: 'unknown' })
    expect(assumed.backend).toBe('rocm')
    expect(assumed.reason).toMatch(/assumed installed/)
    const noRocm = chooseBackend({ vendor: 'amd', gfxTarget: 'gfx1100', rocm: 'absent' })
    expect(noRocm).toMatchObject({ backend: 'vulkan' })
    expect(noRocm.reason).toMatch(/ROCm not found/)
    const unsupported = chooseBackend({ vendor: 'amd', gfxTarget: 'gfx1031', rocm: 'present' })
    expect(unsupported.backend).toBe('vulkan')
    expect(unsupported.reason).toMatch(/gfx1031 is not on ROCm's support list/)
    expect(chooseBackend({ vendor: 'amd', gfxTarget: null, rocm: 'unknown' }).backend).toBe(
      'vulkan'
    )
    expect(ROCM_GFX_TARGETS.has('gfx1032')).toBe(false)
  })

  it('runs Intel Arc on Vulkan (faster than SYCL in published llama.cpp runs), NVIDIA on CUDA, Apple on Metal', () => {
    const arc = chooseBackend({ vendor: 'intel', gfxTarget: null, rocm: 'unknown' })
    expect(arc.backend).toBe('vulkan')
    expect(arc.reason).toMatch(/#19918/)
    expect(chooseBackend({ vendor: 'nvidia', gfxTarget: null, rocm: 'unknown' }).backend).toBe(
      'cuda'
    )
    expect(chooseBackend({ vendor: 'apple', gfxTarget: null, rocm: 'unknown' }).backend).toBe(
      'metal'
    )
  })

  it('reads ROCm presence from the runtime-version reading: ok = present, tool-missing = absent', () => {
    expect(rocmPresence('amd', ok('6.4.1'))).toBe('present')
    expect(rocmPresence('amd', unavailable('tool-missing', 'rocm-smi not found'))).toBe('absent')
    expect(rocmPresence('amd', unavailable('unsupported', 'not read'))).toBe('unknown')
    expect(rocmPresence('nvidia', ok('12.4'))).toBe('unknown')
  })

  it('an RX 6700 XT (gfx1031) is used through Vulkan, not ignored, and the assumptions say why', () => {
    const m = describeMachine({ gpu: 'radeon-rx-6700-xt', ramGb: 32 })
    expect(m.gpus[0].backend).toBe('vulkan')
    const e = evaluateProfile(m, chat8b)
    expect(e.placement.kind).not.toBe('cpu-only')
    expect(e.speed.decodeTokensPerSec.status).toBe('ok')
    expect(e.assumptions.map((a) => a.text).join('\n')).toMatch(
      /Radeon RX 6700 XT: llama\.cpp Vulkan backend: gfx1031 is not on ROCm's support list/
    )
  })

  it('an Arc A770 runs through Vulkan with the Alchemist efficiency; a B580 with the Battlemage one', () => {
    const a770 = evaluateProfile(describeMachine({ gpu: 'intel-arc-a770-16gb', ramGb: 32 }), chat8b)
    const b580 = evaluateProfile(describeMachine({ gpu: 'intel-arc-b580', ramGb: 32 }), chat8b)
    expect(a770.assumptions.map((a) => a.text).join('\n')).toMatch(
      /Intel Arc A770 16GB: llama\.cpp Vulkan backend/
    )
    expect(a770.speed.efficiency.source).toMatch(/A770/)
    expect(b580.speed.efficiency.source).toMatch(/B580/)
  })

  it('a probed AMD card whose collector found no ROCm runs on Vulkan', () => {
    const gpu = {
      id: 'amd:0000:03:00.0',
      index: 0,
      vendor: 'amd',
      name: 'AMD Radeon RX 7900 XTX',
      memoryTotalBytes: ok(24 * 2 ** 30),
      runtimeVersion: unavailable('tool-missing', 'rocminfo not found'),
      gfxTarget: ok('gfx1100'),
      computeCapability: unavailable('unsupported', 'NVIDIA only'),
      powerDefaultLimitWatts: unavailable('unsupported', 'not read'),
      pcieMaxGen: unavailable('unsupported', 'not read'),
      pcieMaxWidth: unavailable('unsupported', 'not read'),
      integrated: false
    } as unknown as GpuInfo
    const inv = {
      memory: { totalBytes: ok(64 * 2 ** 30), bandwidthGBps: unavailable('unsupported', 'x') },
      cpu: {
        model: ok('CPU'),
        physicalCores: ok(8),
        logicalCores: ok(16),
        flags: ok(['avx2'])
      },
      gpus: [gpu],
      storage: [],
      filesystems: []
    } as unknown as Inventory
    const m = machineFromInventory(inv, null, null)
    expect(m.gpus[0].backend).toBe('vulkan')
    expect(m.label).toMatch(/64 GiB RAM/)
  })
})
