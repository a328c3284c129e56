/**
 * Glue between telemetry and the pure readiness engine: Inventory + a Snapshot window → ReadinessReport.
 * Used by `rigready check`, the engine service (serve, desktop) and tests, so all faces agree.
 */
import { buildReport, evaluateProfile } from '../core/evaluate'
import { machineFromInventory } from '../core/machine'
import { detectThrottle, summarizeSustained } from '../core/throttle'
import { unavailable, type ReadingUnavailable } from '../shared/reading'
import type {
  MachineModel,
  ProfileEvaluation,
  ReadinessReport,
  WorkloadProfile
} from '../shared/readiness'
import type { Inventory, Snapshot } from '../shared/telemetry'
import type { WhatIfRequest } from '../shared/ipc-contract'

/** Inputs for a report. */
export interface ReportInputs {
  inventory: Inventory
  snapshots: Snapshot[]
  profiles: WorkloadProfile[]
  selectedIds?: string[]
  nowMs: number
}

/** Lists every unavailable item worth telling the user about (absent device classes, collector failures). */
export function collectUnavailable(
  inv: Inventory,
  latest: Snapshot | null
): { item: string; reason: ReadingUnavailable }[] {
  const out: { item: string; reason: ReadingUnavailable }[] = inv.absent.map((a) => ({
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

/** The machine model for this engine state. */
export function machineFor(inv: Inventory, snapshots: Snapshot[]): MachineModel {
  const latest = snapshots.length ? snapshots[snapshots.length - 1] : null
  const sustained = snapshots.length >= 2 ? summarizeSustained(snapshots, inv) : null
  return machineFromInventory(inv, latest, sustained)
}

/** Builds the full report. */
export function composeReport(inputs: ReportInputs): ReadinessReport {
  const { inventory, snapshots } = inputs
  const latest = snapshots.length ? snapshots[snapshots.length - 1] : null
  const machine = machineFor(inventory, snapshots)
  const throttle =
    snapshots.length >= 2 ? detectThrottle(snapshots, inventory) : { events: [], summaries: [] }
  return buildReport({
    machine,
    profiles: inputs.profiles,
    selectedIds: inputs.selectedIds,
    throttle,
    unavailable: collectUnavailable(inventory, latest),
    nowMs: inputs.nowMs
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
