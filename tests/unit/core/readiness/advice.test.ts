import { describe, expect, it } from 'vitest'
import { buildReport } from '../../../../src-main/core/readiness/report'
import { describeMachine } from '../../../../src-main/core/readiness/machine'
import { loadCatalogue } from '../../../../src-main/core/profiles'
import { ok } from '../../../../src-main/shared/reading'
import type {
  MachineModel,
  ReadinessReport,
  SustainedEvidence
} from '../../../../src-main/shared/readiness'

const profiles = loadCatalogue()
const report = (machine: MachineModel, ids: string[]): ReadinessReport =>
  buildReport({
    machine,
    profiles,
    selectedIds: ids,
    throttle: { windowSeconds: 0, events: [], summaries: [] },
    unavailable: [],
    nowMs: 1_700_000_000_000
  })

const HOUR = { observedSeconds: 3600, requestedSeconds: 3600 }
const calm: SustainedEvidence = {
  windowSeconds: 3600,
  gpuCoverage: HOUR,
  gpuThrottleFractionByCause: ok({}),
  gpuThermalHeadroomCelsius: ok(20),
  sustainedClockRatio: ok(0.97),
  cpuCoverage: HOUR,
  cpuThrottleFraction: ok(0),
  cpuThrottleEvents: ok(0),
  powerLimitBelowDefault: ok(false)
}

describe('advice', () => {
  it('gives a one-GPU RTX 4090 / 32 GB machine a first item that relaxes VRAM and states its effect in numbers', () => {
    const r = report(describeMachine({ gpu: 'NVIDIA GeForce RTX 4090', ramGb: 32 }), [
      'serve-70b-q4',
      'qlora-8b'
    ])
    expect(r.profiles.find((p) => p.profileId === 'serve-70b-q4')!.verdict).toBe(
      'fits-with-offload'
    )
    const first = r.advice[0]
    expect(first.relaxes).toBe('vram-capacity')
    expect(first.kind === 'gpu-add' || first.kind === 'gpu-replace').toBe(true)
    expect(first.title).toMatch(/\+\d+ GiB VRAM/)
    expect(first.effect).toMatch(
      /serve-70b-q4 goes from fits-with-offload [\d.]+ tok\/s to fits-(tight|comfortably) \d+ tok\/s/
    )
    expect(first.effect).toMatch(/inference score \d+ → \d+/)
    expect(first.inferenceDelta).toBeGreaterThan(10)
    // The cheapest way (a second RTX 4090) is offered too, with its PSU co-requisite.
    const add = r.advice.find((a) => a.kind === 'gpu-add')!
    expect(add.title).toContain('second GeForce RTX 4090')
    expect([...add.requires, ...add.details].join(' ')).toMatch(/power supply of ≥ \d+ W/)
    expect(r.minimumUpgrades.find((m) => m.profileId === 'serve-70b-q4')!.achievable).toBe(true)
  })

  it('ranks free fixes first, then purchases without a price table by Σ priority × (Δscore + 50 × unlocked)', () => {
    const r = report(describeMachine({ gpu: 'RTX 4090', ramGb: 32 }), ['serve-70b-q4', 'qlora-8b'])
    const free = r.advice.map((a) => a.free)
    expect(free).toEqual([...free].sort((a, b) => Number(b) - Number(a)))
    const impacts = r.advice.filter((a) => !a.free).map((a) => a.impact)
    expect([...impacts].sort((a, b) => b - a)).toEqual(impacts)
    expect(r.advice.filter((a) => !a.free).every((a) => a.price.status === 'unknown')).toBe(true)
  })

  it('advises cooling for a thermally throttled GPU, citing the measured throttle time', () => {
    const base = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
    const hot = {
      ...base,
      sustained: {
        ...calm,
        gpuThrottleFractionByCause: ok({ thermal: 0.12 }),
        gpuThermalHeadroomCelsius: ok(1)
      }
    }
    const r = report(hot, ['chat-8b-q4', 'qlora-8b'])
    const cooling = r.advice.find((a) => a.kind === 'cooling')
    expect(cooling).toBeDefined()
    expect(cooling!.evidence[0]).toContain('12.0% of 60 min observed (432 s)')
    expect(cooling!.relaxes).toBe('thermals')
    expect(cooling!.impact).toBeGreaterThan(0)
  })

  it('does not advise cooling without measured thermal throttling', () => {
    const base = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
    const r = report(
      { ...base, sustained: { ...calm, gpuThrottleFractionByCause: ok({ power: 0.1 }) } },
      ['chat-8b-q4']
    )
    expect(r.advice.some((a) => a.kind === 'cooling')).toBe(false)
    expect(report(base, ['chat-8b-q4']).advice.some((a) => a.kind === 'cooling')).toBe(false)
  })

  it('gives a GPU on an x4 link a zero-cost "move it to an x16 slot" item', () => {
    const base = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
    const x4 = { ...base, gpus: [{ ...base.gpus[0], pcieGen: ok(4), pcieWidth: ok(4) }] }
    const item = report(x4, ['chat-8b-q4']).advice.find(
      (a) => a.kind === 'pcie-slot' && a.relaxes === 'interconnect'
    )
    expect(item).toBeDefined()
    expect(item!.costClass).toBe('free')
    expect(item!.free).toBe(true)
    expect(item!.price).toEqual({ status: 'free' })
    expect(item!.title).toMatch(/to an x16 slot/)
    expect(item!.evidence[0]).toContain('Gen4 x4 under load')
  })

  it('offers free fixes for a power limit below default, a powersave governor and running on battery', () => {
    const base = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
    const m: MachineModel = {
      ...base,
      cpu: { ...base.cpu, governor: ok('powersave') },
      onBattery: ok(true),
      sustained: { ...calm, powerLimitBelowDefault: ok(true) }
    }
    const ids = report(m, ['chat-8b-q4']).advice.map((a) => a.id)
    expect(ids).toEqual(expect.arrayContaining(['power-limit', 'cpu-governor', 'mains-power']))
  })

  it('gives no advice to a machine where nothing binds', () => {
    const r = report(describeMachine({ gpu: 'RTX 4090', ramGb: 64 }), ['chat-1b-q4'])
    expect(r.advice).toEqual([])
    expect(r.minimumUpgrades).toEqual([])
  })
})
