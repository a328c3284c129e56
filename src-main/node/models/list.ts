/**
 * The "Your models" list for the engine service: the models in this machine's stores, evaluated on it.
 */
import { evaluateProfile } from '../../core/readiness/evaluate'
import { inferenceProfileFor } from '../../core/model-profile'
import type { ModelListEntry, ModelsOutput } from '../../shared/cli-output'
import { REPORT_SCHEMA_VERSION, type MachineModel } from '../../shared/readiness'
import { ok, unavailable, valueOr } from '../../shared/reading'
import { discoverModels } from './stores'
import type { LocalModel } from './types'

const RUNNABLE = new Set(['fits-comfortably', 'fits-tight', 'fits-with-offload'])

/** Evaluates one local model on a machine into a list entry. */
export function modelEntry(
  m: LocalModel,
  store: string,
  machine: MachineModel,
  ctx?: number
): ModelListEntry {
  const profile = inferenceProfileFor(m, { ctxTokens: ctx })
  const e = evaluateProfile(machine, profile)
  return {
    id: m.id,
    name: m.name,
    source: m.source,
    store,
    path: m.path,
    weightFormat: m.weightFormat,
    weightBytes:
      m.weightBytes > 0
        ? ok(m.weightBytes)
        : m.model.weightBytesExact !== undefined
          ? ok(m.model.weightBytesExact)
          : unavailable('unsupported', 'no tensor sizes in the model files'),
    paramsTotalB: m.model.paramsTotalB,
    paramsActiveB: m.model.paramsActiveB,
    moe: (m.model.nExperts ?? 0) > 1,
    ctxTokens: profile.shape.ctxTokens ?? 0,
    verdict: e.verdict,
    score: e.score,
    requiredBytes: e.memory.requiredBytes,
    availableBytes: e.memory.availableBytes,
    placement: e.placement.description,
    decodeTokensPerSec: e.speed.decodeTokensPerSec,
    ttftSeconds: e.speed.ttftSeconds,
    binding: e.binding,
    bindingDetail: e.bindingDetail
  }
}

/** Sorts runnable models first, fastest first; the rest by memory need. */
export function sortEntries(list: ModelListEntry[]): ModelListEntry[] {
  const tps = (e: ModelListEntry): number =>
    e.decodeTokensPerSec.status === 'ok' ? e.decodeTokensPerSec.value : 0
  return [...list].sort((a, b) => {
    const ra = RUNNABLE.has(a.verdict) ? 1 : 0
    const rb = RUNNABLE.has(b.verdict) ? 1 : 0
    if (ra !== rb) return rb - ra
    if (ra === 1) return tps(b) - tps(a) || valueOr(b.score, -1) - valueOr(a.score, -1)
    return a.requiredBytes - b.requiredBytes
  })
}

/** Discovers and evaluates the models in this environment's stores and `dirs`. */
export async function listModels(
  env: NodeJS.ProcessEnv,
  machine: MachineModel,
  dirs: string[] = [],
  ctx?: number
): Promise<ModelsOutput> {
  const found = await discoverModels(env, dirs)
  const models = sortEntries(
    found.flatMap((f) => (f.ok ? [modelEntry(f.model, f.store, machine, ctx)] : []))
  )
  const problems = found.flatMap((f) =>
    f.ok ? [] : [{ path: f.path, store: f.store, error: f.error }]
  )
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    machine: { label: machine.label, origin: machine.origin },
    models,
    problems
  }
}
