/**
 * The readiness report in plain words: verdicts with a consistent severity, one-line reasons, the
 * one-sentence answer per machine score ("Ready to serve 12 of 20 of your workloads; …"), advice effects,
 * and names for everything the report refers to by id.
 *
 * Engine ids (`qlora-70b`, `host-ram`), formulas and source keys never appear in these sentences; views
 * keep them behind a "details" disclosure.
 */
import { describeReason, type Reading, type ReadingUnavailable } from '../reading'
import type {
  AdviceItem,
  Constraint,
  MachineScore,
  ProfileEvaluation,
  ProfileKind,
  ReadinessReport,
  Verdict
} from '../readiness'
import { worseSeverity, type Severity } from './palette'
import { formatBytes, formatHours, formatScore, formatSeconds, formatTokensPerSec } from './units'

/**
 * Every verdict this layer knows: the report's own, plus `unknown` (an input the verdict needs is
 * unknown) and `needs-gpu` (the method has no CPU path), which newer engines emit.
 */
export type KnownVerdict = Verdict | 'unknown' | 'needs-gpu'

/** True for verdicts under which the workload runs (fits comfortably, tight or with offload). */
export function verdictFits(v: KnownVerdict): boolean {
  return v === 'fits-comfortably' || v === 'fits-tight' || v === 'fits-with-offload'
}

/** Verdict words. */
export const VERDICT_TEXT: Readonly<Record<KnownVerdict, string>> = {
  unknown: 'unknown',
  'needs-gpu': 'needs a GPU',
  'does-not-fit': 'does not fit',
  'fits-with-offload': 'fits with offload',
  'fits-tight': 'fits (tight)',
  'fits-comfortably': 'fits'
}

/** Severity of a verdict on its own (a workload's status also weighs its score). */
export const VERDICT_SEVERITY: Readonly<Record<KnownVerdict, Severity>> = {
  unknown: 'unknown',
  'needs-gpu': 'bad',
  'does-not-fit': 'bad',
  'fits-with-offload': 'warn',
  'fits-tight': 'warn',
  'fits-comfortably': 'ok'
}

/** Constraint words. */
export const CONSTRAINT_TEXT: Readonly<Record<Constraint, string>> = {
  'vram-capacity': 'VRAM capacity',
  'memory-bandwidth': 'memory bandwidth',
  compute: 'compute',
  'host-ram': 'system RAM',
  storage: 'storage',
  interconnect: 'GPU interconnect',
  precision: 'precision support',
  thermals: 'cooling',
  power: 'power',
  software: 'software support',
  cpu: 'CPU',
  none: 'nothing'
}

/** Score → severity: 75 and up good, 50 and up caution, below 50 a problem. */
export function scoreSeverity(score: number): Severity {
  return score >= 75 ? 'ok' : score >= 50 ? 'warn' : 'bad'
}

/** Training kinds count towards the training score; the rest towards serving. */
export function isTrainingKind(kind: ProfileKind): boolean {
  return kind === 'finetune' || kind === 'pretrain'
}

/** A score that may be a plain number or a Reading (scores that do not apply are unavailable). */
export type ScoreValue = number | Reading<number>

/** The number of a score, or null when it is unavailable. */
export function scoreNumber(score: ScoreValue): number | null {
  if (typeof score === 'number') return Number.isFinite(score) ? score : null
  return score.status === 'ok' ? score.value : null
}

/** Why a score is unavailable, or null when it has a value. */
export function scoreReason(score: ScoreValue): string | null {
  if (typeof score === 'number') return Number.isFinite(score) ? null : 'not a number'
  return score.status === 'ok' ? null : describeReason(score)
}

/** A workload's status: verdict and score weighed together, so the colour never contradicts the score. */
export interface WorkloadStatus {
  /** Counts as ready in the Overview sentence: it fits and its score is at least 50. */
  ready: boolean
  severity: Severity
  /** Short words (`fits`, `fits, too slow`, `does not fit`). */
  label: string
}

const SPEED_BOUND: readonly Constraint[] = ['memory-bandwidth', 'compute', 'cpu', 'interconnect']

/** The status of one evaluated workload. */
export function workloadStatus(e: {
  verdict: KnownVerdict
  score: ScoreValue
  binding: Constraint
}): WorkloadStatus {
  if (e.verdict === 'unknown') return { ready: false, severity: 'unknown', label: 'unknown' }
  if (!verdictFits(e.verdict))
    return { ready: false, severity: 'bad', label: VERDICT_TEXT[e.verdict] }
  const verdict = VERDICT_TEXT[e.verdict]
  const score = scoreNumber(e.score)
  if (score === null)
    return {
      ready: false,
      severity: worseSeverity(VERDICT_SEVERITY[e.verdict], 'unknown'),
      label: `${verdict}, score unknown`
    }
  const bySeverity = scoreSeverity(score)
  const severity = worseSeverity(VERDICT_SEVERITY[e.verdict], bySeverity)
  if (bySeverity !== 'bad') return { ready: true, severity, label: verdict }
  return {
    ready: false,
    severity,
    label:
      SPEED_BOUND.includes(e.binding) || e.verdict === 'fits-with-offload'
        ? 'too slow'
        : 'score low'
  }
}

/** Where a workload runs, in words (`on 1 GPU`, `78 % on GPU, rest in RAM`, `on the CPU`). */
export function placementWords(p: ProfileEvaluation['placement']): string {
  switch (p.kind) {
    case 'unknown':
      return `placement unknown (${describeReason(p.reason)})`
    case 'single-gpu':
      return 'on 1 GPU'
    case 'multi-gpu-layer':
    case 'multi-gpu-tensor':
    case 'multi-gpu-data':
      return `on ${p.gpuCount} GPUs`
    case 'gpu-cpu-offload':
      return `${Math.round(p.gpuFraction * 100)} % on GPU, rest in RAM`
    case 'cpu-only':
      return 'on the CPU'
    case 'unified':
      return 'in unified memory'
  }
}

/** The speed that matters for a workload (`38 tok/s`, `7.3 h per run`), or null when unknown. */
export function speedWords(e: ProfileEvaluation): string | null {
  if (!verdictFits(e.verdict)) return null
  if (isTrainingKind(e.kind))
    return e.speed.trainHours.status === 'ok'
      ? `${formatHours(e.speed.trainHours.value)} per run`
      : null
  if (e.speed.decodeTokensPerSec.status === 'ok')
    return formatTokensPerSec(e.speed.decodeTokensPerSec.value)
  // Workloads without token generation (image generation, embeddings): time per request.
  if (e.speed.ttftSeconds.status === 'ok')
    return `${formatSeconds(e.speed.ttftSeconds.value)} per request`
  return null
}

/** Total VRAM of a report's machine (bytes), or null when any GPU's VRAM is unknown or there is none. */
export function machineVramBytes(machine: ReadinessReport['machine']): number | null {
  if (machine.gpus.length === 0) return null
  let total = 0
  for (const g of machine.gpus) {
    const v = scoreNumber(g.vramBytes as ScoreValue)
    if (v === null) return null
    total += v
  }
  return total
}

/**
 * How much memory a workload lacks (bytes), or null when memory is not what holds it back.
 *
 * VRAM-bound workloads that spill into RAM lack `required − total VRAM`; the others `required − available`.
 */
export function memoryShortfallBytes(
  e: ProfileEvaluation,
  vramBytes: number | null
): number | null {
  if (e.binding !== 'vram-capacity' && e.binding !== 'host-ram') return null
  if (e.binding === 'host-ram' && e.placement.kind !== 'cpu-only') return null
  const available =
    e.binding === 'vram-capacity' && e.placement.kind === 'gpu-cpu-offload'
      ? vramBytes
      : scoreNumber(e.memory.availableBytes)
  if (available === null) return null
  const missing = e.memory.requiredBytes - available
  return missing > 0 ? missing : null
}

/** The capacity a workload's memory need is compared with, in words (`22.5 GiB`, `unknown`). */
function availableText(e: ProfileEvaluation): string {
  const v = scoreNumber(e.memory.availableBytes)
  return v === null ? 'unknown' : formatBytes(v)
}

/** True when a workload fails because the machine has no usable GPU. */
export function needsGpu(e: ProfileEvaluation, gpuCount: number): boolean {
  if ((e.verdict as KnownVerdict) === 'needs-gpu') return true
  if (gpuCount > 0 || e.verdict !== 'does-not-fit') return false
  if (e.binding === 'compute' || e.binding === 'software') return true
  return e.gates.some((g) => /\bGPU\b/.test(g) && !/RAM/.test(g))
}

/**
 * One line that says why a workload fits or does not, in plain words.
 *
 * Does not fit: the memory it needs against what there is (`needs 43.5 GiB of VRAM, 22.5 GiB available`),
 * or that it needs a GPU, or the engine's reason. Fits: its speed, where it runs and what limits it.
 */
export function workloadReason(
  e: ProfileEvaluation,
  gpuCount: number,
  options: { speed?: boolean } = {}
): string {
  if ((e.verdict as KnownVerdict) === 'unknown')
    return `unknown: ${scoreReason(e.score as ScoreValue) ?? e.bindingDetail}`
  if (!verdictFits(e.verdict)) {
    if (e.binding === 'vram-capacity')
      return `needs ${formatBytes(e.memory.requiredBytes)} of VRAM, ${availableText(e)} available`
    if (e.binding === 'host-ram' && e.placement.kind === 'cpu-only')
      return `needs ${formatBytes(e.memory.requiredBytes)} of RAM, ${availableText(e)} usable`
    const hostNeed = scoreNumber(e.memory.hostRequiredBytes)
    if (e.binding === 'host-ram' && hostNeed !== null && hostNeed > 0)
      return `needs ${formatBytes(hostNeed)} of RAM for the layers that do not fit in VRAM`
    if (needsGpu(e, gpuCount)) return e.gates[0] ?? 'needs a GPU'
    return e.gates[0] ?? `limited by ${CONSTRAINT_TEXT[e.binding]}`
  }
  const parts: string[] = []
  const speed = options.speed === false ? null : speedWords(e)
  if (speed) parts.push(speed)
  parts.push(placementWords(e.placement))
  if (e.binding !== 'none') parts.push(`limited by ${CONSTRAINT_TEXT[e.binding]}`)
  return parts.join(' · ')
}

/** The verb of a machine score (`train`, `serve`). */
export function scoreVerb(which: 'training' | 'inference'): string {
  return which === 'training' ? 'train' : 'serve'
}

/** The one-sentence answer for a machine score. */
export interface ReadinessSentence {
  /** `Ready to serve 12 of 20 of your workloads; 6 need a GPU`. */
  text: string
  ready: number
  total: number
  severity: Severity
}

interface BlockerGroup {
  key: string
  members: ProfileEvaluation[]
  /** Largest memory shortfall in the group (bytes), for memory groups. */
  shortfallBytes: number
}

function blockerKey(e: ProfileEvaluation, gpuCount: number): string {
  if (needsGpu(e, gpuCount)) return 'gpu'
  if (e.binding === 'vram-capacity') return 'vram'
  if (e.verdict === 'does-not-fit' && e.binding === 'host-ram') return 'ram'
  if ((e.verdict as KnownVerdict) === 'unknown') return 'unknown'
  if (verdictFits(e.verdict)) return 'slow'
  return `c:${e.binding}`
}

function blockerPhrase(g: BlockerGroup): string {
  const one = g.members.length === 1
  const who = one ? g.members[0]!.label : String(g.members.length)
  const more = g.shortfallBytes > 0 ? formatBytes(g.shortfallBytes) : null
  switch (g.key) {
    case 'gpu':
      return `${who} ${one ? 'needs' : 'need'} a GPU`
    case 'vram':
      return one && more
        ? `${who} needs ${more} more VRAM`
        : `${who} ${one ? 'needs' : 'need'} more VRAM${more ? ` (up to ${more} more)` : ''}`
    case 'ram':
      return one && more
        ? `${who} needs ${more} more RAM`
        : `${who} ${one ? 'needs' : 'need'} more RAM${more ? ` (up to ${more} more)` : ''}`
    case 'slow':
      return `${who} ${one ? 'runs' : 'run'} too slowly`
    case 'unknown':
      return `${who} cannot be judged (an input is unknown)`
    default: {
      const c = CONSTRAINT_TEXT[g.key.slice(2) as Constraint] ?? g.key.slice(2)
      return `${who} ${one ? 'is' : 'are'} limited by ${c}`
    }
  }
}

/** The evaluations a machine score counts (its profile ids, in report order). */
export function scoredProfiles(report: ReadinessReport, score: MachineScore): ProfileEvaluation[] {
  const ids = new Set(score.profileIds)
  return report.profiles.filter((p) => ids.has(p.profileId))
}

/**
 * The Overview's sentence for training or serving: how many of the counted workloads are ready, and the
 * one or two biggest groups of blockers in words.
 */
export function readinessSentence(
  report: ReadinessReport,
  which: 'training' | 'inference'
): ReadinessSentence {
  const evals = scoredProfiles(report, report[which])
  const verb = scoreVerb(which)
  if (evals.length === 0)
    return {
      text: `No ${which === 'training' ? 'training' : 'serving'} workloads are selected`,
      ready: 0,
      total: 0,
      severity: 'unknown'
    }
  const gpuCount = report.machine.gpus.length
  const vram = machineVramBytes(report.machine)
  const ready = evals.filter((e) => workloadStatus(e).ready)
  const groups = new Map<string, BlockerGroup>()
  for (const e of evals) {
    if (workloadStatus(e).ready) continue
    const key = blockerKey(e, gpuCount)
    const g = groups.get(key) ?? { key, members: [], shortfallBytes: 0 }
    g.members.push(e)
    g.shortfallBytes = Math.max(g.shortfallBytes, memoryShortfallBytes(e, vram) ?? 0)
    groups.set(key, g)
  }
  const top = [...groups.values()].sort((a, b) => b.members.length - a.members.length).slice(0, 2)
  const head =
    ready.length === evals.length
      ? `Ready to ${verb} all ${evals.length} of your workloads`
      : ready.length === 0
        ? `Not ready to ${verb} any of your ${evals.length} workloads`
        : `Ready to ${verb} ${ready.length} of ${evals.length} of your workloads`
  const text = top.length > 0 ? `${head}; ${top.map(blockerPhrase).join(' and ')}` : head
  const share = ready.length / evals.length
  return {
    text,
    ready: ready.length,
    total: evals.length,
    severity: share === 1 ? 'ok' : share >= 0.5 ? 'warn' : 'bad'
  }
}

/** A signed score change (`+12`, `−3`, `0`). */
export function signedDelta(n: number): string {
  const r = Math.round(n)
  return r > 0 ? `+${r}` : r < 0 ? `−${Math.abs(r)}` : '0'
}

/** The label of a profile id in a report (falls back to the id). */
export function profileLabel(report: ReadinessReport, id: string): string {
  return report.profiles.find((p) => p.profileId === id)?.label ?? id
}

/**
 * What an advice item does, in plain words: which workloads it makes fit, and how each machine score
 * moves (`Serving readiness 23 → 94`).
 */
export function adviceEffectLines(a: AdviceItem, report: ReadinessReport): string[] {
  const lines: string[] = []
  // The engine's own plain-words effect first ("Llama 3.1 70B chat: 1.4 → 17 tok/s"); older reports lack it.
  if (typeof a.effectText === 'string' && a.effectText.trim() !== '') lines.push(a.effectText)
  if (a.speedup && !lines.some((l) => l.includes(a.speedup!.text)))
    lines.push(`${a.speedup.label}: ${a.speedup.text}`)
  if (a.unlocked.length > 0) {
    const names = a.unlocked.map((id) => profileLabel(report, id))
    const shown = names.slice(0, 3).join(', ')
    const rest = names.length > 3 ? ` and ${names.length - 3} more` : ''
    lines.push(
      `Makes ${names.length} more workload${names.length === 1 ? '' : 's'} fit: ${shown}${rest}`
    )
  }
  const move = (name: string, score: MachineScore, delta: number): void => {
    if (Math.round(delta) === 0) return
    const before = scoreNumber(score.score)
    lines.push(
      before === null
        ? `${name} readiness ${signedDelta(delta)}`
        : `${name} readiness ${formatScore(before)} → ${formatScore(Math.max(0, Math.min(100, before + delta)))}`
    )
  }
  move('Training', report.training, a.trainingDelta)
  move('Serving', report.inference, a.inferenceDelta)
  // A score that goes down always says why.
  for (const d of a.scoreDrops ?? [])
    lines.push(`${d.label}: score ${formatScore(d.before)} → ${formatScore(d.after)} (${d.reason})`)
  if (lines.length === 0) lines.push('No change to the selected workloads')
  return lines
}

/** The price of an advice item in words: "free", the range from the price table, or why it is unknown. */
export function advicePriceText(a: AdviceItem): string {
  const p = a.price
  if (!p) return COST_TEXT[a.costClass]
  if (p.status === 'free') return 'free'
  if (p.status === 'priced') return p.text
  return `price unknown: ${p.detail}`
}

/** Cost words of an advice item. */
export const COST_TEXT: Readonly<Record<AdviceItem['costClass'], string>> = {
  free: 'free',
  part: 'a part',
  platform: 'a new platform'
}

/** Words for an inventory device class or report item (`gpu-nvidia` → `NVIDIA GPU`). */
export function itemName(item: string): string {
  const names: Record<string, string> = {
    gpu: 'GPU',
    'gpu-nvidia': 'NVIDIA GPU',
    'gpu-amd': 'AMD GPU',
    'gpu-intel': 'Intel GPU',
    storage: 'Drives',
    'cpu-temperature': 'CPU temperature',
    battery: 'Battery',
    smart: 'Drive health (SMART)',
    rapl: 'CPU package power (RAPL)',
    thermal: 'Temperature sensors',
    power: 'Power supply',
    cpu: 'CPU readings',
    memory: 'Memory readings',
    other: 'Other'
  }
  if (names[item]) return names[item]
  const collector = /^collector (.+)$/.exec(item)
  if (collector) return `${itemName(collector[1]!)} collector`
  return item.charAt(0).toUpperCase() + item.slice(1)
}

/** An unavailable item in words, with its reason (`NVIDIA GPU: tool not installed: nvidia-smi not found`). */
export function unavailableLine(item: string, reason: ReadingUnavailable): string {
  return `${itemName(item)}: ${describeReason(reason)}`
}

/** An assumption as text: plain strings today, `{ kind, text }` records in newer reports. */
export function assumptionText(a: string | { text: string }): string {
  return typeof a === 'string' ? a : a.text
}

/** What a throttle summary concludes: newer reports say it (`state`); older ones only give a fraction. */
export function summaryState(s: {
  state?: 'throttled' | 'not-throttled' | 'unknown'
  throttledFraction: number | Reading<number>
}): 'throttled' | 'not-throttled' | 'unknown' {
  if (s.state) return s.state
  const f = scoreNumber(s.throttledFraction)
  return f === null ? 'unknown' : f > 0 ? 'throttled' : 'not-throttled'
}

/** The throttled fraction of a summary (0–1), or null when nothing was observed. */
export function summaryFraction(s: { throttledFraction: number | Reading<number> }): number | null {
  return scoreNumber(s.throttledFraction)
}

/**
 * Engine text with its tokens in words: verdict ids (`does-not-fit`) and `binding: host-ram` become
 * words, formula asides such as `(required ÷ 0.9)` are dropped. For engine sentences that have no
 * structured form (minimum upgrades); the original stays available behind "details".
 */
export function plainEngineText(text: string): string {
  let out = text
  for (const [id, words] of Object.entries(VERDICT_TEXT)) {
    if (id === 'unknown') continue
    out = out.replace(new RegExp(`\\b${id}\\b`, 'g'), words)
  }
  out = out.replace(/\s*[—-]+\s*binding:\s*([a-z-]+)/g, (_m, c: string) => {
    const words = CONSTRAINT_TEXT[c as Constraint]
    return words ? `; held back by ${words}` : ''
  })
  out = out.replace(/\bbound by ([a-z]+(?:-[a-z]+)*)/g, (m, c: string) => {
    const words = CONSTRAINT_TEXT[c as Constraint]
    return words ? `held back by ${words}` : m
  })
  out = out.replace(/\s*\((?:required|needed)\s*÷[^)]*\)/g, '')
  return out
}

/** Words for where a throttle event's timing came from. */
export const EVENT_SOURCE_TEXT: Readonly<Record<'counter' | 'flag' | 'reading', string>> = {
  counter: "timed by the driver's throttle counters",
  flag: 'timed from throttle flags in each sample',
  reading: 'timed from readings against their limits'
}
