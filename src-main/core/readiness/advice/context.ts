/**
 * What the advice knows besides the machine model: the price table, the budget, the box (PSU, slots, form
 * factor), RAM speed and memory pressure, and the evaluation it improves on.
 *
 * Pure: `nowMs` is an argument; the price table is loaded by the node layer and passed in.
 */
import type {
  AdviceCurrency,
  AdviceKind,
  AdvicePriceTableInfo,
  BoxConstraints,
  BoxFormFactor,
  BoxPcieSlot,
  Constraint,
  MachineModel,
  MachineScore,
  ProfileEvaluation,
  WorkloadProfile
} from '../../../shared/readiness'
import type { Reading } from '../../../shared/reading'
import { ok, unavailable } from '../../../shared/reading'
import type { PriceLookup, PriceTable } from '../../prices'
import { priceAgeWarning, priceTableAgeDays } from '../../prices'
import type { EvaluationOverrides } from '../evaluate'
import type { MemoryPressureEvidence } from './memory-pressure'

/** An evaluation of every selected profile and both machine scores. */
export interface Evaluated {
  profiles: ProfileEvaluation[]
  training: MachineScore
  inference: MachineScore
}

/** Inputs of the advice besides the machine and the profiles (all optional). */
export interface AdviceOptions {
  /** The price table (packaged, merged with the user's file); null or absent: every price unknown. */
  prices?: PriceTable | null
  /** Report time (price ages); required for prices. */
  nowMs?: number
  /** Budget in the price table's currency: purchases whose low price is above it are not proposed. */
  budget?: number | null
  /** The PSU's rating (W), user-given. */
  psuWatts?: number | null
  /** PCIe slots of the board, where the platform tells. */
  pcieSlots?: Reading<BoxPcieSlot[]>
  /** Form factor when the caller knows better than the machine model (a battery seen in telemetry). */
  formFactor?: { value: BoxFormFactor; basis: string }
  /** RAM running speed and the modules' rated speed (MT/s), where the platform tells. */
  ramSpeed?: { runningMtps: Reading<number>; ratedMtps: Reading<number> }
  /** RAM type for pricing kits (`DDR5`), where known. */
  ramType?: Reading<string>
  /** Installed DIMMs, where known (a kit can be added only beside them). */
  ramModules?: Reading<number>
  /** Memory pressure seen in the telemetry window. */
  memoryPressure?: MemoryPressureEvidence | null
  /** Most items listed (default 10). */
  limit?: number
}

/** Everything a candidate generator reads. */
export interface AdviceContext {
  machine: MachineModel
  profiles: WorkloadProfile[]
  base: Evaluated
  prices: PriceTable | null
  nowMs: number
  currency: AdviceCurrency
  budget: number | null
  box: BoxConstraints
  ramSpeed: AdviceOptions['ramSpeed'] | null
  ramType: Reading<string>
  ramModules: Reading<number>
  memoryPressure: MemoryPressureEvidence | null
}

/** A part of a purchase to price: what it is and how to look it up. */
export interface PartSpec {
  what: string
  /** Name the part after the row found (a PSU "ATX PSU 1200 W" for "≥ 1150 W power supply"). */
  whatFromQuote?: boolean
  lookup: (table: PriceTable) => PriceLookup
}

/** A change to one workload's configuration (the free per-workload fixes). */
export interface WorkloadChange {
  profileId: string
  /** The profile as changed (shape, training settings). */
  profile: WorkloadProfile
  /** Evaluation overrides (weight format, KV cache type). */
  overrides?: EvaluationOverrides
}

/** An advice candidate before simulation. */
export interface Candidate {
  id: string
  kind: AdviceKind
  free: boolean
  title: string
  /** The machine after the change (the base machine for workload-only fixes). */
  machine: MachineModel
  /** Per-workload configuration changes. */
  workload?: WorkloadChange
  evidence: string[]
  /** Formulas, assumptions and sources (the "details" disclosure). */
  details: string[]
  /** Extra effect in plain words that the scores do not capture. */
  notes: string[]
  relaxes: Constraint
  /** Parts to price (purchases). */
  parts: PartSpec[]
  /** What else the box needs, in words. */
  requires: string[]
  /** Why the box cannot take it; the candidate is then left out with this reason. */
  blocked?: string
  /** Lower is cheaper or less disruptive (ties, minimum upgrades). */
  costRank: number
  /** Listed first (cooling when thermal throttling was measured). */
  first?: boolean
  /** Listed even when no selected score moves (a free fix with its own evidence). */
  keepWithoutImpact?: boolean
  /** Ranking group for de-duplication (at most a few GPU replacements, one RAM size). */
  group?:
    'gpu-replace' | 'gpu-add' | 'gpu-add-same' | 'external-gpu' | 'ram' | 'machine' | 'storage'
  /** `costClass` for older readers. */
  costClass: 'free' | 'part' | 'platform'
}

/** Words for the form factor of a machine model, from the GPUs it has and their names. */
export function formFactorOf(machine: MachineModel): { value: BoxFormFactor; basis: string } {
  const discrete = machine.gpus.filter((g) => !g.unified)
  const unified = machine.gpus.filter((g) => g.unified)
  const laptopGpu = machine.gpus.find((g) => /\b(laptop|mobile|max-q)\b/i.test(g.name))
  if (laptopGpu) return { value: 'laptop', basis: `${laptopGpu.name} is a laptop GPU` }
  if (discrete.length === 0 && unified.length > 0)
    return {
      value: 'unified',
      basis: `unified memory (${unified[0].name}): the GPU shares system RAM`
    }
  if (machine.onBattery.status === 'ok' && machine.onBattery.value)
    return { value: 'laptop', basis: 'running on battery' }
  if (discrete.length > 0)
    return { value: 'desktop', basis: 'discrete GPU and no sign of a laptop' }
  return { value: 'unknown', basis: 'no GPU and no battery reading' }
}

/** The box constraints from the options and the machine model. */
export function boxOf(machine: MachineModel, o: AdviceOptions): BoxConstraints {
  const ff = o.formFactor ?? formFactorOf(machine)
  return {
    formFactor: ff.value,
    formFactorBasis: ff.basis,
    psuWatts:
      o.psuWatts !== undefined && o.psuWatts !== null
        ? ok(o.psuWatts)
        : unavailable('unsupported', 'not given (use --psu W or the Settings field)'),
    pcieSlots:
      o.pcieSlots ??
      unavailable(
        machine.origin === 'probed' ? 'unsupported' : 'not-applicable',
        machine.origin === 'probed'
          ? 'the board does not tell its slots here'
          : 'described machine: slots not given'
      )
  }
}

/** The price table's date, age and warning, or why there is none. */
export function priceTableInfo(
  table: PriceTable | null,
  nowMs: number
): Reading<AdvicePriceTableInfo> {
  if (table === null) return unavailable('not-applicable', 'no price table given')
  return ok({
    asOf:
      table.overrides?.asOf && table.overrides.asOf > table.asOf
        ? table.overrides.asOf
        : table.asOf,
    ageDays: priceTableAgeDays(table, nowMs),
    warning: priceAgeWarning(table, nowMs),
    userFile: table.overrides?.source ?? null
  })
}

/** The advice context for a machine, its base evaluation and the options. */
export function adviceContext(
  machine: MachineModel,
  profiles: WorkloadProfile[],
  base: Evaluated,
  o: AdviceOptions
): AdviceContext {
  const prices = o.prices ?? null
  return {
    machine,
    profiles,
    base,
    prices,
    nowMs: o.nowMs ?? 0,
    currency: prices?.currency ?? 'USD',
    budget: o.budget ?? null,
    box: boxOf(machine, o),
    ramSpeed: o.ramSpeed ?? null,
    ramType: o.ramType ?? unavailable('unsupported', 'RAM type not known'),
    ramModules: o.ramModules ?? unavailable('unsupported', 'installed DIMMs not known'),
    memoryPressure: o.memoryPressure ?? null
  }
}

/** "a" or "an" before a name. */
export function article(name: string): string {
  return /^[AEIOU]|^RTX A|^8/i.test(name) && !/^Uni/i.test(name) ? 'an' : 'a'
}

/** Bytes as "24 GB" (binary, as drivers and vendors label VRAM). */
export function gbText(bytes: number): string {
  return `${Math.round(bytes / 2 ** 30)} GiB`
}
