/**
 * The machine-wide free fixes that need measured inputs (RAM below its rated speed, memory pressure), the
 * price words of the items, and the HTML rendering with its details disclosure.
 */
import { describe, expect, it } from 'vitest'
import { loadCatalogue } from '../../../../src-main/core/profiles'
import { buildReport } from '../../../../src-main/core/readiness/report'
import { describeMachine } from '../../../../src-main/core/readiness/machine'
import { memoryPressureEvidence } from '../../../../src-main/core/readiness/advice'
import type { AdviceOptions } from '../../../../src-main/core/readiness/advice'
import { formatAdviceHtml } from '../../../../src-main/core/readiness/report-format'
import { packagedPriceTable } from '../../../../src-main/node/prices/load-prices'
import { ok, unavailable } from '../../../../src-main/shared/reading'
import type { MachineModel } from '../../../../src-main/shared/readiness'
import { memorySample, snapshot } from '../../../helpers/snapshot-builder'

const profiles = loadCatalogue()
const prices = packagedPriceTable()
const NOW = Date.UTC(2026, 11, 20)
const GiB = 2 ** 30

function report(machine: MachineModel, ids: string[], advice: AdviceOptions = {}) {
  return buildReport({
    machine,
    profiles,
    selectedIds: ids,
    throttle: { windowSeconds: 0, events: [], summaries: [] },
    unavailable: [],
    nowMs: NOW,
    advice: { prices, ...advice }
  })
}

describe('memory pressure and the swap/zram fix', () => {
  it('summarises PSI, swap-in and available memory over the window, unknown when never read', () => {
    const calm = memoryPressureEvidence([snapshot({ t: 0 }), snapshot({ t: 1000 })])
    expect(calm.pressureSeen).toBe(false)
    expect(calm.psiSomeMaxPct).toEqual(ok(0))
    const hot = memoryPressureEvidence([
      snapshot({ t: 0 }),
      snapshot({
        t: 1000,
        memory: memorySample({
          pressureSomeAvg10Pct: ok(37),
          swapInBytesPerSec: ok(12e6),
          availableBytes: ok(1.5 * GiB)
        })
      })
    ])
    expect(hot.pressureSeen).toBe(true)
    expect(hot.findings.join('; ')).toMatch(/37% of the time.*12\.0 MB\/s.*2\.3% of RAM/)
    const none = memoryPressureEvidence([
      snapshot({ memory: unavailable('permission-denied', '/proc/meminfo') })
    ])
    expect(none.pressureSeen).toBe(false)
    expect(none.observedSamples).toBe(0)
    expect(none.psiSomeMaxPct.status).toBe('unavailable')
  })

  it('gives a free swap/zram item with the measured pressure, and none without pressure', () => {
    const m = describeMachine({ gpu: 'RTX 4090', ramGb: 32 })
    const pressure = memoryPressureEvidence([
      snapshot({
        memory: memorySample({ pressureSomeAvg10Pct: ok(25), swapTotalBytes: ok(0) })
      })
    ])
    const r = report(m, ['qlora-8b'], { memoryPressure: pressure })
    const swap = r.advice.find((a) => a.kind === 'swap')!
    expect(swap.free).toBe(true)
    expect(swap.title).toMatch(/Add zram/)
    expect(swap.evidence.join(' ')).toMatch(/25% of the time .*swap configured: 0\.0 GiB/)
    expect(swap.details.join(' ')).toMatch(/zram-size = ram \/ 2/)
    const calm = memoryPressureEvidence([snapshot()])
    expect(
      report(m, ['qlora-8b'], { memoryPressure: calm }).advice.some((a) => a.kind === 'swap')
    ).toBe(false)
  })
})

describe('RAM below its rated speed', () => {
  it('is a free fix where the platform tells both speeds, with the bandwidth it gives back', () => {
    const m = describeMachine({ gpu: 'RTX 4090', ramGb: 64, ramBandwidthGBps: 76.8 })
    const r = report(m, ['serve-70b-q4'], {
      ramSpeed: { runningMtps: ok(4800), ratedMtps: ok(6000) }
    })
    const fix = r.advice.find((a) => a.kind === 'ram-speed')!
    expect(fix.free).toBe(true)
    expect(fix.title).toMatch(/XMP\/EXPO.*4800 of 6000 MT\/s/)
    expect(fix.effectText).toMatch(/system RAM bandwidth 77 → 96 GB\/s/)
    // The offloaded 70B model decodes faster from faster RAM.
    expect(fix.inferenceDelta).toBeGreaterThanOrEqual(0)
  })

  it('is not offered when the rated speed is unknown or already reached', () => {
    const m = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
    for (const ramSpeed of [
      { runningMtps: ok(4800), ratedMtps: unavailable('unsupported', 'not read') },
      { runningMtps: ok(6000), ratedMtps: ok(6000) }
    ])
      expect(
        report(m, ['serve-70b-q4'], { ramSpeed }).advice.some((a) => a.kind === 'ram-speed')
      ).toBe(false)
  })
})

describe('flash attention for training', () => {
  it('is offered where the profile has it off and the GPU runs it, with the memory it saves', () => {
    const base = profiles.find((p) => p.id === 'lora-8b-bf16')!
    const off = {
      ...base,
      id: 'lora-8b-no-fa',
      training: { ...base.training!, flashAttention: false }
    }
    const r = buildReport({
      machine: describeMachine({ gpu: 'RTX 4090', ramGb: 64 }),
      profiles: [...profiles, off],
      selectedIds: [off.id],
      throttle: { windowSeconds: 0, events: [], summaries: [] },
      unavailable: [],
      nowMs: NOW,
      advice: { prices }
    })
    const fa = r.advice.find((a) => a.kind === 'flash-attention')!
    expect(fa).toBeDefined()
    expect(fa.free).toBe(true)
    expect(fa.appliesTo).toEqual([off.id])
    expect(fa.evidence[0]).toMatch(/→ [\d.]+ GiB needed/)
  })
})

describe('advice HTML', () => {
  it('escapes every string and puts evidence, formulas and sources behind details', () => {
    const m = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
    const r = report(m, ['serve-70b-q4', 'qlora-8b'], { budget: 1000 })
    r.advice[0].title = '<script>alert(1)</script>'
    const html = formatAdviceHtml(r)
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;')
    expect(html).toContain('<details><summary>details</summary>')
    expect(html).toMatch(/<p class="best"><strong>Best under USD 1,000: /)
    expect(html).toMatch(/<p class="prices">Prices: table of \d{4}-\d{2}-\d{2}/)
  })
})
