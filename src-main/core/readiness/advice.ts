/**
 * Upgrade advice: free fixes before purchases, each simulated by re-running the evaluation on the changed
 * machine or workload (readiness reference §6.3); purchases priced from the dated price table and ranked by
 * value; a budget and the box's constraints (PSU, slots, form factor) decide what is proposed.
 *
 * The parts live in `advice/`: `context` (inputs, box), `fixes` (machine-wide free fixes), `workload-fixes`
 * (KV cache, quantisation, parallel slots, flash attention), `purchases` (GPUs, RAM, NVMe, machines), `box`
 * (PSU, slots, connectors), `pricing`, `simulate` (effects in words), `explain` (why a score goes down),
 * `rank` (budget, ranking, summary), `minimum` (least upgrade per profile), `memory-pressure`.
 */
import type {
  AdviceItem,
  AdviceSummary,
  MachineModel,
  MinimumUpgrade,
  WorkloadProfile
} from '../../shared/readiness'
import type { AdviceOptions, Evaluated } from './advice/context'
import { adviceContext } from './advice/context'
import { minimumUpgrades } from './advice/minimum'
import { DEFAULT_ADVICE_LIMIT, rankAdviceSteps } from './advice/rank'
import { runSteps, type Steps } from '../steps'

export type { AdviceOptions } from './advice/context'
export { memoryPressureEvidence } from './advice/memory-pressure'
export type { MemoryPressureEvidence } from './advice/memory-pressure'

/** The advice for a machine: ranked items, the summary (budget, best items, box) and minimum upgrades. */
export interface Advice {
  advice: AdviceItem[]
  summary: AdviceSummary
  minimumUpgrades: MinimumUpgrade[]
}

/** Advice for a machine and its base evaluation of the selected profiles. */
export function adviseMachine(
  machine: MachineModel,
  profiles: WorkloadProfile[],
  base: Evaluated,
  options: AdviceOptions = {}
): Advice {
  return runSteps(adviseMachineSteps(machine, profiles, base, options))
}

/** `adviseMachine` in steps (one per candidate simulated). */
export function* adviseMachineSteps(
  machine: MachineModel,
  profiles: WorkloadProfile[],
  base: Evaluated,
  options: AdviceOptions = {}
): Steps<Advice> {
  const ctx = adviceContext(machine, profiles, base, options)
  yield
  const r = yield* rankAdviceSteps(ctx, options.limit ?? DEFAULT_ADVICE_LIMIT)
  return {
    advice: r.advice,
    summary: r.summary,
    minimumUpgrades: minimumUpgrades(ctx, r.simulated)
  }
}
