/**
 * Readiness scoring: the factor table (one place), each factor's 0–100 curve, gates, caps and verdicts.
 *
 * Weights and curves follow the readiness reference §6.2. A factor whose input is unknown is unavailable: the
 * remaining weights are renormalised and the confidence drops, never the score. Caps: CPU-only ≤ 40, partial
 * offload ≤ 70 (llmfit caps CPU-only fits similarly).
 */
import type {
  Assumption,
  AssumptionKind,
  Confidence,
  Constraint,
  MachineGpu,
  MachineModel,
  ScoreFactor,
  Verdict
} from '../../shared/readiness'
import type { Reading } from '../../shared/reading'
import { ok, unavailable } from '../../shared/reading'
import type { ThrottleCause } from '../../shared/telemetry'
import { PLATFORM_MATURITY } from '../tables'

/** Score factor ids. */
export type FactorId =
  | 'memory-fit'
  | 'decode-speed'
  | 'ttft'
  | 'context'
  | 'platform'
  | 'sustained'
  | 'time-to-train'
  | 'precision'
  | 'host-ram'
  | 'storage'
  | 'data-loading-cpu'
  | 'interconnect'

/** One row of the factor table. */
export interface FactorDef {
  id: FactorId
  label: string
  weight: number
  /** The constraint this factor names when it binds. */
  constraint: Constraint
  source: string
}

/** The factor table: inference and training weights (readiness reference §6.2). */
export const FACTOR_TABLE: Readonly<Record<'inference' | 'training', readonly FactorDef[]>> = {
  inference: [
    {
      id: 'memory-fit',
      label: 'Memory fit',
      weight: 0.3,
      constraint: 'vram-capacity',
      source: 'reference §6.2 (llmfit fit curve, shifted)'
    },
    {
      id: 'decode-speed',
      label: 'Decode speed',
      weight: 0.35,
      constraint: 'memory-bandwidth',
      source: 'reference §6.2 (log scale floor → target)'
    },
    {
      id: 'ttft',
      label: 'Time to first token',
      weight: 0.1,
      constraint: 'compute',
      source: 'reference §6.2'
    },
    {
      id: 'context',
      label: 'Context headroom',
      weight: 0.1,
      constraint: 'vram-capacity',
      source: 'reference §6.2'
    },
    {
      id: 'platform',
      label: 'Platform maturity',
      weight: 0.1,
      constraint: 'software',
      source: 'reference §6.2 (backend factor proposal)'
    },
    {
      id: 'sustained',
      label: 'Sustained operation',
      weight: 0.05,
      constraint: 'thermals',
      source: 'reference §6.2'
    }
  ],
  training: [
    {
      id: 'memory-fit',
      label: 'Memory fit',
      weight: 0.25,
      constraint: 'vram-capacity',
      source: 'reference §6.2'
    },
    {
      id: 'time-to-train',
      label: 'Time to train',
      weight: 0.3,
      constraint: 'compute',
      source: 'reference §6.2 (hours_max = 10 × target)'
    },
    {
      id: 'precision',
      label: 'Precision capability',
      weight: 0.1,
      constraint: 'precision',
      source: 'reference §6.2 (bf16 needs cc ≥ 8.0)'
    },
    {
      id: 'host-ram',
      label: 'Host RAM',
      weight: 0.1,
      constraint: 'host-ram',
      source: 'Puget RAM ≥ 2× VRAM (unverified); Dettmers ≥ largest GPU'
    },
    {
      id: 'storage',
      label: 'Storage',
      weight: 0.05,
      constraint: 'storage',
      source: 'reference §6.2'
    },
    {
      id: 'data-loading-cpu',
      label: 'Data-loading CPU',
      weight: 0.05,
      constraint: 'cpu',
      source: 'Puget ≥ 4 cores per GPU'
    },
    {
      id: 'interconnect',
      label: 'Interconnect',
      weight: 0.1,
      constraint: 'interconnect',
      source: 'reference §6.2 (single GPU: weight moves to time to train)'
    },
    {
      id: 'sustained',
      label: 'Sustained operation',
      weight: 0.05,
      constraint: 'thermals',
      source: 'reference §6.2'
    }
  ]
}

/** Caps by placement (reference §6.2). */
export const PLACEMENT_CAPS = { cpuOnly: 40, offload: 70 } as const

/** Memory-fit curve: 100 up to r = 0.75, then 100·exp(−0.5·((r − 0.75)/0.15)²) up to r = 1, 0 beyond. */
export function memoryFitScore(ratio: number): number {
  if (!Number.isFinite(ratio) || ratio < 0) return 0
  if (ratio <= 0.75) return 100
  if (ratio > 1) return 0
  return 100 * Math.exp(-0.5 * ((ratio - 0.75) / 0.15) ** 2)
}

/** Log scale: 100·clamp(ln(v/floor) / ln(target/floor), 0, 1). */
export function logScore(value: number, floor: number, target: number): number {
  if (!(value > 0) || !(floor > 0) || !(target > floor)) return value >= target ? 100 : 0
  return 100 * Math.min(1, Math.max(0, Math.log(value / floor) / Math.log(target / floor)))
}

/** Time curve: 100·clamp(ln(tMax/t) / ln(tMax/target), 0, 1) with tMax = 10 × target. */
export function timeScore(hours: number, target: number): number {
  if (!(hours > 0) || !(target > 0)) return 0
  const tMax = 10 * target
  return 100 * Math.min(1, Math.max(0, Math.log(tMax / hours) / Math.log(tMax / target)))
}

/** Verdict from required ÷ available and the placement. */
export function verdictFor(fits: boolean, ratio: number, offloaded: boolean): Verdict {
  if (!fits) return 'does-not-fit'
  if (offloaded) return 'fits-with-offload'
  return ratio <= 0.75 ? 'fits-comfortably' : 'fits-tight'
}

/** True when the GPU runs bf16 on matrix units (NVIDIA cc ≥ 8.0, AMD CDNA2+/RDNA3). */
export function hasBf16Tensor(gpu: MachineGpu): boolean {
  return gpu.bf16 && gpu.tensorTflops.status === 'ok'
}

/** Precision capability: bf16 tensor 100; fp16-only tensor 70; no tensor units 20. */
export function precisionScore(gpus: MachineGpu[]): Reading<number> {
  if (gpus.length === 0) return ok(20)
  const g = gpus[0]
  if (hasBf16Tensor(g)) return ok(100)
  if (g.tensorTflops.status === 'ok') return ok(70)
  if (g.specConfidence === 'unknown' && g.computeCapability.status !== 'ok')
    return unavailable('unsupported', `matrix units of ${g.name} unknown`)
  return ok(20)
}

/**
 * Host RAM: min(1, RAM / max(2 × GPU memory the job uses, offload need, 16-bit weights + 8 GB)) × 100.
 *
 * The 2× rule (Puget: RAM ≥ 2× VRAM) is applied to the GPU memory in use (per GPU × GPUs), so a larger
 * card does not lower the score of a job that does not use it.
 */
export function hostRamScore(
  ramBytes: number,
  totalVramBytes: number,
  offloadNeedBytes: number,
  weights16Bytes: number
): number {
  const need = Math.max(2 * totalVramBytes, offloadNeedBytes, weights16Bytes + 8e9)
  return need <= 0 ? 100 : 100 * Math.min(1, ramBytes / need)
}

/** Storage: 100 NVMe, 70 SATA SSD, 40 HDD; 0 when free space is known and short of the need. */
export function storageScore(
  kind: MachineModel['storage']['kind'],
  freeBytes: Reading<number>,
  needBytes: number
): Reading<number> {
  if (freeBytes.status === 'ok' && freeBytes.value < needBytes) return ok(0)
  switch (kind) {
    case 'nvme':
      return ok(100)
    case 'sata-ssd':
      return ok(70)
    case 'hdd':
      return ok(40)
    case 'other':
      return ok(50)
    case 'unknown':
      return unavailable('unsupported', 'storage type unknown')
  }
}

/** Data-loading CPU: min(1, cores per GPU ÷ 4) × 100. */
export function cpuScore(physicalCores: number, gpuCount: number): number {
  return 100 * Math.min(1, physicalCores / Math.max(1, gpuCount) / 4)
}

/** Interconnect for multi-GPU: every GPU ≥ x8 and ≥ Gen4 → 100; any x4 or Gen3 → 50 (measured link, else max). */
export function interconnectScore(gpus: MachineGpu[]): Reading<number> {
  let worst = 100
  for (const g of gpus) {
    const width = g.pcieWidth.status === 'ok' ? g.pcieWidth : g.pcieMaxWidth
    const gen = g.pcieGen.status === 'ok' ? g.pcieGen : g.pcieMaxGen
    if (width.status !== 'ok' || gen.status !== 'ok')
      return unavailable('unsupported', `PCIe link of ${g.name} unknown`)
    if (width.value < 8 || gen.value < 4)
      worst = Math.min(worst, width.value <= 4 && gen.value < 4 ? 30 : 50)
  }
  return ok(worst)
}

/** Platform maturity by backend. */
export function platformScore(backend: MachineGpu['backend']): number {
  return PLATFORM_MATURITY[backend]
}

const NOT_THROTTLING: ThrottleCause[] = ['idle', 'config']

function spanText(seconds: number): string {
  return seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`
}

/**
 * Sustained operation from measured evidence: 100 × (1 − throttled fraction of the observed time), × 0.8
 * when within 5 °C of the GPU's own slowdown limit, × 0.9 when the power limit is below default, × 0.5 on
 * battery. The fraction is the worst GPU's on GPU machines and the CPU's on CPU-only ones; without observed
 * time the factor is unknown (the reason says why), never 100.
 */
export function sustainedScore(machine: MachineModel): {
  score: Reading<number>
  constraint: Constraint
  detail: string
} {
  const s = machine.sustained
  const battery = machine.onBattery.status === 'ok' && machine.onBattery.value
  if (s === null) {
    if (battery) return { score: ok(50), constraint: 'power', detail: 'running on battery' }
    return {
      score:
        machine.origin === 'probed'
          ? unavailable('warming-up', 'no telemetry window yet (run a load or record a session)')
          : unavailable('not-applicable', 'nothing measured on a described machine'),
      constraint: 'thermals',
      detail: 'not measured'
    }
  }
  const gpu = machine.gpus.length > 0
  const fractions: Reading<Partial<Record<ThrottleCause, number>>> = gpu
    ? s.gpuThrottleFractionByCause
    : s.cpuThrottleFraction.status === 'ok'
      ? ok({ thermal: s.cpuThrottleFraction.value })
      : s.cpuThrottleFraction
  const coverage = gpu ? s.gpuCoverage : s.cpuCoverage
  if (fractions.status !== 'ok') {
    if (battery) return { score: ok(50), constraint: 'power', detail: 'running on battery' }
    return {
      score: fractions,
      constraint: 'thermals',
      detail: `${gpu ? 'GPU' : 'CPU'} throttling not observed in the window`
    }
  }
  let frac = 0
  let worstCause: ThrottleCause | null = null
  let worst = 0
  for (const [cause, f] of Object.entries(fractions.value) as [ThrottleCause, number][]) {
    if (NOT_THROTTLING.includes(cause) || !(f > 0)) continue
    frac += f
    if (f > worst) {
      worst = f
      worstCause = cause
    }
  }
  frac = Math.min(1, frac)
  let v = 100 * (1 - frac)
  const partial = coverage.observedSeconds < coverage.requestedSeconds * (1 - 1e-9)
  const notes: string[] = [
    partial
      ? `throttled ${(frac * 100).toFixed(0)}% of the ${spanText(coverage.observedSeconds)} observed (of ${spanText(coverage.requestedSeconds)})`
      : `throttled ${(frac * 100).toFixed(0)}% of ${spanText(coverage.requestedSeconds)}`
  ]
  if (s.gpuThermalHeadroomCelsius.status === 'ok' && s.gpuThermalHeadroomCelsius.value < 5) {
    v *= 0.8
    notes.push(`${s.gpuThermalHeadroomCelsius.value.toFixed(0)} °C from the slowdown limit`)
  }
  const powerBelow = s.powerLimitBelowDefault.status === 'ok' && s.powerLimitBelowDefault.value
  if (powerBelow) {
    v *= 0.9
    notes.push('power limit below default')
  }
  if (battery) {
    v *= 0.5
    notes.push('on battery')
  }
  const constraint: Constraint =
    battery ||
    worstCause === 'power' ||
    worstCause === 'psu' ||
    worstCause === 'current' ||
    worstCause === 'battery' ||
    powerBelow
      ? worstCause === 'thermal'
        ? 'thermals'
        : 'power'
      : 'thermals'
  return { score: ok(v), constraint, detail: notes.join('; ') }
}

/** An evaluated factor before combination. */
export interface FactorValue {
  def: FactorDef
  score: Reading<number>
  detail: string
  /** Overrides the table's constraint (e.g. sustained → power). */
  constraint?: Constraint
  weight?: number
}

/** Combined score with binding constraint and confidence. */
export interface Combined {
  score: number
  factors: ScoreFactor[]
  binding: Constraint
  bindingDetail: string
  unknownCount: number
}

/**
 * Weighted sum over known factors (weights renormalised), then caps; the binding factor is the one that
 * loses the most weighted points.
 */
export function combineFactors(
  values: FactorValue[],
  cap: { value: number; constraint: Constraint; detail: string } | null
): Combined {
  const known = values.filter((v) => v.score.status === 'ok' && (v.weight ?? v.def.weight) > 0)
  const wsum = known.reduce((s, v) => s + (v.weight ?? v.def.weight), 0)
  let score = 0
  let bindingLoss = -1
  let binding: Constraint = 'none'
  let bindingDetail = 'nothing binds'
  for (const v of known) {
    const w = (v.weight ?? v.def.weight) / (wsum || 1)
    const s = (v.score as { value: number }).value
    score += w * s
    const loss = w * (100 - s)
    if (loss > bindingLoss && loss > 0.5) {
      bindingLoss = loss
      binding = v.constraint ?? v.def.constraint
      bindingDetail = `${v.def.label}: ${v.detail}`
    }
  }
  if (cap !== null && score > cap.value) {
    score = cap.value
    binding = cap.constraint
    bindingDetail = cap.detail
  }
  return {
    score: Math.round(Math.max(0, Math.min(100, score))),
    factors: values.map((v) => ({
      name: v.def.label,
      weight: v.weight ?? v.def.weight,
      score: v.score.status === 'ok' ? ok(Math.round(v.score.value)) : v.score,
      detail: v.detail
    })),
    binding,
    bindingDetail,
    unknownCount: values.filter((v) => v.score.status !== 'ok' && (v.weight ?? v.def.weight) > 0)
      .length
  }
}

/**
 * Assumption kinds that lower confidence one level. `fallback` and `formula` only explain; `spec-unverified`
 * records name the GPUs behind the spec-match rule below, which lowers confidence by the match level.
 */
export const CONFIDENCE_LOWERING_KINDS: ReadonlySet<AssumptionKind> = new Set<AssumptionKind>([
  'unknown-input',
  'assumed-value',
  'default-efficiency'
])

/**
 * Confidence from unknown factors, the kinds of the assumptions, and spec confidence.
 *
 * Start high; any unknown factor or confidence-lowering assumption drops one level; a second unknown (an
 * unknown factor or an `unknown-input`) drops another; a low or unknown spec match drops one, a medium one
 * caps at medium.
 */
export function confidenceFrom(
  unknownFactors: number,
  assumptions: readonly Assumption[],
  specConfidence: Confidence | 'unknown' | null
): Confidence {
  const unknowns = unknownFactors + assumptions.filter((a) => a.kind === 'unknown-input').length
  const lowering = assumptions.filter((a) => CONFIDENCE_LOWERING_KINDS.has(a.kind)).length
  let level = 2
  if (unknowns > 0 || lowering > 0) level -= 1
  if (unknowns > 1) level -= 1
  if (specConfidence === 'low' || specConfidence === 'unknown') level -= 1
  else if (specConfidence === 'medium') level = Math.min(level, 1)
  return level >= 2 ? 'high' : level === 1 ? 'medium' : 'low'
}
