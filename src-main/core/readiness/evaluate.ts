/**
 * Evaluation of workload profiles on a machine, and the machine-level training and inference scores.
 *
 * evaluateProfile: placement → memory terms → speed → factors, gates and caps → verdict, score, binding
 * constraint, confidence. An input the verdict depends on that is unknown (the VRAM of a usable GPU, the
 * system RAM where the placement needs it) makes the evaluation `unknown` with the reason; it is never
 * computed on 0. scoreMachine: priority-weighted mean over the group's profiles. Report composition (with
 * advice) is in `report.ts`, so this module imports neither advice nor the report.
 */
import type {
  Assumption,
  Confidence,
  Constraint,
  MachineGpu,
  MachineModel,
  MachineScore,
  ProfileEvaluation,
  TrainingMethod,
  WorkloadProfile
} from '../../shared/readiness'
import type { Reading, ReadingUnavailable } from '../../shared/reading'
import { describeReason, ok, unavailable } from '../../shared/reading'
import { GPU_SPECS } from '../gpu-specs'
import type { InferenceMemory } from '../memory'
import { fmtGB, inferenceMemory, trainingMemory } from '../memory'
import type { PlacementPlan } from '../placement'
import { eligibleGpus, placeInference, placeTraining } from '../placement'
import type { FactorValue } from './score'
import {
  FACTOR_TABLE,
  PLACEMENT_CAPS,
  combineFactors,
  confidenceFrom,
  cpuScore,
  hostRamScore,
  interconnectScore,
  logScore,
  memoryFitScore,
  platformScore,
  precisionScore,
  storageScore,
  sustainedScore,
  timeScore,
  verdictFor
} from './score'
import type { Sourced } from '../tables'
import { PREFILL_MFU, decodeEfficiency, weightFormat } from '../tables'
import { isMoe } from '../moe'
import {
  decodeBytesPerToken,
  decodeShape,
  decodeTokensPerSec,
  peakTflops,
  prefillTokensPerSec,
  trainHours,
  trainingFlops,
  trainingMfu
} from '../speed'

/** Optional inputs that replace defaults (calibration, what-if). */
export interface EvaluationOverrides {
  weightFormat?: string
  kvDtype?: 'f16' | 'q8_0' | 'q4_0' | 'fp8'
  /** Measured decode efficiency η (replaces the table). */
  decodeEfficiency?: number
  /** Measured training MFU (replaces the default). */
  mfu?: number
  /** What-if: context tokens (inference) or sequence length (training). */
  ctxTokens?: number
  /** What-if: micro-batch (training) or concurrent sequences (inference). */
  microBatch?: number
  /** What-if: training method (a profile without a training section gets LoRA-style defaults). */
  method?: TrainingMethod
  /** What-if: N GPUs — the first N of this machine, or this machine plus copies of its last GPU. */
  gpuCount?: number
}

function applyOverrides(
  machine: MachineModel,
  profile: WorkloadProfile,
  o: EvaluationOverrides
): { machine: MachineModel; profile: WorkloadProfile } {
  let p = profile
  const training = p.kind === 'finetune' || p.kind === 'pretrain'
  if (o.ctxTokens !== undefined) {
    p = training
      ? { ...p, shape: { ...p.shape, seqLen: o.ctxTokens } }
      : {
          ...p,
          shape: { ...p.shape, ctxTokens: o.ctxTokens },
          targets: { ...p.targets, ctxTarget: o.ctxTokens }
        }
  }
  if (o.microBatch !== undefined)
    p = {
      ...p,
      shape: training
        ? { ...p.shape, microBatch: o.microBatch }
        : { ...p.shape, concurrency: o.microBatch }
    }
  if (o.method !== undefined && training) {
    const t = p.training ?? {
      method: o.method,
      optimizer: 'adamw' as const,
      gradCheckpointing: 'full' as const
    }
    p = {
      ...p,
      training: {
        ...t,
        method: o.method,
        loraRank: t.loraRank ?? 16,
        loraTargets: t.loraTargets ?? ['q', 'k', 'v', 'o', 'gate', 'up', 'down']
      }
    }
  }
  // Fewer GPUs: the first N. More GPUs: the machine plus copies of its last GPU (the card a user would
  // add). Without any GPU there is nothing to copy, so the machine stays as it is.
  const n = o.gpuCount === undefined ? machine.gpus.length : Math.max(0, Math.floor(o.gpuCount))
  const last = machine.gpus[machine.gpus.length - 1]
  const m =
    n < machine.gpus.length
      ? { ...machine, gpus: machine.gpus.slice(0, n) }
      : n > machine.gpus.length && last
        ? {
            ...machine,
            gpus: [
              ...machine.gpus,
              ...Array.from({ length: n - machine.gpus.length }, () => ({ ...last }))
            ]
          }
        : machine
  return { machine: m, profile: p }
}

/** Not applicable to this profile (a training profile has no decode speed, a single GPU no interconnect). */
const NA = (detail: string): ReadingUnavailable => unavailable('not-applicable', detail)

/** The numeric score of an evaluation, or null when it is unknown. */
export function evaluationScore(e: Pick<ProfileEvaluation, 'score'>): number | null {
  return e.score.status === 'ok' ? e.score.value : null
}

function def(kind: 'inference' | 'training', id: string): FactorValue['def'] {
  const d = FACTOR_TABLE[kind].find((f) => f.id === id)
  if (!d) throw new Error(`no factor ${id}`)
  return d
}

function specConfidenceOf(gpus: MachineGpu[]): Confidence | 'unknown' | null {
  if (gpus.length === 0) return null
  const order = ['high', 'medium', 'low', 'unknown'] as const
  return gpus.map((g) => g.specConfidence).sort((a, b) => order.indexOf(b) - order.indexOf(a))[0]
}

/** One `spec-unverified` record per GPU whose spec-table figures come from a match that is not certain. */
function specAssumptions(gpus: MachineGpu[]): Assumption[] {
  const out: Assumption[] = []
  const seen = new Set<string>()
  for (const g of gpus) {
    if (g.specConfidence === 'high' || seen.has(g.name)) continue
    seen.add(g.name)
    out.push({
      kind: 'spec-unverified',
      text:
        g.specKey === null
          ? `${g.name}: not in the spec table (bandwidth and TFLOPS unknown)`
          : `${g.name}: spec figures from a ${g.specConfidence}-confidence match (${g.specKey})`
    })
  }
  return out
}

function isDatacenter(gpus: MachineGpu[]): boolean {
  return (
    gpus.length > 0 &&
    gpus.every((g) => GPU_SPECS.find((s) => s.key === g.specKey)?.segment === 'datacenter')
  )
}

function primaryBackend(plan: PlacementPlan): MachineGpu['backend'] {
  return plan.gpus[0]?.backend ?? 'cpu'
}

function gateBinding(
  machine: MachineModel,
  profile: WorkloadProfile,
  plan: PlacementPlan
): Constraint {
  if (plan.gpus.length === 0) {
    if (!profile.runtime.allowedBackends.includes('cpu'))
      return machine.gpus.length === 0 ? 'compute' : 'software'
    return 'host-ram'
  }
  if (plan.placement.kind === 'gpu-cpu-offload') return 'host-ram'
  if (plan.shortfall?.includes('RAM')) return 'host-ram'
  return 'vram-capacity'
}

/** No usable GPU and the runtime has no CPU path: the verdict is "needs a GPU", not a memory verdict. */
function needsGpu(machine: MachineModel, profile: WorkloadProfile, plan: PlacementPlan): boolean {
  return plan.gpus.length === 0 && !profile.runtime.allowedBackends.includes('cpu')
}

function fmtNum(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)
}

function minCcGate(profile: WorkloadProfile, gpus: MachineGpu[]): string | null {
  const min = profile.requirements?.minCc
  if (min === undefined) return null
  for (const g of gpus) {
    if (g.vendor !== 'nvidia' || g.computeCapability.status !== 'ok') continue
    const cc = Number(g.computeCapability.value)
    if (Number.isFinite(cc) && cc < min)
      return `${g.name} has compute capability ${g.computeCapability.value}; the profile needs ≥ ${min}`
  }
  return null
}

interface InferenceChoice {
  format: string
  mem: InferenceMemory
  plan: PlacementPlan
}

function chooseInference(
  machine: MachineModel,
  profile: WorkloadProfile,
  o: EvaluationOverrides
): InferenceChoice {
  const formats = o.weightFormat
    ? [o.weightFormat]
    : profile.precision.weightFormatCandidates?.length
      ? profile.precision.weightFormatCandidates
      : [profile.precision.weightFormat]
  const choices = formats.map((format) => {
    const mem = inferenceMemory(profile, format, o.kvDtype)
    return { format, mem, plan: placeInference(machine, profile, mem) }
  })
  const onGpu = choices.find(
    (c) =>
      c.plan.fits &&
      c.plan.placement.kind !== 'gpu-cpu-offload' &&
      c.plan.placement.kind !== 'cpu-only'
  )
  return onGpu ?? choices.find((c) => c.plan.fits) ?? choices[0]
}

/** A hard gate (does not fit, missing precision support) zeroes the score and names its own constraint. */
function applyGates(
  c: { score: number; binding: Constraint; bindingDetail: string },
  gates: string[],
  ccGate: string | null | undefined,
  fits: boolean,
  bindingOf: () => Constraint
): { score: number; binding: Constraint; bindingDetail: string } {
  if (gates.length === 0)
    return { score: c.score, binding: c.binding, bindingDetail: c.bindingDetail }
  return { score: 0, binding: ccGate && fits ? 'precision' : bindingOf(), bindingDetail: gates[0] }
}

function isTrainingProfile(profile: Pick<WorkloadProfile, 'kind'>): boolean {
  return profile.kind === 'finetune' || profile.kind === 'pretrain'
}

/** What the evaluation knows is unknown about the machine (it scores what it can and says so). */
interface Unknowns {
  /** System RAM size is unknown: the machine passed in carries a lower bound of 0 for it. */
  ram?: ReadingUnavailable
}

/**
 * Evaluates one profile on one machine.
 *
 * Unknown inputs: the VRAM of a GPU the profile could use makes the evaluation unknown. Unknown system RAM
 * is handled by evaluating with no host RAM, a lower bound: a workload that then still fits entirely on the
 * GPUs (no host-side placement, no offload) keeps its verdict, with the host-RAM factor unscored and the
 * unknown input recorded; anything that would need host RAM is unknown.
 */
export function evaluateProfile(
  machineIn: MachineModel,
  profileIn: WorkloadProfile,
  overrides: EvaluationOverrides = {}
): ProfileEvaluation {
  const { machine, profile } = applyOverrides(machineIn, profileIn, overrides)
  const training = isTrainingProfile(profile)
  // Unified GPUs share host RAM, so their size matters to every placement.
  const vramUnknown = [
    ...eligibleGpus(machine, profile),
    ...machine.gpus.filter((g) => g.unified)
  ].find((g) => g.vramBytes.status !== 'ok')
  if (vramUnknown && vramUnknown.vramBytes.status !== 'ok')
    return unknownEvaluation(
      machine,
      profile,
      overrides,
      'vram-capacity',
      `memory size of ${vramUnknown.name} unknown`,
      vramUnknown.vramBytes
    )
  const run = (m: MachineModel, u: Unknowns): ProfileEvaluation =>
    training
      ? evaluateTraining(m, profile, overrides, u)
      : evaluateInference(m, profile, overrides, u)
  if (machine.ramBytes.status === 'ok') return run(machine, {})
  const ram = machine.ramBytes
  const bound = run({ ...machine, ramBytes: ok(0) }, { ram })
  if (ramIndependent(bound, profile)) return bound
  return unknownEvaluation(machine, profile, overrides, 'host-ram', 'system RAM size unknown', ram)
}

/** True when a verdict reached with no host RAM cannot change with more (see evaluateProfile). */
function ramIndependent(e: ProfileEvaluation, profile: WorkloadProfile): boolean {
  const kind = e.placement.kind
  const gpuResident =
    kind === 'single-gpu' ||
    kind === 'multi-gpu-layer' ||
    kind === 'multi-gpu-tensor' ||
    kind === 'multi-gpu-data'
  const noHost =
    e.memory.hostRequiredBytes.status === 'ok' && e.memory.hostRequiredBytes.value === 0
  if (isTrainingProfile(profile))
    return (
      gpuResident &&
      noHost &&
      e.verdict !== 'does-not-fit' &&
      (profile.training?.offload ?? 'none') === 'none'
    )
  if (gpuResident && noHost && e.verdict !== 'does-not-fit') return true
  // A runtime without a CPU backend never places anything in host RAM: its verdict does not depend on it.
  return !profile.runtime.allowedBackends.includes('cpu') && kind !== 'cpu-only'
}

/** An evaluation whose verdict depends on an unknown input: everything that needs it is unknown. */
function unknownEvaluation(
  machine: MachineModel,
  profile: WorkloadProfile,
  o: EvaluationOverrides,
  binding: Constraint,
  what: string,
  reason: ReadingUnavailable
): ProfileEvaluation {
  const why = unavailable(reason.reason, reason.detail ? `${what} (${reason.detail})` : what)
  const gpus = eligibleGpus(machine, profile)
  const training = isTrainingProfile(profile)
  let terms: ProfileEvaluation['memory']['terms']
  let requiredBytes: number
  let format: string
  let efficiency: Sourced
  if (training && profile.training) {
    const mem = trainingMemory(profile, Math.max(1, gpus.length))
    terms = mem.terms
    requiredBytes = mem.totalBytes
    format =
      profile.training.method === 'qlora'
        ? 'NF4'
        : (profile.precision.computeDtype ?? profile.precision.weightFormat)
    efficiency =
      o.mfu !== undefined
        ? { value: o.mfu, source: 'measured (calibration)' }
        : trainingMfu(gpus, profile.training.method, isDatacenter(gpus))
  } else {
    format = o.weightFormat ?? profile.precision.weightFormat
    const mem = inferenceMemory(profile, format, o.kvDtype)
    terms = mem.terms
    requiredBytes = mem.totalBytes
    efficiency = decodeEfficiency(gpus[0]?.backend ?? 'cpu', format)
  }
  return {
    profileId: profile.id,
    label: profile.label,
    kind: profile.kind,
    verdict: 'unknown',
    score: why,
    binding,
    bindingDetail: `${what}: the verdict depends on it`,
    confidence: 'low',
    placement: { kind: 'unknown', description: `unknown: ${what}`, reason: why },
    weightFormat: format,
    memory: { terms, requiredBytes, availableBytes: why, hostRequiredBytes: why },
    speed: {
      decodeTokensPerSec: why,
      prefillTokensPerSec: why,
      ttftSeconds: why,
      trainHours: why,
      efficiency
    },
    factors: [],
    gates: [],
    assumptions: [{ kind: 'unknown-input', text: `${what}: ${describeReason(reason)}` }]
  }
}

function evaluateInference(
  machine: MachineModel,
  profile: WorkloadProfile,
  o: EvaluationOverrides,
  unknowns: Unknowns
): ProfileEvaluation {
  const { format, mem, plan } = chooseInference(machine, profile, o)
  const m = profile.model
  const assumptions: Assumption[] = []
  if (unknowns.ram)
    assumptions.push({
      kind: 'unknown-input',
      text: `system RAM size unknown (${describeReason(unknowns.ram)}); the model fits on the GPU without it`
    })
  const gates: string[] = []
  const backend = primaryBackend(plan)
  const ratio = plan.requiredBytes / Math.max(1, plan.availableBytes)

  // Speed.
  let decode: Reading<number> = NA('not a token-generating workload')
  let prefill: Reading<number> = unavailable('unsupported', 'not estimated for this family')
  let ttft: Reading<number> = NA('no prompt')
  let efficiency: Sourced = PREFILL_MFU[backend]
  const peak = peakTflops(machine, plan.gpus)
  assumptions.push(...peak.assumed)
  if (profile.family === 'llm' || profile.family === 'speech') {
    // MoE-, sliding-window- and overhead-aware decode (speed.ts decodeBytesPerToken / decodeShape).
    const kvDt = o.kvDtype ?? profile.precision.kvDtype ?? 'f16'
    const d = decodeTokensPerSec(
      plan.devices,
      decodeBytesPerToken(profile, mem, kvDt),
      format,
      decodeShape(m)
    )
    decode = d.value
    efficiency = d.efficiency
    if (o.decodeEfficiency !== undefined && d.value.status === 'ok') {
      decode = ok((d.value.value * o.decodeEfficiency) / d.efficiency.value)
      efficiency = { value: o.decodeEfficiency, source: 'measured (calibration)' }
    }
    assumptions.push(...d.assumed)
    if (profile.family === 'llm') {
      const p = prefillTokensPerSec(peak.value, m.paramsActiveB, backend, {
        gpu: plan.gpus[0],
        format,
        moe: isMoe(m)
      })
      prefill = p.value
      const prompt = profile.shape.promptTokens ?? 0
      if (prompt > 0 && prefill.status === 'ok') ttft = ok(prompt / prefill.value)
    } else if (m.gflopsPerSample !== undefined && peak.value.status === 'ok') {
      // Speech: the encoder pass over a 30 s window comes before the first token.
      ttft = ok((m.gflopsPerSample * 1e9) / (PREFILL_MFU[backend].value * peak.value.value * 1e12))
      assumptions.push({
        kind: 'default-efficiency',
        text: `encoder ${m.gflopsPerSample} GFLOPs per 30 s window at prefill MFU ${PREFILL_MFU[backend].value} (${PREFILL_MFU[backend].source})`
      })
    }
  } else if (profile.family === 'embedding') {
    const p = prefillTokensPerSec(peak.value, m.paramsActiveB, backend)
    prefill = p.value
    efficiency = p.efficiency
  } else if (m.gflopsPerSample !== undefined && peak.value.status === 'ok') {
    const steps = profile.shape.steps ?? 1
    const mfu = PREFILL_MFU[backend]
    ttft = ok((steps * m.gflopsPerSample * 1e9) / (mfu.value * peak.value.value * 1e12))
    efficiency = mfu
    assumptions.push({
      kind: 'default-efficiency',
      text: `${steps} steps × ${m.gflopsPerSample} GFLOPs per step at MFU ${mfu.value} (${mfu.source})`
    })
  }
  if (plan.placement.kind === 'gpu-cpu-offload' || plan.placement.kind === 'cpu-only') {
    if (machine.ramBandwidthGBps.status !== 'ok')
      assumptions.push({ kind: 'assumed-value', text: 'system RAM bandwidth not measured' })
  }

  // Factors.
  const values: FactorValue[] = []
  // Offloaded or CPU-only on a GPU machine: it does not fit in GPU memory, so at most the r = 1 value (25),
  // scaled by the share held on the GPU; more RAM does not make it fit better.
  const offloadedFit =
    plan.placement.kind === 'gpu-cpu-offload' ||
    (plan.placement.kind === 'cpu-only' && machine.gpus.length > 0)
  const fitScore = !plan.fits
    ? 0
    : offloadedFit
      ? memoryFitScore(1) * plan.placement.gpuFraction
      : memoryFitScore(Math.min(ratio, 1))
  values.push({
    def: def('inference', 'memory-fit'),
    score: ok(fitScore),
    detail: `needs ${fmtGB(plan.requiredBytes)} of ${fmtGB(plan.availableBytes)} (${plan.placement.description})`
  })
  const t = profile.targets
  if (profile.family === 'embedding') {
    values.push({
      def: def('inference', 'decode-speed'),
      score:
        prefill.status === 'ok' && t.tpsFloor && t.tpsTarget
          ? ok(logScore(prefill.value, t.tpsFloor, t.tpsTarget))
          : prefill.status === 'ok'
            ? NA('no throughput target')
            : prefill,
      detail:
        prefill.status === 'ok'
          ? `${fmtNum(prefill.value)} tokens/s embedded (target ${t.tpsTarget ?? '—'})`
          : 'throughput unknown',
      constraint: 'compute'
    })
  } else if (profile.family === 'diffusion') {
    values.push({
      def: def('inference', 'decode-speed'),
      score:
        ttft.status === 'ok' && t.ttftTargetS
          ? ok(timeScore(ttft.value / 3600, t.ttftTargetS / 3600))
          : ttft.status === 'ok'
            ? NA('no time target')
            : ttft,
      detail:
        ttft.status === 'ok'
          ? `${fmtNum(ttft.value)} s per image (target ${t.ttftTargetS ?? '—'} s)`
          : 'time per image unknown',
      constraint: 'compute'
    })
  } else {
    values.push({
      def: def('inference', 'decode-speed'),
      score:
        decode.status === 'ok' && t.tpsFloor && t.tpsTarget
          ? ok(logScore(decode.value, t.tpsFloor, t.tpsTarget))
          : decode.status === 'ok'
            ? NA('no tokens/s target')
            : decode,
      detail:
        decode.status === 'ok'
          ? `${fmtNum(decode.value)} tok/s (floor ${t.tpsFloor ?? '—'}, target ${t.tpsTarget ?? '—'})`
          : 'decode speed unknown',
      constraint: plan.placement.kind === 'gpu-cpu-offload' ? 'vram-capacity' : 'memory-bandwidth'
    })
  }
  const ttftApplies = profile.family === 'llm' || profile.family === 'speech'
  values.push({
    def: def('inference', 'ttft'),
    score: !ttftApplies
      ? NA('n/a')
      : ttft.status === 'ok' && t.ttftTargetS
        ? ok(timeScore(ttft.value, t.ttftTargetS))
        : ttft.status === 'ok'
          ? NA('no TTFT target')
          : ttft,
    detail:
      ttft.status === 'ok'
        ? `${fmtNum(ttft.value)} s to first token for ${profile.shape.promptTokens ?? 0} prompt tokens`
        : 'n/a',
    weight: ttftApplies ? undefined : 0
  })
  const ctxTarget = t.ctxTarget ?? profile.shape.ctxTokens
  if (profile.family === 'llm' && ctxTarget && mem.kvPerTokenBytes > 0) {
    const slots = profile.shape.concurrency ?? 1
    const room = plan.availableBytes - (plan.requiredBytes - mem.kvBytes)
    const ctxAch = Math.max(0, Math.min(m.ctxMax ?? Infinity, room / (mem.kvPerTokenBytes * slots)))
    values.push({
      def: def('inference', 'context'),
      score: ok(plan.fits ? 100 * Math.min(1, ctxAch / ctxTarget) : 0),
      detail: `room for ${Math.floor(ctxAch)} tokens of context (target ${ctxTarget})`
    })
  } else {
    values.push({ def: def('inference', 'context'), score: NA('n/a'), detail: 'n/a', weight: 0 })
  }
  values.push({
    def: def('inference', 'platform'),
    score: ok(platformScore(backend)),
    detail: `${backend} backend`
  })
  const sus = sustainedScore(machine)
  values.push({
    def: def('inference', 'sustained'),
    score: sus.score,
    detail: sus.detail,
    constraint: sus.constraint
  })

  // Gates and caps.
  let cap: { value: number; constraint: Constraint; detail: string } | null = null
  const ccGate = minCcGate(profile, plan.gpus)
  if (!plan.fits) gates.push(plan.shortfall ?? 'does not fit')
  if (ccGate) gates.push(ccGate)
  if (plan.placement.kind === 'cpu-only' && plan.fits) {
    cap = {
      value: PLACEMENT_CAPS.cpuOnly,
      constraint: machine.gpus.length === 0 ? 'memory-bandwidth' : 'vram-capacity',
      detail:
        machine.gpus.length === 0
          ? 'CPU-only inference (no GPU): capped at 40, bound by system RAM bandwidth'
          : 'runs on the CPU only: capped at 40'
    }
  } else if (plan.placement.kind === 'gpu-cpu-offload' && plan.fits) {
    cap = {
      value: PLACEMENT_CAPS.offload,
      constraint: 'vram-capacity',
      detail: `partial CPU offload (${Math.round(plan.placement.gpuFraction * 100)}% on GPU): capped at 70`
    }
  }
  const c = combineFactors(values, cap)
  const { score, binding, bindingDetail } = applyGates(c, gates, ccGate, plan.fits, () =>
    gateBinding(machine, profile, plan)
  )
  const offloaded =
    plan.placement.kind === 'gpu-cpu-offload' ||
    (plan.placement.kind === 'cpu-only' && machine.gpus.length > 0)
  const verdict = needsGpu(machine, profile, plan)
    ? 'needs-gpu'
    : ccGate && plan.fits
      ? 'does-not-fit'
      : verdictFor(plan.fits, ratio, offloaded)
  const wf = weightFormat(format)
  if (wf)
    assumptions.push({ kind: 'formula', text: `${format}: ${wf.value} bits/weight (${wf.source})` })
  const specConf = specConfidenceOf(plan.gpus)
  assumptions.push(...specAssumptions(plan.gpus))
  const lowFamily = profile.family === 'diffusion' || profile.family === 'speech'
  return {
    profileId: profile.id,
    label: profile.label,
    kind: profile.kind,
    verdict,
    score: ok(score),
    binding,
    bindingDetail,
    confidence: confidenceFrom(c.unknownCount + (lowFamily ? 1 : 0), assumptions, specConf),
    placement: plan.placement,
    weightFormat: format,
    memory: {
      terms: mem.terms,
      requiredBytes: plan.requiredBytes,
      availableBytes: ok(plan.availableBytes),
      hostRequiredBytes: ok(plan.hostRequiredBytes)
    },
    speed: {
      decodeTokensPerSec: decode,
      prefillTokensPerSec: prefill,
      ttftSeconds: ttft,
      trainHours: NA('inference profile'),
      efficiency
    },
    factors: c.factors,
    gates,
    assumptions
  }
}

function evaluateTraining(
  machine: MachineModel,
  profile: WorkloadProfile,
  o: EvaluationOverrides,
  unknowns: Unknowns
): ProfileEvaluation {
  const training = profile.training
  if (!training) throw new Error(`profile ${profile.id} has no training section`)
  const assumptions: Assumption[] = []
  if (unknowns.ram)
    assumptions.push({
      kind: 'unknown-input',
      text: `system RAM size unknown (${describeReason(unknowns.ram)}); the job fits on the GPUs without it`
    })
  const gates: string[] = []

  // Try as specified; if it does not fit, fall back (checkpointing, 8-bit optimizer, optimizer offload), with a penalty per step.
  const variants: { p: WorkloadProfile; note: string | null }[] = [{ p: profile, note: null }]
  let cur = profile
  if (training.gradCheckpointing !== 'full') {
    cur = { ...cur, training: { ...cur.training!, gradCheckpointing: 'full' } }
    variants.push({ p: cur, note: 'full gradient checkpointing (~20% slower, HF docs)' })
  }
  if (training.optimizer === 'adamw') {
    cur = { ...cur, training: { ...cur.training!, optimizer: 'adamw8bit' } }
    variants.push({ p: cur, note: '8-bit AdamW (bitsandbytes)' })
  }
  if (training.method === 'full' && (training.offload ?? 'none') === 'none') {
    cur = { ...cur, training: { ...cur.training!, offload: 'optimizer_cpu', zeroStage: 2 } }
    variants.push({ p: cur, note: 'ZeRO-2 optimizer offload to CPU (DeepSpeed)' })
  }
  let chosen = placeTraining(machine, profile, (n) => trainingMemory(profile, n))
  let chosenProfile = profile
  let fallbacks = 0
  const fallbackNotes: string[] = []
  if (!chosen.plan.fits) {
    for (let i = 1; i < variants.length; i++) {
      const v = variants[i]
      const attempt = placeTraining(machine, v.p, (n) => trainingMemory(v.p, n))
      if (attempt.plan.fits) {
        chosen = attempt
        chosenProfile = v.p
        fallbacks = i
        fallbackNotes.push(...variants.slice(1, i + 1).map((x) => x.note as string))
        break
      }
    }
  }
  const { plan, mem } = chosen
  if (fallbackNotes.length > 0)
    assumptions.push({
      kind: 'fallback',
      text: `does not fit as specified; fits with ${fallbackNotes.join(' + ')}`
    })
  const ratio = plan.requiredBytes / Math.max(1, plan.availableBytes)

  // Time.
  const peak = peakTflops(machine, plan.gpus)
  assumptions.push(...peak.assumed)
  const mfu: Sourced =
    o.mfu !== undefined
      ? { value: o.mfu, source: 'measured (calibration)' }
      : trainingMfu(plan.gpus, training.method, isDatacenter(plan.gpus), training.recipe)
  const fl = trainingFlops(chosenProfile)
  // A configuration that does not fit never gets a training time as if it ran.
  const hours: Reading<number> = !plan.fits
    ? NA(`does not run here: ${plan.shortfall ?? 'does not fit'}`)
    : fl === null
      ? unavailable('unsupported', 'no dataset size in the profile')
      : trainHours(fl.flops, peak.value, mfu)
  if (fl)
    assumptions.push({
      kind: o.mfu !== undefined ? 'formula' : 'default-efficiency',
      text: `training FLOPs ${fl.formula} at MFU ${mfu.value} (${mfu.source})`
    })
  if (chosenProfile.training?.gradCheckpointing === 'full' && profile.family === 'llm')
    assumptions.push({ kind: 'formula', text: 'full recompute adds one forward pass (+2·P·D)' })

  // Factors.
  const multi = plan.gpus.length > 1
  const values: FactorValue[] = []
  values.push({
    def: def('training', 'memory-fit'),
    score: ok(plan.fits ? memoryFitScore(Math.min(ratio, 1)) * 0.85 ** fallbacks : 0),
    detail: `needs ${fmtGB(plan.requiredBytes)} per GPU of ${fmtGB(plan.availableBytes)}${fallbacks > 0 ? ` after ${fallbacks} fallback${fallbacks > 1 ? 's' : ''}` : ''}`
  })
  const target = profile.targets.trainHoursTarget
  values.push({
    def: def('training', 'time-to-train'),
    score:
      hours.status === 'ok' && target
        ? ok(timeScore(hours.value, target))
        : hours.status === 'ok'
          ? NA('no hours target')
          : hours,
    detail:
      hours.status === 'ok'
        ? `${fmtNum(hours.value)} h (target ${target ?? '—'} h)`
        : 'time unknown',
    weight:
      FACTOR_TABLE.training.find((f) => f.id === 'time-to-train')!.weight +
      (multi ? 0 : FACTOR_TABLE.training.find((f) => f.id === 'interconnect')!.weight)
  })
  const prec = precisionScore(plan.gpus)
  const g0 = plan.gpus[0]
  values.push({
    def: def('training', 'precision'),
    score: prec,
    detail: g0
      ? prec.status === 'ok' && prec.value === 100
        ? `${g0.name}: bf16 tensor math`
        : prec.status === 'ok' && prec.value === 70
          ? `${g0.name}: fp16 tensor only (bf16 falls back to fp16)`
          : `${g0.name}: no matrix units`
      : 'no GPU'
  })
  if (g0 && prec.status === 'ok' && prec.value < 100 && profile.precision.computeDtype === 'bf16')
    assumptions.push({
      kind: 'assumed-value',
      text: 'bf16 not native: fp16 with loss scaling assumed'
    })
  // Host RAM follows the GPU memory this job uses (per GPU × GPUs), not the VRAM installed: a bigger card
  // or an idle second one does not make a job need more RAM, while a data-parallel replica per GPU does.
  const gpuInUse = Math.min(plan.requiredBytes, plan.availableBytes) * Math.max(1, plan.gpus.length)
  const w16 = 2 * profile.model.paramsTotalB * 1e9
  // The need in words: which of the three terms of the host-RAM rule (score.ts) binds.
  const ramNeed = Math.max(2 * gpuInUse, plan.hostRequiredBytes, w16 + 8e9)
  const ramWhy =
    ramNeed === 2 * gpuInUse
      ? `2 × the ${fmtGB(gpuInUse)} of GPU memory in use`
      : ramNeed === plan.hostRequiredBytes
        ? `${fmtGB(plan.hostRequiredBytes)} offloaded to RAM`
        : `16-bit weights ${fmtGB(w16)} + 8 GB`
  const ramDetail = `RAM for ${fmtGB(ramNeed)} needed (${ramWhy})`
  values.push({
    def: def('training', 'host-ram'),
    score:
      unknowns.ram === undefined && machine.ramBytes.status === 'ok'
        ? ok(hostRamScore(machine.ramBytes.value, gpuInUse, plan.hostRequiredBytes, w16))
        : (unknowns.ram ?? unavailable('unsupported', 'system RAM size unknown')),
    detail:
      unknowns.ram === undefined && machine.ramBytes.status === 'ok'
        ? `${fmtGB(machine.ramBytes.value)} ${ramDetail}`
        : `unknown ${ramDetail}`
  })
  const st = profile.storage
  const storeNeed =
    ((st?.modelFilesGb ?? 0) + (st?.checkpointGb ?? 0) * (st?.keepN ?? 1) + (st?.datasetGb ?? 0)) *
    1e9
  values.push({
    def: def('training', 'storage'),
    score: storageScore(machine.storage.kind, machine.storage.freeBytes, storeNeed),
    detail: `${machine.storage.kind}; needs ${fmtGB(storeNeed)} free${machine.storage.freeBytes.status === 'ok' ? `, ${fmtGB(machine.storage.freeBytes.value)} free` : ''}`
  })
  const cores = machine.cpu.physicalCores
  const forGpus = `${Math.max(1, plan.gpus.length)} GPU${plan.gpus.length > 1 ? 's' : ''}`
  values.push({
    def: def('training', 'data-loading-cpu'),
    score: cores.status === 'ok' ? ok(cpuScore(cores.value, Math.max(1, plan.gpus.length))) : cores,
    detail:
      cores.status === 'ok'
        ? `${cores.value} cores for ${forGpus}`
        : `core count unknown (${describeReason(cores)}) for ${forGpus}`
  })
  values.push({
    def: def('training', 'interconnect'),
    score: multi ? interconnectScore(plan.gpus) : NA('single GPU'),
    detail: multi
      ? 'PCIe lanes and generation per GPU'
      : 'single GPU (weight moved to time to train)',
    weight: multi ? undefined : 0
  })
  const sus = sustainedScore(machine)
  values.push({
    def: def('training', 'sustained'),
    score: sus.score,
    detail: sus.detail,
    constraint: sus.constraint
  })

  const ccGate = minCcGate(profile, plan.gpus)
  if (!plan.fits) gates.push(plan.shortfall ?? 'does not fit')
  if (ccGate) gates.push(ccGate)
  assumptions.push(...specAssumptions(plan.gpus))
  const c = combineFactors(values, null)
  const { score, binding, bindingDetail } = applyGates(c, gates, ccGate, plan.fits, () =>
    gateBinding(machine, profile, plan)
  )
  // "needs a GPU" is its own verdict (e.g. QLoRA on a CPU-only box); "does not fit" is about memory only.
  const verdict = needsGpu(machine, profile, plan)
    ? 'needs-gpu'
    : ccGate && plan.fits
      ? 'does-not-fit'
      : verdictFor(plan.fits, ratio, (chosenProfile.training?.offload ?? 'none') !== 'none')
  return {
    profileId: profile.id,
    label: profile.label,
    kind: profile.kind,
    verdict,
    score: ok(score),
    binding,
    bindingDetail,
    confidence: confidenceFrom(c.unknownCount, assumptions, specConfidenceOf(plan.gpus)),
    placement: plan.placement,
    weightFormat:
      training.method === 'qlora'
        ? 'NF4'
        : (profile.precision.computeDtype ?? profile.precision.weightFormat),
    memory: {
      terms: mem.terms,
      requiredBytes: plan.requiredBytes,
      availableBytes: ok(plan.availableBytes),
      hostRequiredBytes: ok(plan.hostRequiredBytes)
    },
    speed: {
      decodeTokensPerSec: NA('training profile'),
      prefillTokensPerSec: NA('training profile'),
      ttftSeconds: NA('training profile'),
      trainHours: hours,
      efficiency: mfu
    },
    factors: c.factors,
    gates,
    assumptions
  }
}

/** Which machine score a profile counts towards. */
export function scoreGroup(profile: Pick<WorkloadProfile, 'kind'>): 'training' | 'inference' {
  return profile.kind === 'finetune' || profile.kind === 'pretrain' ? 'training' : 'inference'
}

/** Machine-level score: priority-weighted mean over the group's profiles, with the binding constraint named. */
export function scoreMachine(
  evals: ProfileEvaluation[],
  profiles: WorkloadProfile[],
  group: 'training' | 'inference'
): MachineScore {
  const byId = new Map(profiles.map((p) => [p.id, p]))
  const list = evals.filter((e) => scoreGroup(e) === group)
  if (list.length === 0) {
    return {
      score: unavailable('not-applicable', `no ${group} profiles selected`),
      binding: 'none',
      bindingDetail: `no ${group} profiles selected`,
      confidence: 'low',
      profileIds: []
    }
  }
  // A mean over the known profiles would hide the unknown ones: the machine score is unknown too.
  const unknown = list.filter((e) => e.score.status !== 'ok')
  if (unknown.length > 0) {
    const first = unknown[0]
    const r = first.score as ReadingUnavailable
    return {
      score: unavailable(
        r.reason,
        `${unknown.length} of ${list.length} ${group} profiles unknown: ${r.detail ?? describeReason(r)}`
      ),
      binding: first.binding,
      bindingDetail: `${first.profileId}: ${first.bindingDetail}`,
      confidence: 'low',
      profileIds: list.map((e) => e.profileId)
    }
  }
  // Every score of the group is known here.
  const scoreOf = (e: ProfileEvaluation): number => (e.score as { value: number }).value
  const pri = (e: ProfileEvaluation): number => byId.get(e.profileId)?.priority ?? 1
  const wsum = list.reduce((s, e) => s + pri(e), 0)
  const weight = (e: ProfileEvaluation): number => (wsum > 0 ? pri(e) / wsum : 1 / list.length)
  const score = list.reduce((s, e) => s + weight(e) * scoreOf(e), 0)
  let worst: ProfileEvaluation | null = null
  let worstLoss = 0
  for (const e of list) {
    const loss = weight(e) * (100 - scoreOf(e))
    if (loss > worstLoss && e.binding !== 'none') {
      worstLoss = loss
      worst = e
    }
  }
  const order: Confidence[] = ['low', 'medium', 'high']
  const confidence = list
    .map((e) => e.confidence)
    .sort((a, b) => order.indexOf(a) - order.indexOf(b))[0]
  return {
    score: ok(Math.round(score)),
    binding: worst?.binding ?? 'none',
    bindingDetail: worst ? `${worst.profileId}: ${worst.bindingDetail}` : 'nothing binds',
    confidence,
    profileIds: list.map((e) => e.profileId)
  }
}

/** Evaluates every profile and both machine scores (what advice simulation re-runs). */
export function evaluateAll(
  machine: MachineModel,
  profiles: WorkloadProfile[]
): { profiles: ProfileEvaluation[]; training: MachineScore; inference: MachineScore } {
  const evals = profiles.map((p) => evaluateProfile(machine, p))
  return {
    profiles: evals,
    training: scoreMachine(evals, profiles, 'training'),
    inference: scoreMachine(evals, profiles, 'inference')
  }
}
