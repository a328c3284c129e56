/**
 * Unknown machine numbers stay unknown through evaluation, and confidence comes from assumption kinds.
 */
import { describe, expect, it } from 'vitest'
import { loadCatalogue } from '../../../../src-main/core/profiles'
import { evaluateAll, evaluateProfile } from '../../../../src-main/core/readiness/evaluate'
import {
  backendOf,
  describeMachine,
  machineFromInventory
} from '../../../../src-main/core/readiness/machine'
import { buildReport } from '../../../../src-main/core/readiness/report'
import { confidenceFrom } from '../../../../src-main/core/readiness/score'
import { ok, unavailable } from '../../../../src-main/shared/reading'
import type { MachineModel } from '../../../../src-main/shared/readiness'
import type { GpuInfo } from '../../../../src-main/shared/telemetry'
import { gpuInfo, inventory } from '../../../helpers/snapshot-builder'

const profiles = loadCatalogue()
const byId = (id: string) => {
  const p = profiles.find((x) => x.id === id)
  if (!p) throw new Error(`no profile ${id}`)
  return p
}

/** A probed machine whose inventory could not read RAM, VRAM or cores. */
function probed(opts: {
  ram?: 'unknown' | number
  cores?: 'unknown'
  gpus?: Partial<GpuInfo>[]
}): MachineModel {
  const inv = inventory({
    gpus: (opts.gpus ?? []).map((g, i) => gpuInfo({ index: i, id: `nvidia:${i}`, ...g })),
    cpu:
      opts.cores === 'unknown'
        ? {
            physicalCores: unavailable('permission-denied', 'cpuinfo unreadable'),
            logicalCores: unavailable('permission-denied', 'cpuinfo unreadable')
          }
        : {}
  })
  inv.memory = {
    ...inv.memory,
    totalBytes:
      opts.ram === 'unknown'
        ? unavailable('timeout', 'meminfo read timed out')
        : ok((opts.ram ?? 64) * 2 ** 30)
  }
  return machineFromInventory(inv, null, null)
}

describe('unknown machine inputs', () => {
  it('keeps unknown RAM, VRAM and core counts unknown in the machine model (never 0 or 1)', () => {
    const m = probed({
      ram: 'unknown',
      cores: 'unknown',
      gpus: [{ name: 'NVIDIA Mystery GPU 9000', memoryTotalBytes: unavailable('timeout', 'x') }]
    })
    expect(m.ramBytes).toEqual(unavailable('timeout', 'meminfo read timed out'))
    expect(m.cpu.physicalCores.status).toBe('unavailable')
    expect(m.cpu.logicalCores.status).toBe('unavailable')
    expect(m.gpus[0].vramBytes).toMatchObject({ status: 'unavailable', reason: 'timeout' })
    expect(m.label).toContain('RAM unknown')
  })

  it('makes a profile unknown when the VRAM of a usable GPU is unknown', () => {
    const m = probed({
      gpus: [{ name: 'NVIDIA Mystery GPU 9000', memoryTotalBytes: unavailable('timeout', 'x') }]
    })
    const e = evaluateProfile(m, byId('chat-8b-q4'))
    expect(e.verdict).toBe('unknown')
    expect(e.score).toMatchObject({ status: 'unavailable', reason: 'timeout' })
    expect(e.placement.kind).toBe('unknown')
    expect(e.memory.availableBytes.status).toBe('unavailable')
    expect(e.memory.requiredBytes).toBeGreaterThan(0)
    expect(e.binding).toBe('vram-capacity')
    expect(e.confidence).toBe('low')
    expect(e.assumptions.map((a) => a.kind)).toEqual(['unknown-input'])
    // The machine score is unknown too, not a mean over what happened to be known.
    const all = evaluateAll(m, [byId('chat-8b-q4'), byId('chat-1b-q4')])
    expect(all.inference.score).toMatchObject({ status: 'unavailable', reason: 'timeout' })
    expect(all.inference.confidence).toBe('low')
  })

  it('keeps the verdict of a model that fits on the GPU when only RAM is unknown, with lower confidence', () => {
    const known = probed({
      ram: 64,
      gpus: [{ name: 'NVIDIA GeForce RTX 4090', memoryTotalBytes: ok(24564 * 2 ** 20) }]
    })
    const noRam = probed({
      ram: 'unknown',
      gpus: [{ name: 'NVIDIA GeForce RTX 4090', memoryTotalBytes: ok(24564 * 2 ** 20) }]
    })
    const a = evaluateProfile(known, byId('qlora-8b'))
    const b = evaluateProfile(noRam, byId('qlora-8b'))
    expect(b.verdict).toBe(a.verdict)
    expect(b.verdict).not.toBe('unknown')
    expect(b.factors.find((f) => f.name === 'Host RAM')?.score).toMatchObject({
      status: 'unavailable',
      reason: 'timeout'
    })
    expect(b.assumptions.some((x) => x.kind === 'unknown-input')).toBe(true)
    const order = ['low', 'medium', 'high']
    expect(order.indexOf(b.confidence)).toBeLessThanOrEqual(order.indexOf(a.confidence))
    // Inference that fits on the GPU: RAM does not decide it, but its being unknown still costs confidence.
    const ia = evaluateProfile(known, byId('chat-8b-q4'))
    const ib = evaluateProfile(noRam, byId('chat-8b-q4'))
    expect(ib.verdict).toBe(ia.verdict)
    expect(order.indexOf(ib.confidence)).toBeLessThan(order.indexOf(ia.confidence))
  })

  it('makes a profile that needs host RAM unknown when RAM is unknown (never computed on 0)', () => {
    const noRam = probed({
      ram: 'unknown',
      gpus: [{ name: 'NVIDIA GeForce RTX 4090', memoryTotalBytes: ok(24564 * 2 ** 20) }]
    })
    // 70B at Q4 does not fit in 24 GB: it would offload to RAM, whose size is unknown.
    const e = evaluateProfile(noRam, byId('serve-70b-q4'))
    expect(e.verdict).toBe('unknown')
    expect(e.binding).toBe('host-ram')
    expect(e.score).toMatchObject({ status: 'unavailable', reason: 'timeout' })
    // A CPU-only machine with unknown RAM: everything depends on it.
    const cpuOnly = evaluateProfile(probed({ ram: 'unknown' }), byId('chat-1b-q4'))
    expect(cpuOnly.verdict).toBe('unknown')
  })

  it('leaves the data-loading factor and the CPU peak unknown when the core count is unknown', () => {
    const m = probed({
      cores: 'unknown',
      gpus: [{ name: 'NVIDIA GeForce RTX 4090', memoryTotalBytes: ok(24564 * 2 ** 20) }]
    })
    const e = evaluateProfile(m, byId('qlora-8b'))
    expect(e.factors.find((f) => f.name === 'Data-loading CPU')?.score).toMatchObject({
      status: 'unavailable',
      reason: 'permission-denied'
    })
    const cpu = evaluateProfile(probed({ cores: 'unknown' }), byId('chat-1b-q4'))
    expect(cpu.speed.prefillTokensPerSec.status).toBe('unavailable')
    expect(cpu.assumptions.some((a) => /cores ×/.test(a.text))).toBe(false)
  })

  it('lists unknown machine numbers among the report unavailable items', () => {
    const r = buildReport({
      machine: probed({ ram: 'unknown', cores: 'unknown' }),
      profiles,
      selectedIds: ['chat-1b-q4'],
      throttle: { windowSeconds: 0, events: [], summaries: [] },
      unavailable: [],
      nowMs: 0
    })
    const items = r.unavailable.map((u) => u.item)
    expect(items).toEqual(expect.arrayContaining(['system RAM size', 'CPU core count']))
  })
})

describe('confidence from assumption kinds', () => {
  it('ignores the words of an assumption and counts only its kind', () => {
    expect(
      confidenceFrom(0, [{ kind: 'formula', text: 'assumed, unverified, not measured' }], 'high')
    ).toBe('high')
    expect(
      confidenceFrom(0, [{ kind: 'assumed-value', text: 'RAM bandwidth 51.2 GB/s' }], 'high')
    ).toBe('medium')
    expect(confidenceFrom(0, [{ kind: 'fallback', text: 'fits with 8-bit AdamW' }], 'high')).toBe(
      'high'
    )
    expect(confidenceFrom(0, [{ kind: 'default-efficiency', text: 'MFU 0.35' }], 'high')).toBe(
      'medium'
    )
    expect(confidenceFrom(2, [], 'high')).toBe('low')
    expect(confidenceFrom(1, [{ kind: 'unknown-input', text: 'RAM size unknown' }], 'high')).toBe(
      'low'
    )
    expect(confidenceFrom(0, [], 'unknown')).toBe('medium')
  })

  it('records the default training MFU as a default-efficiency assumption, and a calibrated one as a formula', () => {
    const m = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
    const def = evaluateProfile(m, byId('qlora-8b'))
    const cal = evaluateProfile(m, byId('qlora-8b'), { mfu: 0.3 })
    const mfuKind = (e: typeof def) =>
      e.assumptions.find((a) => a.text.startsWith('training FLOPs'))?.kind
    expect(mfuKind(def)).toBe('default-efficiency')
    expect(mfuKind(cal)).toBe('formula')
    const order = ['low', 'medium', 'high']
    expect(order.indexOf(cal.confidence)).toBeGreaterThanOrEqual(order.indexOf(def.confidence))
  })
})

describe('spec-table assumptions', () => {
  it('names a GPU that is not in the spec table as a spec-unverified assumption', () => {
    const m = probed({
      gpus: [{ name: 'NVIDIA Mystery GPU 9000', memoryTotalBytes: ok(48 * 2 ** 30) }]
    })
    const e = evaluateProfile(m, byId('chat-8b-q4'))
    expect(e.assumptions).toContainEqual({
      kind: 'spec-unverified',
      text: 'NVIDIA Mystery GPU 9000: not in the spec table (bandwidth and TFLOPS unknown)'
    })
    expect(e.confidence).toBe('low')
  })
})

describe('machine scores that do not apply', () => {
  it('marks the training score not-applicable when no training profile is selected', () => {
    const r = evaluateAll(describeMachine({ gpu: 'RTX 4090', ramGb: 64 }), [byId('chat-8b-q4')])
    expect(r.training.score).toEqual(unavailable('not-applicable', 'no training profiles selected'))
    expect(r.inference.score.status).toBe('ok')
  })
})

describe('compute backend', () => {
  it("prefers the inventory GPU's declared backend and falls back to the vendor's", () => {
    expect(backendOf({ vendor: 'nvidia' })).toBe('cuda')
    // Without a gfx target or a ROCm runtime reading, an AMD card runs through llama.cpp's Vulkan backend.
    expect(backendOf({ vendor: 'amd' })).toBe('vulkan')
    expect(backendOf({ vendor: 'amd', runtimeVersion: ok('6.2.0') }, 'gfx1100')).toBe('rocm')
    expect(backendOf({ vendor: 'amd', backend: 'vulkan' } as Pick<GpuInfo, 'vendor'>)).toBe(
      'vulkan'
    )
    expect(backendOf({ vendor: 'intel', backend: ok('vulkan') } as Pick<GpuInfo, 'vendor'>)).toBe(
      'vulkan'
    )
    expect(backendOf({ vendor: 'nvidia', backend: 'bogus' } as Pick<GpuInfo, 'vendor'>)).toBe(
      'cuda'
    )
  })
})
