/**
 * Top-level JSON shapes printed by the CLI (`snapshot --json`, `estimate --json`).
 */
import type { MachineModel, ProfileEvaluation } from './readiness'
import type { Inventory, Snapshot } from './telemetry'

/** `rigready snapshot --json`. */
export interface SnapshotOutput {
  inventory: Inventory
  snapshot: Snapshot
}

/** `rigready estimate --json`. */
export interface EstimateOutput {
  schemaVersion: number
  machine: MachineModel
  evaluations: ProfileEvaluation[]
}
