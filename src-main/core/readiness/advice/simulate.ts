/**
 * Simulation of one advice candidate: the evaluation re-run on the changed machine (or with the changed
 * workload), and the item that says what changed — in plain words with the numbers, with every score that
 * goes down explained, the largest speed-up, the price and the value per unit of money.
 */
import type {
  AdviceItem,
  AdviceScoreDrop,
  AdviceSpeedup,
  MachineScore,
  ProfileEvaluation,
  Verdict
} from '../../../shared/readiness'
import { ok, unavailable } from '../../../shared/reading'
import { evaluateAll, evaluateProfile, evaluationScore, scoreMachine } from '../evaluate'
import type { AdviceContext, Candidate, Evaluated } from './context'
import { dropText, explainDrop, type DropReason } from './explain'
import { priceParts, quoteSourceText } from './pricing'

/** A simulated candidate. */
export interface Simulated {
  cand: Candidate
  result: Evaluated
  item: AdviceItem
  /** The effect in a few words (best-item lines). */
  short: string
}

/** Bonus per workload that starts to fit, in score points (readiness reference §6.3). */
export const UNLOCK_BONUS = 50

/** A throughput figure of an evaluation: tokens/s, training hours or seconds per image. */
interface Speed {
  value: number
  unit: 'tok/s' | 'h' | 's/image' | 'tok/s in'
  /** Throughput (bigger is faster) for the speed-up ratio. */
  rate: number
}

function speedOf(e: ProfileEvaluation): Speed | null {
  const s = e.speed
  if (s.decodeTokensPerSec.status === 'ok')
    return { value: s.decodeTokensPerSec.value, unit: 'tok/s', rate: s.decodeTokensPerSec.value }
  if (s.trainHours.status === 'ok' && s.trainHours.value > 0)
    return { value: s.trainHours.value, unit: 'h', rate: 1 / s.trainHours.value }
  if (s.ttftSeconds.status === 'ok' && s.ttftSeconds.value > 0)
    return { value: s.ttftSeconds.value, unit: 's/image', rate: 1 / s.ttftSeconds.value }
  if (s.prefillTokensPerSec.status === 'ok')
    return {
      value: s.prefillTokensPerSec.value,
      unit: 'tok/s in',
      rate: s.prefillTokensPerSec.value
    }
  return null
}

function num(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(0) : v.toFixed(1)
}

function speedText(e: ProfileEvaluation): string {
  const s = speedOf(e)
  if (s) return `${num(s.value)} ${s.unit}`
  return e.score.status === 'ok' ? `score ${e.score.value}` : 'unknown'
}

/** Two speeds as "1.4 → 17 tok/s" (one unit) or "a → b". */
function speedPair(b: ProfileEvaluation, a: ProfileEvaluation): string | null {
  const sb = speedOf(b)
  const sa = speedOf(a)
  if (!sa) return null
  if (!sb || b.verdict === 'does-not-fit') return `${num(sa.value)} ${sa.unit}`
  if (sb.unit === sa.unit) return `${num(sb.value)} → ${num(sa.value)} ${sa.unit}`
  return `${num(sb.value)} ${sb.unit} → ${num(sa.value)} ${sa.unit}`
}

/** A verdict in words. */
export function verdictWords(v: Verdict): string {
  switch (v) {
    case 'fits-comfortably':
      return 'fits comfortably'
    case 'fits-tight':
      return 'fits (tight)'
    case 'fits-with-offload':
      return 'runs partly on the CPU'
    case 'does-not-fit':
      return 'does not fit'
    case 'needs-gpu':
      return 'needs a GPU'
    case 'unknown':
      return 'unknown'
  }
}

function scoreOf(m: MachineScore): number | null {
  return m.score.status === 'ok' ? m.score.value : null
}

/** Re-runs the evaluation for a candidate (only the changed workload for per-workload fixes). */
function evaluateCandidate(ctx: AdviceContext, cand: Candidate): Evaluated {
  const w = cand.workload
  if (!w) return evaluateAll(cand.machine, ctx.profiles)
  const profiles = ctx.profiles.map((p) => (p.id === w.profileId ? w.profile : p))
  const evals = ctx.base.profiles.map((e, i) =>
    profiles[i].id === w.profileId ? evaluateProfile(cand.machine, w.profile, w.overrides) : e
  )
  return {
    profiles: evals,
    training: scoreMachine(evals, profiles, 'training'),
    inference: scoreMachine(evals, profiles, 'inference')
  }
}

/** Simulates a candidate and builds its item. */
export function simulate(ctx: AdviceContext, cand: Candidate): Simulated {
  const base = ctx.base
  const result = evaluateCandidate(ctx, cand)
  const pri = new Map(ctx.profiles.map((p) => [p.id, p.priority]))
  let impact = 0
  const unlocked: string[] = []
  const engine: { text: string; weight: number }[] = []
  const plain: { text: string; weight: number }[] = []
  const drops: AdviceScoreDrop[] = []
  const leads = new Map<string, DropReason[]>()
  let speedup: AdviceSpeedup | null = null
  let trainingSpeedup: AdviceSpeedup | null = null
  result.profiles.forEach((after, i) => {
    const before = base.profiles[i]
    const sb = evaluationScore(before)
    const sa = evaluationScore(after)
    // A change from or to unknown has no size: it is listed, never counted as impact.
    const d = sb !== null && sa !== null ? sa - sb : 0
    const u =
      (before.verdict === 'does-not-fit' || before.verdict === 'needs-gpu') &&
      after.verdict !== 'does-not-fit' &&
      after.verdict !== 'needs-gpu' &&
      after.verdict !== 'unknown'
    if (u) unlocked.push(after.profileId)
    const p = pri.get(after.profileId) ?? 1
    impact += p * (d + (u ? UNLOCK_BONUS : 0))
    const weight = p * (Math.abs(d) + (u ? UNLOCK_BONUS : 0))
    if (sb !== null && sa !== null && sa < sb) {
      const why = explainDrop(before, after)
      leads.set(after.profileId, why)
      drops.push({
        profileId: after.profileId,
        label: after.label,
        before: sb,
        after: sa,
        reason: dropText(why)
      })
    }
    const vb = speedOf(before)
    const va = speedOf(after)
    if (vb && va && !u && before.verdict !== 'does-not-fit' && va.rate > vb.rate * 1.01) {
      const factor = va.rate / vb.rate
      const found: AdviceSpeedup = {
        profileId: after.profileId,
        label: after.label,
        factor,
        text: speedPair(before, after) ?? ''
      }
      if (!speedup || factor > speedup.factor) speedup = found
      if (vb.unit === 'h' && (!trainingSpeedup || factor > trainingSpeedup.factor))
        trainingSpeedup = found
    }
    if (d === 0 && !u && before.verdict === after.verdict) return
    const same = before.verdict === after.verdict && speedText(before) === speedText(after)
    engine.push({
      text: same
        ? `${after.profileId} score ${sb ?? 'unknown'} → ${sa ?? 'unknown'}`
        : `${after.profileId} goes from ${before.verdict} ${speedText(before)} to ${after.verdict} ${speedText(after)}`,
      weight
    })
    if (d < 0) return // said with its reason below
    const pair = speedPair(before, after)
    plain.push({
      text: u
        ? `${after.label} now ${verdictWords(after.verdict)}${pair ? ` (${pair})` : ''}`
        : before.verdict !== after.verdict
          ? `${after.label}: ${verdictWords(before.verdict)} → ${verdictWords(after.verdict)}${pair ? ` (${pair})` : ''}`
          : pair && !same
            ? `${after.label}: ${pair}`
            : `${after.label}: score ${sb ?? 'unknown'} → ${sa ?? 'unknown'}`,
      weight
    })
  })
  const tb = scoreOf(base.training)
  const ta = scoreOf(result.training)
  const ib = scoreOf(base.inference)
  const ia = scoreOf(result.inference)
  const trainingDelta = tb !== null && ta !== null ? ta - tb : 0
  const inferenceDelta = ib !== null && ia !== null ? ia - ib : 0

  const engineParts = engine
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 3)
    .map((c) => c.text)
  if (inferenceDelta !== 0) engineParts.push(`inference score ${ib} → ${ia}`)
  if (trainingDelta !== 0) engineParts.push(`training score ${tb} → ${ta}`)
  engineParts.push(...cand.notes)

  const words = plain
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 3)
    .map((c) => c.text)
  // The largest speed-up is said even when its score was already at the top (training twice as fast).
  for (const fastest of [speedup as AdviceSpeedup | null, trainingSpeedup as AdviceSpeedup | null])
    if (fastest && !words.some((w) => w.startsWith(fastest.label)))
      words.push(`${fastest.label}: ${fastest.text} (${fastest.factor.toFixed(1)}× as fast)`)
  const weightOf = (x: AdviceScoreDrop): number =>
    (x.before - x.after) * (pri.get(x.profileId) ?? 1)
  drops.sort((a, b) => weightOf(b) - weightOf(a))
  const isTraining = (id: string): boolean => {
    const e = result.profiles.find((r) => r.profileId === id)
    return e?.kind === 'finetune' || e?.kind === 'pretrain'
  }
  const machineWords: string[] = []
  for (const [kind, b, a, dl] of [
    ['inference', ib, ia, inferenceDelta],
    ['training', tb, ta, trainingDelta]
  ] as const) {
    if (dl === 0) continue
    if (dl > 0) {
      machineWords.push(`${kind} score ${b} → ${a}`)
      continue
    }
    const first = drops.find((x) => isTraining(x.profileId) === (kind === 'training'))
    const why = first ? leads.get(first.profileId) : undefined
    machineWords.push(
      `${kind} score ${b} → ${a}${why ? ` because ${why.map((r) => r.lead).join(' and ')}` : ''}`
    )
  }
  const dropWords = drops
    .slice(0, 2)
    .map(
      (x) =>
        `${x.label} ${x.before} → ${x.after}: ${(leads.get(x.profileId) ?? []).map((r) => r.lead).join(', ')}`
    )
  const effectParts = cand.free
    ? [...cand.notes, ...words, ...machineWords, ...dropWords]
    : [...words, ...machineWords, ...dropWords, ...cand.notes]
  const effectText =
    effectParts.length > 0 ? effectParts.join('; ') : 'no change for the selected workloads'
  const short = (cand.free ? [...cand.notes, ...words] : [...words, ...machineWords])
    .slice(0, 2)
    .join('; ')

  const price = cand.free
    ? ({ status: 'free' } as const)
    : priceParts(ctx.prices, cand.parts, ctx.currency)
  const valuePerUsd =
    price.status === 'free'
      ? unavailable('not-applicable', 'free')
      : price.status !== 'priced'
        ? unavailable('unsupported', `price unknown: ${price.detail}`)
        : price.currency !== 'USD'
          ? unavailable('unsupported', `prices are in ${price.currency}`)
          : ok(impact / Math.max(1, price.low))
  const details = [
    ...cand.details,
    ...(price.status === 'priced' || price.status === 'unknown'
      ? price.parts.map((p) =>
          p.quote
            ? `price: ${quoteSourceText(p.quote)}`
            : `price of ${p.what} unknown: ${p.missing?.detail ?? ''}`
        )
      : []),
    `impact = Σ priority × (Δscore + ${UNLOCK_BONUS} × workloads that start to fit) = ${Math.round(impact * 10) / 10}`
  ]
  const item: AdviceItem = {
    id: cand.id,
    kind: cand.kind,
    free: cand.free,
    title: cand.title,
    effectText,
    effect: engineParts.length > 0 ? engineParts.join('; ') : 'no change for the selected profiles',
    evidence: cand.evidence,
    details,
    price,
    valuePerUsd,
    speedup,
    scoreDrops: drops,
    requires: cand.requires,
    appliesTo: cand.workload ? [cand.workload.profileId] : [],
    withinBudget: null,
    impact: Math.round(impact * 10) / 10,
    trainingDelta,
    inferenceDelta,
    unlocked,
    costClass: cand.costClass,
    relaxes: cand.relaxes
  }
  return { cand, result, item, short: short || effectText }
}
