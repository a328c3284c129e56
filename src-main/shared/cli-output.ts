/**
 * Top-level JSON shapes printed by the CLI (`snapshot --json`, `estimate --json`).
 */
import type { Reading } from './reading'
import type {
  AdviceItem,
  AdviceSummary,
  Constraint,
  MachineModel,
  MinimumUpgrade,
  ProfileEvaluation,
  Verdict
} from './readiness'
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
  /** Advice for the machine and the workloads, ranked as in `check`. */
  advice: AdviceItem[]
  adviceSummary: AdviceSummary
  minimumUpgrades: MinimumUpgrade[]
}

/** One model found on disk, evaluated on a machine (`rigready models --json`). */
export interface ModelListEntry {
  id: string
  name: string
  source: 'gguf' | 'huggingface' | 'ollama'
  /** Where it was found (Hugging Face cache, Ollama, LM Studio, llama.cpp cache, folder DIR). */
  store: string
  path: string
  weightFormat: string
  /** Weight bytes on disk (exact from the file's tensor table or safetensors headers). */
  weightBytes: Reading<number>
  paramsTotalB: number
  paramsActiveB: number
  moe: boolean
  ctxTokens: number
  verdict: Verdict
  /** 0–100, unavailable when an input of the verdict is unknown. */
  score: Reading<number>
  requiredBytes: number
  availableBytes: Reading<number>
  placement: string
  decodeTokensPerSec: Reading<number>
  ttftSeconds: Reading<number>
  binding: Constraint
  bindingDetail: string
}

/** `rigready models --json`. */
export interface ModelsOutput {
  schemaVersion: number
  machine: { label: string; origin: MachineModel['origin'] }
  /** Best runnable first (by decode tokens/s), then the rest by memory need. */
  models: ModelListEntry[]
  /** Files that looked like models and could not be read, each naming the file and what is wrong. */
  problems: { path: string; store: string; error: string }[]
}
