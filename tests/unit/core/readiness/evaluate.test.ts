import { describe, expect, it } from 'vitest'
import { evaluateProfile } from '../../../../src-main/core/readiness/evaluate'
import { describeMachine, machineFromInventory } from '../../../../src-main/core/readiness/machine'
import { loadCatalogue } from '../../../../src-main/core/profiles'
import { buildReport } from '../../../../src-main/core/readiness/report'
import {
  formatReportMarkdown,
  formatReportText
} from '../../../../src-main/core/readiness/report-format'
import { ok, unavailable, valueOf } from '../../../../src-main/shared/reading'
import type { GpuInfo, Inventory } from '../../../../src-main/shared/telemetry'

const profiles = loadCatalogue()
const byId = (id: string) => profiles.find((p) => p.id === id)!
const NA = unavailable('unsupported')

function inventory(gpus: Partial<GpuInfo>[], ramGb: number): Inventory {
  const gpu = (g: Partial<GpuInfo>, i: number): GpuInfo => ({
    id: `nvidia:${i}`,
    index: i,
    vendor: 'nvidia',
    name: 'x',
    uuid: NA,
    pciBusId: NA,
    memoryTotalBytes: NA,
    driverVersion: NA,
    runtimeVersion: NA,
    computeCapability: NA,
    gfxTarget: NA,
    clockMaxSmMhz: NA,
    clockMaxGraphicsMhz: NA,
    clockMaxMemoryMhz: NA,
    pcieMaxGen: NA,
    pcieMaxWidth: NA,
    pcieGpuMaxGen: NA,
    pcieHostMaxGen: NA,
    powerDefaultLimitWatts: NA,
    powerMinLimitWatts: NA,
    powerMaxLimitWatts: NA,
    tempSlowdownCelsius: NA,
    tempShutdownCelsius: NA,
    tempMaxOperatingCelsius: NA,
    tempMemoryMaxCelsius: NA,
    migEnabled: NA,
    integrated: false,
    ...g
  })
  return {
    schemaVersion: 1,
    collectedAtMs: 0,
    host: {
      hostname: 'h',
      platform: 'linux',
      arch: 'x64',
      os: NA,
      kernel: NA,
      container: NA,
      virtualization: NA
    },
    cpu: {
      vendor: NA,
      model: ok('Test CPU'),
      physicalCores: ok(2),
      logicalCores: ok(4),
      packages: ok(1),
      flags: ok(['avx2']),
      baseMhz: NA,
      maxMhz: NA,
      hasThrottleCounters: false,
      scalingDriver: NA
    },
    memory: {
      totalBytes: ok(ramGb * 1e9),
      swapTotalBytes: NA,
      type: NA,
      speedMtps: NA,
      modules: NA,
      bandwidthGBps: NA
    },
    gpus: gpus.map(gpu),
    storage: [],
    filesystems: [],
    absent: []
  }
}

describe('evaluate', () => {
  it('scores a CPU-only machine (2 cores, 24 GB): small Q4 models run (> 0, capped at 40), training is near 0 with the binding constraint named', () => {
    const machine = machineFromInventory(inventory([], 24), null, null)
    expect(machine.gpus).toEqual([])
    const r = buildReport({
      machine,
      profiles,
      selectedIds: ['chat-1b-q4', 'chat-3b-q4', 'qlora-8b'],
      throttle: { windowSeconds: 0, events: [], summaries: [] },
      unavailable: [],
      nowMs: 0
    })
    for (const id of ['chat-1b-q4', 'chat-3b-q4']) {
      const e = r.profiles.find((p) => p.profileId === id)!
      expect(e.placement.kind).toBe('cpu-only')
      expect(valueOf(e.score)).toBeGreaterThan(0)
      expect(valueOf(e.score)).toBeLessThanOrEqual(40)
    }
    expect(r.inference.score.status === 'ok' && r.inference.score.value).toBeGreaterThan(0)
    expect(r.training.score).toEqual(ok(0))
    expect(r.training.binding).toBe('compute')
    expect(r.training.bindingDetail).toMatch(/needs a GPU/)
    expect(r.unavailable.map((u) => u.item)).toContain('system RAM bandwidth')
  })

  it('takes measured VRAM and compute capability from the inventory and bandwidth from the spec table', () => {
    const m = machineFromInventory(
      inventory(
        [
          {
            name: 'NVIDIA GeForce RTX 4090',
            memoryTotalBytes: ok(24564 * 2 ** 20),
            computeCapability: ok('8.9')
          }
        ],
        64
      ),
      null,
      null
    )
    expect(m.gpus[0].specKey).toBe('geforce-rtx-4090')
    expect(m.gpus[0].vramBytes).toEqual(ok(24564 * 2 ** 20))
    expect(m.gpus[0].memoryBandwidthGBps).toEqual(ok(1008))
    expect(m.gpus[0].bf16).toBe(true)
    expect(m.gpus[0].pcieWidth.status).toBe('unavailable')
  })

  it('still evaluates an unknown GPU from its measured facts, with low confidence and bandwidth unavailable', () => {
    const m = machineFromInventory(
      inventory([{ name: 'NVIDIA Mystery GPU 9000', memoryTotalBytes: ok(48 * 2 ** 30) }], 64),
      null,
      null
    )
    expect(m.gpus[0].specKey).toBeNull()
    const e = evaluateProfile(m, byId('chat-8b-q4'))
    expect(e.verdict).toBe('fits-comfortably')
    expect(e.speed.decodeTokensPerSec.status).toBe('unavailable')
    expect(e.confidence).toBe('low')
  })

  it('picks the first weight format candidate that fits on the GPU (IQ4_XS or Q3_K_M before offloading 70B)', () => {
    const e = evaluateProfile(
      describeMachine({ gpu: 'RTX 6000 Ada', ramGb: 64 }),
      byId('serve-70b-q4')
    )
    expect(e.weightFormat).toBe('Q4_K_M')
    expect(e.placement.kind).toBe('single-gpu')
    const tight = evaluateProfile(
      describeMachine({ gpu: 'RTX 5090', gpus: 1, ramGb: 64 }),
      byId('serve-70b-q4')
    )
    expect(tight.placement.kind).toBe('gpu-cpu-offload')
  })

  it('uses unified memory on Apple silicon (GPU-usable share of RAM)', () => {
    const e = evaluateProfile(
      describeMachine({ gpu: 'Apple M2 Max', ramGb: 96 }),
      byId('serve-70b-q4')
    )
    expect(e.placement.kind).toBe('unified')
    // --ram / ramGb is GiB (a 96 GB configuration is 96 GiB).
    expect(valueOf(e.memory.availableBytes)).toBeCloseTo(96 * 2 ** 30 * 0.75, -3)
  })

  it('gates a bf16 profile on a GPU below its minimum compute capability', () => {
    const vit = byId('finetune-vit-b16')
    const e = evaluateProfile(describeMachine({ gpu: 'Tesla T4', ramGb: 64 }), {
      ...vit,
      requirements: { minCc: 8.0 }
    })
    expect(
      valueOf(evaluateProfile(describeMachine({ gpu: 'Tesla T4', ramGb: 64 }), vit).score)
    ).toBeGreaterThan(0)
    expect(e.score).toEqual(ok(0))
    expect(e.binding).toBe('precision')
  })

  it('throws a clear error listing close matches for an unknown --gpu', () => {
    expect(() => describeMachine({ gpu: 'RTX 4099' })).toThrow(
      /unknown GPU "RTX 4099"; did you mean: .*GeForce RTX 4090/
    )
  })

  it('renders text and Markdown reports with scores, the profile table, advice and unavailable items', () => {
    const r = buildReport({
      machine: describeMachine({ gpu: 'RTX 4090', ramGb: 32 }),
      profiles,
      selectedIds: ['serve-70b-q4', 'qlora-8b'],
      throttle: { windowSeconds: 0, events: [], summaries: [] },
      unavailable: [],
      nowMs: 0
    })
    const text = formatReportText(r, { color: false, width: 100 })
    expect(text).toMatch(/Training score: +\d+/)
    expect(text).toMatch(/Inference score: +\d+/)
    // People's words, not engine ids: workload labels, statuses and constraints.
    expect(text).toContain('Serve Llama 3.1 70B')
    expect(text).not.toMatch(/serve-70b-q4|fits-with-offload|vram-capacity/)
    expect(text).toMatch(/\d\. \[purchase\] \+\d+ GiB VRAM/)
    expect(text).toContain('Unavailable')
    expect(formatReportText(r, { color: true, width: 100 })).toContain(
      String.fromCharCode(27) + '['
    )
    const md = formatReportMarkdown(r)
    expect(md).toContain(
      '| workload | status | score | memory need / have | speed | limited by | placement |'
    )
    expect(md).toContain('`serve-70b-q4`')
  })
})
