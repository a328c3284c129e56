/**
 * Report composition: Inventory + throttle analysis (or a Snapshot window) → ReadinessReport.
 *
 * Pure: `nowMs` is an argument. Used by `rigready check`, the engine service (serve, desktop) and tests, so
 * every face builds the same report. The throttling section, the sustained evidence the scores use and the
 * events all come from one throttle analysis over one window, so a report never mixes windows.
 */
import type {
  MachineModel,
  MeasuredSummary,
  ProfileEvaluation,
  ReadinessReport,
  WorkloadProfile
} from '../../shared/readiness'
import { REPORT_SCHEMA_VERSION } from '../../shared/readiness'
import { unavailable, type ReadingUnavailable } from '../../shared/reading'
import type { Inventory, Snapshot } from '../../shared/telemetry'
import type { WhatIfRequest } from '../../shared/ipc-contract'
import { analyzeThrottle, type ThrottleAnalysis } from '../throttle'
import type { AdviceOptions } from './advice'
import { adviseMachineSteps, memoryPressureEvidence } from './advice'
import { runSteps, type Steps } from '../steps'
import { evaluateAll, evaluateProfile } from './evaluate'
import { machineFromInventory } from './machine'
import { applyMeasuredProbe, describeMeasuredEffects } from '../measured'
import type { MeasuredProbe } from '../../shared/probe'

/** An item the report could not assess, and why. */
export type UnavailableItem = { item: string; reason: ReadingUnavailable }

/** Inputs for a report from a Snapshot window (batch: the window is replayed into one tracker). */
export interface ReportInputs {
  inventory: Inventory
  snapshots: Snapshot[]
  profiles: WorkloadProfile[]
  selectedIds?: string[]
  nowMs: number
  /** Prices, budget, PSU (the box facts of the inventory and the window's memory pressure are added). */
  advice?: AdviceOptions
  /** The latest stored load probe of this machine (its measured values replace defaults). */
  measured?: MeasuredProbe | null
}

/** Inputs for a report from a live tracker's analysis. */
export interface AnalysisReportInputs {
  inventory: Inventory
  /** The newest snapshot (governor, power source, PCIe link under load), or null before the first. */
  latest: Snapshot | null
  /** The tracker's analysis of the report's window; null without telemetry (at least two snapshots). */
  throttle: ThrottleAnalysis | null
  profiles: WorkloadProfile[]
  selectedIds?: string[]
  nowMs: number
  /** Prices, budget, PSU (the box facts of the inventory are added). */
  advice?: AdviceOptions
  /** Snapshots of the report's window, for the memory pressure behind the swap advice (optional). */
  window?: readonly Snapshot[]
  /** The latest stored load probe of this machine (its measured values replace defaults). */
  measured?: MeasuredProbe | null
}

/** Lists every unavailable item worth telling the user about (absent device classes, collector failures). */
export function collectUnavailable(inv: Inventory, latest: Snapshot | null): UnavailableItem[] {
  const out: UnavailableItem[] = inv.absent.map((a) => ({
    item: a.deviceClass,
    reason: a.reason
  }))
  if (latest) {
    for (const h of latest.health) {
      if (h.status === 'failed' || h.status === 'timeout')
        out.push({
          item: `collector ${h.collector}`,
          reason: unavailable(
            h.status === 'timeout' ? 'timeout' : 'failed',
            h.lastError ?? undefined
          )
        })
    }
    const sections = ['cpu', 'memory', 'storage', 'thermal', 'power'] as const
    for (const k of sections) {
      const r = latest[k]
      if (r.status === 'unavailable' && !out.some((o) => o.item === k))
        out.push({ item: k, reason: r })
    }
  }
  return out
}

/** Throttle analysis of a Snapshot window; null when there is no interval to analyse (fewer than two). */
export function analyzeWindow(inv: Inventory, snapshots: Snapshot[]): ThrottleAnalysis | null {
  return snapshots.length >= 2 ? analyzeThrottle(snapshots, inv) : null
}

/** The machine model for an inventory and a Snapshot window. */
export function machineFor(inv: Inventory, snapshots: Snapshot[]): MachineModel {
  const latest = snapshots.length ? snapshots[snapshots.length - 1] : null
  return machineFromInventory(inv, latest, analyzeWindow(inv, snapshots)?.sustained ?? null)
}

/** The machine model for an inventory, the newest snapshot and a throttle analysis (live engines). */
export function machineForAnalysis(
  inv: Inventory,
  latest: Snapshot | null,
  throttle: ThrottleAnalysis | null
): MachineModel {
  return machineFromInventory(inv, latest, throttle?.sustained ?? null)
}

function machineUnavailable(machine: MachineModel): UnavailableItem[] {
  const out: UnavailableItem[] = []
  machine.gpus.forEach((g, i) => {
    if (g.vramBytes.status !== 'ok')
      out.push({ item: `GPU${i} ${g.name} memory size`, reason: g.vramBytes })
    if (g.memoryBandwidthGBps.status !== 'ok')
      out.push({ item: `GPU${i} ${g.name} memory bandwidth`, reason: g.memoryBandwidthGBps })
    if (g.tensorTflops.status !== 'ok' && g.fp32Tflops.status !== 'ok')
      out.push({ item: `GPU${i} ${g.name} compute peak`, reason: g.fp32Tflops })
  })
  if (machine.ramBytes.status !== 'ok')
    out.push({ item: 'system RAM size', reason: machine.ramBytes })
  if (machine.cpu.physicalCores.status !== 'ok')
    out.push({ item: 'CPU core count', reason: machine.cpu.physicalCores })
  if (machine.ramBandwidthGBps.status !== 'ok')
    out.push({ item: 'system RAM bandwidth', reason: machine.ramBandwidthGBps })
  if (machine.storage.freeBytes.status !== 'ok')
    out.push({ item: 'free disk space', reason: machine.storage.freeBytes })
  if (machine.sustained === null)
    out.push({
      item: 'sustained-operation evidence',
      reason: unavailable(
        'warming-up',
        'no telemetry window yet (needs two samples; run `rigready record` or a load probe)'
      )
    })
  return out
}

/** Inputs to {@link buildReport}. */
export interface BuildReportInput {
  machine: MachineModel
  profiles: WorkloadProfile[]
  selectedIds?: string[]
  throttle: ReadinessReport['throttling']
  unavailable: UnavailableItem[]
  nowMs: number
  /** Prices, budget, PSU and box facts for the advice. */
  advice?: AdviceOptions
  /** The latest stored load probe of this machine: its measured values replace defaults. */
  measured?: MeasuredProbe | null
}

/**
 * Box facts of an inventory for the advice: PCIe slots, RAM type, modules and speed, and a laptop seen by
 * its battery. Options given by the caller win.
 */
export function adviceInputsFromInventory(
  inv: Inventory,
  latest: Snapshot | null,
  given: AdviceOptions = {}
): AdviceOptions {
  const battery =
    latest?.power.status === 'ok' && latest.power.value.batteries.length > 0
      ? { value: 'laptop' as const, basis: 'a battery is present' }
      : undefined
  const rated = inv.memory.ratedSpeedMtps
  return {
    ...(inv.pcieSlots ? { pcieSlots: inv.pcieSlots } : {}),
    ramType: inv.memory.type,
    ramModules: inv.memory.modules,
    ...(rated ? { ramSpeed: { runningMtps: inv.memory.speedMtps, ratedMtps: rated } } : {}),
    ...(battery ? { formFactor: battery } : {}),
    nowMs: latest?.timestampMs,
    ...given
  }
}

/** Builds the full readiness report from a machine model and throttle findings. */
export function buildReport(input: BuildReportInput): ReadinessReport {
  return runSteps(buildReportSteps(input))
}

/** `buildReport` in steps (the evaluation, then one step per advice candidate simulated). */
export function* buildReportSteps(input: BuildReportInput): Steps<ReadinessReport> {
  const selected = input.selectedIds
    ? input.profiles.filter((p) => input.selectedIds!.includes(p.id))
    : input.profiles
  // Measured values (a stored load probe) replace spec and default values; the report says what changed.
  let machine = input.machine
  let measured: MeasuredSummary | null = null
  if (input.measured) {
    const adj = applyMeasuredProbe(input.machine, input.measured)
    if (adj.changes.length > 0) {
      machine = adj.machine
      measured = {
        source: input.measured.source,
        measuredAtMs: input.measured.measuredAtMs,
        changes: adj.changes,
        effects: []
      }
    }
  }
  const base = evaluateAll(machine, selected)
  if (measured)
    measured.effects = describeMeasuredEffects(
      evaluateAll(input.machine, selected).profiles,
      base.profiles,
      measured.changes
    )
  yield
  const advice = yield* adviseMachineSteps(machine, selected, base, {
    nowMs: input.nowMs,
    ...input.advice
  })
  const seen = new Set(input.unavailable.map((u) => u.item))
  const unavailableItems = [
    ...input.unavailable,
    ...machineUnavailable(machine).filter((u) => !seen.has(u.item))
  ]
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAtMs: input.nowMs,
    machine,
    training: base.training,
    inference: base.inference,
    profiles: base.profiles,
    throttling: input.throttle,
    advice: advice.advice,
    adviceSummary: advice.summary,
    minimumUpgrades: advice.minimumUpgrades,
    unavailable: unavailableItems,
    measured
  }
}

/** Builds the report from a throttle analysis (the live engine's tracker, or a replayed window). */
export function composeReportFromAnalysis(inputs: AnalysisReportInputs): ReadinessReport {
  return runSteps(composeReportFromAnalysisSteps(inputs))
}

/** `composeReportFromAnalysis` in steps, for a caller that spreads it over event-loop turns. */
export function* composeReportFromAnalysisSteps(
  inputs: AnalysisReportInputs
): Steps<ReadinessReport> {
  const { inventory, latest, throttle } = inputs
  const machine = machineForAnalysis(inventory, latest, throttle)
  return yield* buildReportSteps({
    machine,
    profiles: inputs.profiles,
    selectedIds: inputs.selectedIds,
    throttle: throttle
      ? {
          windowSeconds: throttle.windowSeconds,
          events: throttle.events,
          summaries: throttle.summaries
        }
      : { windowSeconds: 0, events: [], summaries: [] },
    unavailable: collectUnavailable(inventory, latest),
    nowMs: inputs.nowMs,
    measured: inputs.measured ?? null,
    advice: {
      ...adviceInputsFromInventory(inventory, latest, inputs.advice),
      nowMs: inputs.nowMs,
      ...(inputs.window ? { memoryPressure: memoryPressureEvidence(inputs.window) } : {})
    }
  })
}

/** Builds the report from a Snapshot window: one replay into one tracker feeds every section. */
export function composeReport(inputs: ReportInputs): ReadinessReport {
  const { inventory, snapshots } = inputs
  return composeReportFromAnalysis({
    inventory,
    latest: snapshots.length ? snapshots[snapshots.length - 1] : null,
    throttle: analyzeWindow(inventory, snapshots),
    profiles: inputs.profiles,
    selectedIds: inputs.selectedIds,
    nowMs: inputs.nowMs,
    advice: inputs.advice,
    window: snapshots,
    measured: inputs.measured ?? null
  })
}

/** Evaluates one what-if on this machine. */
export function whatIf(
  machine: MachineModel,
  profiles: WorkloadProfile[],
  req: WhatIfRequest
): ProfileEvaluation {
  const p = profiles.find((x) => x.id === req.profileId)
  if (!p) throw new Error(`unknown profile "${req.profileId}"`)
  return evaluateProfile(machine, p, {
    weightFormat: req.weightFormat,
    ctxTokens: req.ctxTokens,
    microBatch: req.microBatch,
    method: req.method,
    gpuCount: req.gpuCount
  })
}
