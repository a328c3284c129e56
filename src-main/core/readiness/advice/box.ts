/**
 * What the box can take: PSU wattage against the GPUs' draw, free PCIe slots and their lanes, the card's
 * power connectors and length where the spec table has them, and the form factor (no second GPU in a laptop
 * or a unified-memory machine).
 *
 * PSU sizing after Dettmers: (Σ GPU TDP + CPU) × 1.1 × 1.1, rounded up to 50 W, with ~150 W assumed for the
 * CPU and the rest of the system.
 */
import type { BoxPcieSlot, MachineGpu } from '../../../shared/readiness'
import type { GpuSpec } from '../../gpu-specs'
import { GPU_SPECS } from '../../gpu-specs'
import type { AdviceContext, PartSpec } from './context'
import { psuPart } from './pricing'

/** CPU and rest-of-system draw assumed for PSU sizing (W). */
export const CPU_WATTS_ASSUMED = 150

/** Physical facts of a card (optional columns of the spec table). */
export interface CardPhysical {
  powerConnectors: string | null
  boardLengthMm: number | null
  slotWidth: number | null
}

/** Connectors, length and slot width of a spec row, where the table has them. */
export function cardPhysical(spec: GpuSpec | undefined): CardPhysical {
  const s = (spec ?? {}) as Partial<CardPhysical>
  return {
    powerConnectors: typeof s.powerConnectors === 'string' ? s.powerConnectors : null,
    boardLengthMm: typeof s.boardLengthMm === 'number' ? s.boardLengthMm : null,
    slotWidth: typeof s.slotWidth === 'number' ? s.slotWidth : null
  }
}

/** The spec row of a machine GPU, if matched. */
export function specOf(g: Pick<MachineGpu, 'specKey'>): GpuSpec | undefined {
  return g.specKey === null ? undefined : GPU_SPECS.find((s) => s.key === g.specKey)
}

/** PSU a set of GPUs needs (W), or null when a TDP is unknown; with the formula in words. */
export function psuNeed(gpus: readonly MachineGpu[]): { watts: number | null; formula: string } {
  let tdp = 0
  for (const g of gpus) {
    if (g.tdpWatts.status !== 'ok')
      return { watts: null, formula: `TDP of ${g.name} unknown: PSU need not computed` }
    tdp += g.tdpWatts.value
  }
  const watts = Math.ceil(((tdp + CPU_WATTS_ASSUMED) * 1.1 * 1.1) / 50) * 50
  return {
    watts,
    formula: `PSU ≥ (${tdp} W GPUs + ~${CPU_WATTS_ASSUMED} W CPU and system) × 1.1 × 1.1 = ${watts} W (Dettmers, rounded up to 50 W)`
  }
}

/** True when a card's connectors are the 16-pin 12VHPWR / 12V-2x6 kind. */
function needs16Pin(p: CardPhysical): boolean {
  return p.powerConnectors !== null && /16-pin|12v-?2x6|12vhpwr/i.test(p.powerConnectors)
}

/** What a GPU purchase needs from the box, and whether the box can take it at all. */
export interface GpuFit {
  /** Why it cannot go in; the candidate is left out then. */
  blocked?: string
  /** Extra parts (a PSU). */
  parts: PartSpec[]
  /** What else it needs, in words. */
  requires: string[]
  details: string[]
  /** Link of the slot it would go in (added cards), when the slot table tells. */
  link: { lanes: number | null; gen: number | null } | null
}

/** The free slot a second card would use: the one with the most lanes; null when the table is unknown. */
function freeSlot(ctx: AdviceContext): { slot: BoxPcieSlot | null; known: boolean } {
  const slots = ctx.box.pcieSlots
  if (slots.status !== 'ok') return { slot: null, known: false }
  const free = slots.value.filter((s) => s.inUse.status === 'ok' && !s.inUse.value)
  free.sort(
    (a, b) =>
      (b.lanes.status === 'ok' ? b.lanes.value : 0) - (a.lanes.status === 'ok' ? a.lanes.value : 0)
  )
  return { slot: free[0] ?? null, known: true }
}

/**
 * Fit of a GPU purchase: `add` puts it beside the cards there (needs a free slot), `replace` swaps the
 * first card. `gpusAfter` are the machine's GPUs after the change (for the PSU need).
 */
export function gpuFit(
  ctx: AdviceContext,
  spec: GpuSpec,
  gpusAfter: readonly MachineGpu[],
  mode: 'add' | 'replace' | 'external'
): GpuFit {
  const out: GpuFit = { parts: [], requires: [], details: [], link: null }
  const ff = ctx.box.formFactor
  if (mode !== 'external' && ff === 'laptop')
    return { ...out, blocked: `a laptop takes no desktop GPU (${ctx.box.formFactorBasis})` }
  if (mode !== 'external' && ff === 'unified')
    return {
      ...out,
      blocked: `no GPU can be added to a unified-memory machine (${ctx.box.formFactorBasis})`
    }
  const phys = cardPhysical(spec)
  if (mode === 'add') {
    const { slot, known } = freeSlot(ctx)
    if (known && slot === null)
      return { ...out, blocked: 'no free PCIe slot on this board (slot table read from firmware)' }
    if (slot) {
      const lanes = slot.lanes.status === 'ok' ? slot.lanes.value : null
      const gen = slot.gen.status === 'ok' ? slot.gen.value : null
      out.link = { lanes, gen }
      out.details.push(
        `goes in free slot ${slot.name}${lanes !== null ? ` (x${lanes}${gen !== null ? ` Gen${gen}` : ''})` : ''}`
      )
      if (lanes !== null && lanes < 8)
        out.requires.push(
          `the only free slot (${slot.name}) has ${lanes} lanes: the card runs at x${lanes}`
        )
    } else out.requires.push('a free x16 (or at least x8) PCIe slot')
    if (phys.slotWidth !== null && phys.slotWidth >= 2.5)
      out.requires.push(
        `room for a ${phys.slotWidth}-slot-wide card (the slots it covers cannot hold another card)`
      )
  }
  if (mode === 'external') {
    out.requires.push(
      'a Thunderbolt 3/4 or USB4 port and an eGPU enclosure (runs at about PCIe x4)'
    )
    out.link = { lanes: 4, gen: 3 }
  }
  if (phys.boardLengthMm !== null && mode !== 'external')
    out.requires.push(
      `room for a ${phys.boardLengthMm} mm card (reference board; partner cards are often longer)`
    )
  if (phys.powerConnectors !== null)
    out.details.push(`${spec.name} power connectors (reference board): ${phys.powerConnectors}`)
  // External cards draw from the enclosure's own supply.
  if (mode === 'external') return out
  const need = psuNeed(gpusAfter)
  out.details.push(need.formula)
  if (need.watts === null) return out
  const psu = ctx.box.psuWatts
  if (psu.status === 'ok') {
    if (psu.value < need.watts) {
      out.parts.push(psuPart(need.watts, needs16Pin(phys), ctx.nowMs))
      out.requires.push(
        `a power supply of ≥ ${need.watts} W (yours: ${psu.value} W): part of this item and its price`
      )
    }
  } else out.requires.push(`a power supply of ≥ ${need.watts} W (give --psu W to check yours)`)
  if (needs16Pin(phys) && (psu.status !== 'ok' || psu.value >= need.watts))
    out.details.push(
      'a 16-pin (12V-2x6) card: an ATX 3 PSU has the cable; older PSUs use the adapter in the box'
    )
  return out
}
