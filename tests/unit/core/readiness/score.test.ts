import { describe, expect, it } from 'vitest'
import { describeMachine } from '../../../../src-main/core/readiness/machine'
import {
  FACTOR_TABLE,
  combineFactors,
  cpuScore,
  hostRamScore,
  interconnectScore,
  logScore,
  memoryFitScore,
  platformScore,
  precisionScore,
  storageScore,
  sustainedScore,
  timeScore
} from '../../../../src-main/core/readiness/score'
import { ok, unavailable } from '../../../../src-main/shared/reading'
import type { MachineModel } from '../../../../src-main/shared/readiness'

const sum = (xs: readonly { weight: number }[]): number => xs.reduce((s, x) => s + x.weight, 0)
const rtx4090 = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })

describe('score', () => {
  // Readiness reference §6.2 weights.
  it('keeps inference and training weights in one table, each summing to 1', () => {
    expect(sum(FACTOR_TABLE.inference)).toBeCloseTo(1, 9)
    expect(sum(FACTOR_TABLE.training)).toBeCloseTo(1, 9)
    expect(FACTOR_TABLE.inference.find((f) => f.id === 'decode-speed')!.weight).toBe(0.35)
    expect(FACTOR_TABLE.training.find((f) => f.id === 'time-to-train')!.weight).toBe(0.3)
  })

  it('memory fit: 100 up to 75% use, falls along a half-Gaussian to 25 at 100%, 0 when it does not fit', () => {
    expect(memoryFitScore(0.5)).toBe(100)
    expect(memoryFitScore(0.75)).toBe(100)
    expect(memoryFitScore(0.9)).toBeCloseTo(60.65, 1)
    expect(memoryFitScore(1)).toBeCloseTo(24.9, 0)
    expect(memoryFitScore(1.01)).toBe(0)
  })

  it('decode speed: log scale from the floor (0) to the target (100)', () => {
    expect(logScore(5, 5, 20)).toBe(0)
    expect(logScore(10, 5, 20)).toBeCloseTo(50, 5)
    expect(logScore(20, 5, 20)).toBe(100)
    expect(logScore(200, 5, 20)).toBe(100)
    expect(logScore(1, 5, 20)).toBe(0)
  })

  it('TTFT and time to train: log scale from 10× the target (0) to the target (100)', () => {
    expect(timeScore(24, 24)).toBe(100)
    expect(timeScore(240, 24)).toBe(0)
    expect(timeScore(Math.sqrt(24 * 240), 24)).toBeCloseTo(50, 5)
  })

  it('platform maturity: CUDA 100, Metal 85, ROCm 80, Vulkan 65, SYCL 55, CPU 50', () => {
    expect(
      ['cuda', 'metal', 'rocm', 'vulkan', 'sycl', 'cpu'].map((b) => platformScore(b as never))
    ).toEqual([100, 85, 80, 65, 55, 50])
  })

  it('precision: bf16 tensor cores 100 (cc ≥ 8.0), fp16-only tensor cores 70 (T4), no matrix units 20 (GTX 1080)', () => {
    expect(precisionScore(rtx4090.gpus)).toEqual(ok(100))
    expect(precisionScore(describeMachine({ gpu: 'Tesla T4' }).gpus)).toEqual(ok(70))
    expect(precisionScore(describeMachine({ gpu: 'GTX 1080' }).gpus)).toEqual(ok(20))
  })

  it('host RAM: RAM ÷ max(2 × VRAM, offload need, 16-bit weights + 8 GB)', () => {
    expect(hostRamScore(64e9, 24e9, 0, 16e9)).toBe(100)
    expect(hostRamScore(24e9, 24e9, 0, 16e9)).toBe(50)
    expect(hostRamScore(64e9, 24e9, 128e9, 16e9)).toBe(50)
  })

  it('storage: NVMe 100, SATA SSD 70, HDD 40, 0 when free space is short, unavailable when the type is unknown', () => {
    expect(storageScore('nvme', ok(1e12), 1e11)).toEqual(ok(100))
    expect(storageScore('sata-ssd', ok(1e12), 1e11)).toEqual(ok(70))
    expect(storageScore('hdd', ok(1e12), 1e11)).toEqual(ok(40))
    expect(storageScore('nvme', ok(5e10), 1e11)).toEqual(ok(0))
    expect(storageScore('unknown', unavailable('unsupported'), 1e11).status).toBe('unavailable')
  })

  it('data-loading CPU: 4 cores per GPU score 100 (Puget), 2 cores per GPU 50', () => {
    expect(cpuScore(16, 4)).toBe(100)
    expect(cpuScore(8, 4)).toBe(50)
  })

  it('interconnect: x16 Gen4 100, an x4 or Gen3 link 50, unknown links unavailable', () => {
    const g = rtx4090.gpus[0]
    expect(interconnectScore([g, g])).toEqual(ok(100))
    expect(interconnectScore([g, { ...g, pcieWidth: ok(4), pcieGen: ok(4) }])).toEqual(ok(50))
    expect(interconnectScore([{ ...g, pcieMaxWidth: unavailable('unsupported') }]).status).toBe(
      'unavailable'
    )
  })

  it('sustained operation: unmeasured is unavailable; thermal throttling lowers the score and names thermals', () => {
    expect(sustainedScore(rtx4090).score.status).toBe('unavailable')
    const hot: MachineModel = {
      ...rtx4090,
      sustained: {
        windowSeconds: 3600,
        gpuCoverage: { observedSeconds: 3600, requestedSeconds: 3600 },
        gpuThrottleFractionByCause: ok({ thermal: 0.2, idle: 0.5 }),
        gpuThermalHeadroomCelsius: ok(2),
        sustainedClockRatio: ok(0.8),
        cpuCoverage: { observedSeconds: 0, requestedSeconds: 3600 },
        cpuThrottleFraction: unavailable('unsupported', 'no counters'),
        cpuThrottleEvents: unavailable('unsupported', 'no counters'),
        powerLimitBelowDefault: ok(false)
      }
    }
    const s = sustainedScore(hot)
    expect(s.score).toEqual(ok(100 * 0.8 * 0.8))
    expect(s.constraint).toBe('thermals')
    expect(sustainedScore({ ...hot, onBattery: ok(true), sustained: null }).constraint).toBe(
      'power'
    )
  })

  it('renormalises over known factors, so an unknown input lowers confidence but not the score', () => {
    const [a, b] = FACTOR_TABLE.inference
    const both = combineFactors(
      [
        { def: a, score: ok(80), detail: '' },
        { def: b, score: ok(80), detail: '' }
      ],
      null
    )
    const oneUnknown = combineFactors(
      [
        { def: a, score: ok(80), detail: '' },
        { def: b, score: unavailable('unsupported'), detail: '' }
      ],
      null
    )
    expect(oneUnknown.score).toBe(both.score)
    expect(oneUnknown.unknownCount).toBe(1)
  })

  it('caps the score and makes the cap the binding constraint', () => {
    const [a] = FACTOR_TABLE.inference
    const c = combineFactors([{ def: a, score: ok(100), detail: '' }], {
      value: 40,
      constraint: 'memory-bandwidth',
      detail: 'CPU only'
    })
    expect(c.score).toBe(40)
    expect(c.binding).toBe('memory-bandwidth')
  })
})
