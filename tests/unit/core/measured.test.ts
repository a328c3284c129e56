import { describe, expect, it } from 'vitest'
import { evaluateProfile } from '../../../src-main/core/readiness/evaluate'
import { describeMachine } from '../../../src-main/core/readiness/machine'
import {
  applyMeasuredProbe,
  describeMeasuredEffects,
  measuredDate,
  sameGpuModel,
  TYPICAL_ACHIEVED
} from '../../../src-main/core/measured'
import { loadCatalogue } from '../../../src-main/core/profiles'
import type { MeasuredProbe } from '../../../src-main/shared/probe'
import { ok, unavailable } from '../../../src-main/shared/reading'

const AT = Date.UTC(2026, 11, 2, 9, 30)
const NA = unavailable('not-applicable', 'not probed')

function probe(over: Partial<MeasuredProbe> = {}): MeasuredProbe {
  return {
    machineKey: 'k',
    measuredAtMs: AT,
    source: 'test',
    ramReadGBps: NA,
    ramCopyGBps: NA,
    ramTriadGBps: NA,
    cpuGflops: NA,
    cpuSustainedClockRatio: NA,
    storageReadMBps: NA,
    storageWriteMBps: NA,
    gpus: [],
    sustained: null,
    ...over
  }
}

const profiles = loadCatalogue()
const byId = (id: string) => profiles.find((p) => p.id === id)!

describe('core/measured', () => {
  it('replaces the spec GPU bandwidth with the measured one and the decode estimate follows', () => {
    const machine = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
    const spec = machine.gpus[0].memoryBandwidthGBps
    expect(spec.status).toBe('ok')
    // A card measuring 70% of what a healthy one copies: decode must drop to 70%.
    const healthyCopy = (spec as { value: number }).value * TYPICAL_ACHIEVED.gpuCopy.value
    const m = probe({
      gpus: [
        {
          index: 0,
          name: 'NVIDIA GeForce RTX 4090',
          matmulTflops: NA,
          matmulDtype: 'bfloat16',
          copyGBps: ok(healthyCopy * 0.7),
          sustainedClockRatio: NA
        }
      ]
    })
    const { machine: after, changes } = applyMeasuredProbe(machine, m)
    const p = byId('chat-8b-q4')
    const e0 = evaluateProfile(machine, p)
    const e1 = evaluateProfile(after, p)
    const d0 = e0.speed.decodeTokensPerSec
    const d1 = e1.speed.decodeTokensPerSec
    expect(d0.status === 'ok' && d1.status === 'ok').toBe(true)
    if (d0.status !== 'ok' || d1.status !== 'ok') return
    // Decode time per token = bytes ÷ bandwidth + a fixed per-token overhead (stated in the assumptions):
    // only the bandwidth part grows by 1/0.7.
    const m0 = /fixed ([\d.]+) ms per token/.exec(e0.assumptions.map((a) => a.text).join(' '))
    const overheadS = m0 ? Number(m0[1]) / 1000 : 0
    const t0 = 1 / d0.value - overheadS
    const t1 = 1 / d1.value - overheadS
    expect(t0 / t1).toBeCloseTo(0.7, 2)
    expect(changes).toHaveLength(1)
    expect(changes[0]).toMatchObject({
      item: 'gpu-memory-bandwidth',
      device: 'GPU0 GeForce RTX 4090',
      measured: healthyCopy * 0.7,
      measuredAtMs: AT,
      before: spec
    })
    const effects = describeMeasuredEffects([e0], [e1], changes)
    const decode = effects.find((x) => x.metric === 'decode')!
    expect(decode.text).toMatch(
      /decode \d+ → \d+ tok\/s: measured GPU0 GeForce RTX 4090 memory bandwidth \d+\.\d GB\/s/
    )
    expect(decode.text).toContain(`(${measuredDate(AT)})`)
    expect(measuredDate(AT)).toBe('2026-12-02')
    // The records are plain JSON (they travel in check --json and to the UI).
    expect(JSON.parse(JSON.stringify(changes))).toEqual(changes)
  })

  it('scales tensor throughput by the sustained clock when no matmul was measured, and training time follows', () => {
    const machine = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
    const m = probe({
      gpus: [
        {
          index: 0,
          name: 'NVIDIA GeForce RTX 4090',
          matmulTflops: NA,
          matmulDtype: 'bfloat16',
          copyGBps: NA,
          sustainedClockRatio: ok(0.86)
        }
      ]
    })
    const { machine: after, changes } = applyMeasuredProbe(machine, m)
    const p = byId('qlora-8b')
    const e0 = evaluateProfile(machine, p)
    const e1 = evaluateProfile(after, p)
    const h0 = e0.speed.trainHours
    const h1 = e1.speed.trainHours
    if (h0.status !== 'ok' || h1.status !== 'ok') throw new Error('train hours unknown')
    expect(h1.value / h0.value).toBeCloseTo(1 / 0.86, 2)
    const effects = describeMeasuredEffects([e0], [e1], changes)
    expect(effects.find((x) => x.metric === 'train-hours')!.text).toMatch(
      /training [\d.]+ → [\d.]+ h: measured GPU0 GeForce RTX 4090 sustained clock 86% of boost \(2026-12-02\)$/
    )
  })

  it('uses measured RAM bandwidth for CPU decode instead of the DDR4-3200 default', () => {
    const machine = describeMachine({ gpus: 0, ramGb: 64 })
    expect(machine.gpus).toHaveLength(0)
    const p = byId('chat-8b-q4')
    const e0 = evaluateProfile(machine, p)
    expect(e0.assumptions.map((a) => a.text).join(' ')).toMatch(/RAM bandwidth 51\.2 GB\/s/)
    const { machine: after, changes } = applyMeasuredProbe(machine, probe({ ramReadGBps: ok(14) }))
    const e1 = evaluateProfile(after, p)
    const d0 = e0.speed.decodeTokensPerSec
    const d1 = e1.speed.decodeTokensPerSec
    if (d0.status !== 'ok' || d1.status !== 'ok') throw new Error('decode unknown')
    // 14 GB/s read ÷ 0.7 = 20 GB/s spec-equivalent, against the assumed 51.2.
    expect(d1.value / d0.value).toBeCloseTo(20 / 51.2, 2)
    expect(e1.assumptions.join(' ')).not.toMatch(/51\.2/)
    expect(changes[0]).toMatchObject({ item: 'ram-bandwidth', measured: 14, after: 20 })
    expect(changes[0].basis).toContain('2026-12-02')
  })

  it('changes nothing for unknown measurements or a different GPU model', () => {
    const machine = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
    const m = probe({
      gpus: [
        {
          index: 0,
          name: 'NVIDIA GeForce RTX 3060',
          matmulTflops: ok(20),
          matmulDtype: 'bfloat16',
          copyGBps: ok(300),
          sustainedClockRatio: ok(0.5)
        }
      ]
    })
    const { machine: after, changes } = applyMeasuredProbe(machine, m)
    expect(changes).toEqual([])
    expect(after).toEqual(machine)
    expect(applyMeasuredProbe(machine, probe()).changes).toEqual([])
  })

  it('matches GPU names across driver and spec-table spellings', () => {
    expect(sameGpuModel('NVIDIA GeForce RTX 4090', 'RTX 4090')).toBe(true)
    expect(sameGpuModel('NVIDIA H200', 'NVIDIA H200 141GB HBM3e')).toBe(true)
    expect(sameGpuModel('NVIDIA GeForce RTX 3060', 'RTX 4090')).toBe(false)
  })
})
