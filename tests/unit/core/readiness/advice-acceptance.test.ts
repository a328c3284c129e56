/**
 * Acceptance of the upgrade advice on the recorded RTX 4090 training session and on described machines:
 * cooling first with the time it costs, a free KV-cache fix before any purchase, a budget that no proposed
 * item exceeds with the best item under it named, and a PSU that blocks a second GPU unless the item
 * includes a new PSU.
 */
import { resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadCatalogue } from '../../../../src-main/core/profiles'
import { composeReport, buildReport } from '../../../../src-main/core/readiness/report'
import { describeMachine } from '../../../../src-main/core/readiness/machine'
import { readSession } from '../../../../src-main/node/recorder/session'
import { applyUserPrices, packagedPriceTable } from '../../../../src-main/node/prices/load-prices'
import type { AdviceOptions } from '../../../../src-main/core/readiness/advice'
import { evaluateProfile } from '../../../../src-main/core/readiness/evaluate'
import type {
  AdviceItem,
  MachineModel,
  ReadinessReport
} from '../../../../src-main/shared/readiness'
import type { Session } from '../../../../src-main/node/recorder/session'

const SESSION = resolve(
  import.meta.dirname,
  '../../../fixtures/sessions/rtx4090-training-run.jsonl'
)
const profiles = loadCatalogue()
const prices = packagedPriceTable()
/** A date after the price table's asOf, so ages are real. */
const NOW = Date.UTC(2026, 11, 20)

function report(machine: MachineModel, ids: string[] | undefined, advice: AdviceOptions = {}) {
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

function lowOf(a: AdviceItem): number | null {
  return a.price.status === 'priced' ? a.price.low : null
}

describe('advice on the recorded RTX 4090 training session (thermal throttling)', () => {
  let session: Session
  let r: ReadinessReport
  beforeAll(async () => {
    session = await readSession(SESSION)
    r = composeReport({
      inventory: session.header.inventory,
      snapshots: session.snapshots,
      profiles,
      nowMs: NOW,
      advice: { prices }
    })
  })

  it('puts cooling first, with the measured throttled time and the run time it costs', () => {
    const first = r.advice[0]
    expect(first.kind).toBe('cooling')
    expect(first.free).toBe(true)
    // Measured: 60 s of the 176 s session were thermally throttled.
    expect(first.evidence[0]).toMatch(/thermally throttled 34\.\d% of 3 min observed \(60 s\)/)
    expect(first.evidence.join(' ')).toMatch(
      /while hot it ran at \d+% of the clock it holds otherwise/
    )
    // The cost: a share of the GPU's work, and a training run's hours before → after.
    expect(first.effectText).toMatch(
      /throttling cost ≈ \d+\.\d% of the GPU's work \(\d+ s of the 3 min observed\)/
    )
    const m = /QLoRA fine-tune Llama 3\.1 8B: ≈ ([\d.]+) h → ([\d.]+) h/.exec(first.effectText)
    expect(m).not.toBeNull()
    expect(Number(m![1])).toBeGreaterThan(Number(m![2]))
    // The hours after match the evaluation's estimate of that run.
    const qlora = r.profiles.find((p) => p.profileId === 'qlora-8b')!
    expect(qlora.speed.trainHours.status).toBe('ok')
    if (qlora.speed.trainHours.status === 'ok')
      expect(Number(m![2])).toBeCloseTo(qlora.speed.trainHours.value, 1)
    expect(first.details.join(' ')).toMatch(/time lost = thermal share × \(1 − clock ratio\)/)
  })

  it('keeps free fixes before every purchase, and every purchase states its price or why it has none', () => {
    const free = r.advice.map((a) => a.free)
    expect(free).toEqual([...free].sort((a, b) => Number(b) - Number(a)))
    for (const a of r.advice.filter((x) => !x.free)) {
      expect(['priced', 'unknown']).toContain(a.price.status)
      if (a.price.status === 'priced') expect(a.price.text).toMatch(/^USD [\d,]+/)
      else if (a.price.status === 'unknown') expect(a.price.detail.length).toBeGreaterThan(5)
      expect(a.costClass).not.toBe('free')
    }
    expect(r.adviceSummary.prices.status).toBe('ok')
  })

  it('with --budget 1000 on this 24 GB GPU proposes nothing above the budget and names the best item under it', () => {
    const b = composeReport({
      inventory: session.header.inventory,
      snapshots: session.snapshots,
      profiles,
      nowMs: NOW,
      advice: { prices, budget: 1000 }
    })
    expect(b.machine.gpus[0].vramBytes).toEqual({ status: 'ok', value: 25757220864 })
    const purchases = b.advice.filter((a) => !a.free)
    expect(purchases.length).toBeGreaterThan(0)
    for (const a of purchases) {
      expect(a.price.status).toBe('priced')
      expect(lowOf(a)!).toBeLessThanOrEqual(1000)
      expect(a.withinBudget).toBe(true)
    }
    const best = b.adviceSummary.bestUnderBudget!
    expect(best.itemId).not.toBeNull()
    const item = b.advice.find((a) => a.id === best.itemId)!
    expect(best.text).toContain('Best under USD 1,000')
    expect(best.text).toContain(item.title)
    // The best is the purchase that does the most within the budget.
    expect(item.impact).toBe(Math.max(...purchases.map((a) => a.impact)))
    // What costs more is left out with the reason, not silently dropped.
    expect(b.adviceSummary.leftOut.some((x) => /over the budget: USD [\d,]+/.test(x.reason))).toBe(
      true
    )
  })
})

describe('free workload fixes before purchases', () => {
  it('a workload that fits with a q8_0 KV cache gets that free fix before any purchase', () => {
    const machine = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
    const p = profiles.find((x) => x.id === 'chat-qwen32b-q4')!
    // As specified (f16 KV) it does not fit on the GPU; with q8_0 it does.
    expect(evaluateProfile(machine, p).verdict).toBe('fits-with-offload')
    expect(evaluateProfile(machine, p, { kvDtype: 'q8_0' }).verdict).toMatch(
      /^fits-(tight|comfortably)$/
    )
    const r = report(machine, ['chat-qwen32b-q4', 'qlora-8b'])
    const kv = r.advice.findIndex((a) => a.kind === 'kv-cache')
    expect(kv).toBeGreaterThanOrEqual(0)
    const item = r.advice[kv]
    expect(item.free).toBe(true)
    expect(item.price).toEqual({ status: 'free' })
    expect(item.appliesTo).toEqual(['chat-qwen32b-q4'])
    expect(item.title).toMatch(/q8_0 KV cache \(-fa on -ctk q8_0 -ctv q8_0\)/)
    expect(item.effectText).toMatch(/runs partly on the CPU → fits \(tight\)|now fits/)
    const firstPurchase = r.advice.findIndex((a) => !a.free)
    expect(firstPurchase === -1 || kv < firstPurchase).toBe(true)
    // One fix per workload: the KV cache, not also smaller weights for the same workload.
    expect(r.advice.filter((a) => a.appliesTo.includes('chat-qwen32b-q4'))).toHaveLength(1)
  })

  it('fewer parallel sequences, when that is what makes a served model fit', () => {
    const machine = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
    const base = profiles.find((x) => x.id === 'serve-8b-bf16')!
    // 16 parallel 8K sequences of a BF16 8B model: 16 GB of weights and 16 GiB of f16 KV cache.
    const busy = { ...base, id: 'serve-8b-bf16-x16', shape: { ...base.shape, concurrency: 16 } }
    expect(evaluateProfile(machine, busy).verdict).toBe('does-not-fit')
    const r = buildReport({
      machine,
      profiles: [...profiles, busy],
      selectedIds: [busy.id],
      throttle: { windowSeconds: 0, events: [], summaries: [] },
      unavailable: [],
      nowMs: NOW,
      advice: { prices }
    })
    const fix = r.advice.find((a) => a.appliesTo.includes(busy.id))!
    expect(fix.free).toBe(true)
    expect(fix.kind).toMatch(/^(parallel-slots|kv-cache)$/)
    if (fix.kind === 'parallel-slots')
      expect(fix.title).toMatch(/serve \d+ parallel sequences? instead of 16/)
    const firstPurchase = r.advice.findIndex((a) => !a.free)
    expect(firstPurchase === -1 || r.advice.indexOf(fix) < firstPurchase).toBe(true)
  })
})

describe('the box: PSU, slots, form factor', () => {
  const one4090 = describeMachine({ gpu: 'RTX 4090', ramGb: 64 })
  const ids = ['serve-70b-q4', 'serve-llama33-70b-q4', 'qlora-8b']

  it('a 550 W PSU blocks a second 450 W GPU unless a PSU is part of the item', () => {
    const r = report(one4090, ids, { psuWatts: 550, limit: 100 })
    const adds = r.advice.filter((a) => a.kind === 'gpu-add')
    expect(adds.length).toBeGreaterThan(0)
    for (const a of adds) {
      const parts = a.price.status === 'free' ? [] : a.price.parts
      expect(parts.length).toBeGreaterThanOrEqual(2)
      expect(parts.some((p) => /power supply|PSU/i.test(p.what))).toBe(true)
      expect(a.requires.join(' ')).toMatch(
        /power supply of ≥ \d+ W \(yours: 550 W\): part of this item/
      )
      expect(a.title).toMatch(/\+ a .*(power supply|PSU)/)
    }
    // The second RTX 4090 itself: (2 × 450 + 150) × 1.21 → a 1300 W supply.
    const second = adds.find((a) => a.id === 'gpu-add-geforce-rtx-4090')!
    expect(second.requires.join(' ')).toContain('≥ 1300 W')
    // The packaged table has no 1300 W PSU: the bundle's price is unknown, and says why.
    expect(second.price.status).toBe('unknown')
    if (second.price.status === 'unknown') expect(second.price.detail).toMatch(/≥ 1300 W/)
  })

  it('prices the PSU into the item when the table has one, and needs none with a big enough PSU', () => {
    const withPsu = applyUserPrices(
      prices,
      JSON.stringify({
        schemaVersion: 1,
        asOf: '2026-12-01',
        rows: [
          {
            key: 'psu-1300w-atx3',
            kind: 'psu',
            watts: 1300,
            atx3: true,
            prices: [{ condition: 'new', basis: 'street', low: 250, high: 320, currency: 'USD' }]
          }
        ]
      }),
      'test prices'
    )
    const r = report(one4090, ids, { psuWatts: 550, prices: withPsu, limit: 100 })
    const second = r.advice.find((a) => a.id === 'gpu-add-geforce-rtx-4090')!
    expect(second.price.status).toBe('priced')
    if (second.price.status === 'priced') {
      expect(second.price.parts.map((p) => p.quote?.key)).toEqual([
        'geforce-rtx-4090',
        'psu-1300w-atx3'
      ])
      expect(second.price.low).toBe(2200 + 250)
    }
    const big = report(one4090, ids, { psuWatts: 1600, limit: 100 })
    for (const a of big.advice.filter((x) => x.kind === 'gpu-add')) {
      const parts = a.price.status === 'free' ? [] : a.price.parts
      expect(parts.some((p) => /power supply/i.test(p.what))).toBe(false)
    }
  })

  it('a PSU below what the box already needs is its own item', () => {
    const r = report(one4090, ['qlora-8b'], { psuWatts: 550 })
    const psu = r.advice.find((a) => a.kind === 'psu')
    expect(psu).toBeDefined()
    expect(psu!.title).toMatch(/Replace the 550 W power supply: the GPUs and CPU need ≥ 750 W/)
    expect(psu!.price.status).toBe('priced')
  })

  it('no free PCIe slot blocks a second GPU; a free x4 slot runs it at x4 and says so', () => {
    const full = report(one4090, ids, {
      limit: 100,
      pcieSlots: {
        status: 'ok',
        value: [
          {
            name: 'PCIEX16_1',
            lanes: { status: 'ok', value: 16 },
            gen: { status: 'ok', value: 4 },
            inUse: { status: 'ok', value: true }
          }
        ]
      }
    })
    expect(full.advice.some((a) => a.kind === 'gpu-add')).toBe(false)
    expect(full.adviceSummary.leftOut.some((x) => /no free PCIe slot/.test(x.reason))).toBe(true)
    const x4 = report(one4090, ids, {
      limit: 100,
      pcieSlots: {
        status: 'ok',
        value: [
          {
            name: 'PCIEX16_1',
            lanes: { status: 'ok', value: 16 },
            gen: { status: 'ok', value: 4 },
            inUse: { status: 'ok', value: true }
          },
          {
            name: 'PCIEX16_2',
            lanes: { status: 'ok', value: 4 },
            gen: { status: 'ok', value: 4 },
            inUse: { status: 'ok', value: false }
          }
        ]
      }
    })
    const add = x4.advice.find((a) => a.kind === 'gpu-add')!
    expect(add.requires.join(' ')).toMatch(/the only free slot \(PCIEX16_2\) has 4 lanes/)
    expect(x4.adviceSummary.box.pcieSlots.status).toBe('ok')
  })

  it('a laptop gets no internal GPU items; a unified-memory machine gets machines, never a GPU or RAM', () => {
    const base = describeMachine({ gpu: 'RTX 4070', ramGb: 32 })
    const laptop: MachineModel = {
      ...base,
      gpus: base.gpus.map((g) => ({ ...g, name: 'NVIDIA GeForce RTX 4070 Laptop GPU' }))
    }
    const r = report(laptop, ['serve-70b-q4', 'chat-qwen32b-q4'], { limit: 100 })
    expect(r.adviceSummary.box.formFactor).toBe('laptop')
    expect(r.advice.some((a) => a.kind === 'gpu-add' || a.kind === 'gpu-replace')).toBe(false)
    for (const a of r.advice.filter((x) => x.kind === 'external-gpu'))
      expect(a.requires.join(' ')).toMatch(/Thunderbolt/)
    const ram = r.advice.find((a) => a.kind === 'ram')
    if (ram) expect(ram.requires.join(' ')).toMatch(/SO-DIMM/)

    const mac = describeMachine({ gpu: 'M2 Max', ramGb: 32 })
    const m = report(mac, ['serve-70b-q4', 'chat-qwen32b-q4'], { limit: 100 })
    expect(m.adviceSummary.box.formFactor).toBe('unified')
    expect(
      m.advice.some((a) => ['gpu-add', 'gpu-replace', 'ram', 'external-gpu'].includes(a.kind))
    ).toBe(false)
    // Every priced machine is either proposed (simulated from its chip's spec row) or left out saying why.
    const machines = [
      ...m.advice.filter((a) => a.kind === 'machine').map((a) => a.title),
      ...m.adviceSummary.leftOut.filter((x) => /Mac/.test(x.title)).map((x) => x.title)
    ]
    expect(machines.length).toBeGreaterThan(0)
    for (const a of m.advice.filter((x) => x.kind === 'machine')) {
      expect(a.costClass).toBe('platform')
      expect(a.price.status).toBe('priced')
    }
  })
})
