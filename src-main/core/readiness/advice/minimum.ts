/**
 * The inverse question: the least upgrade that brings each below-target profile to a GPU-resident fit with a
 * score ≥ 70 — free fixes first, then the cheapest priced purchase, then unpriced ones by disruption; when
 * none does, how close the best gets, or the capacity it would need.
 */
import type { MinimumUpgrade, ProfileEvaluation } from '../../../shared/readiness'
import { evaluationScore } from '../evaluate'
import type { AdviceContext } from './context'
import { gbText } from './context'
import { priceLow, priceWords } from './pricing'
import type { Simulated } from './simulate'

/** Score a profile must reach for its minimum upgrade. */
export const MINIMUM_TARGET_SCORE = 70

function speedText(e: ProfileEvaluation): string {
  const s = e.speed
  const n = (v: number): string => (v >= 10 ? v.toFixed(0) : v.toFixed(1))
  if (s.decodeTokensPerSec.status === 'ok') return `${n(s.decodeTokensPerSec.value)} tok/s`
  if (s.trainHours.status === 'ok') return `${n(s.trainHours.value)} h`
  if (s.ttftSeconds.status === 'ok') return `${s.ttftSeconds.value.toFixed(1)} s/image`
  if (s.prefillTokensPerSec.status === 'ok')
    return `${s.prefillTokensPerSec.value.toFixed(0)} tok/s`
  return e.score.status === 'ok' ? `score ${e.score.value}` : 'unknown'
}

function order(a: Simulated, b: Simulated): number {
  const ra = a.item.free ? 0 : priceLow(a.item.price) !== null ? 1 : 2
  const rb = b.item.free ? 0 : priceLow(b.item.price) !== null ? 1 : 2
  if (ra !== rb) return ra - rb
  if (ra === 1) return (priceLow(a.item.price) as number) - (priceLow(b.item.price) as number)
  return a.cand.costRank - b.cand.costRank
}

/** Minimum upgrades per profile that is below target, from the simulated candidates. */
export function minimumUpgrades(ctx: AdviceContext, simulated: Simulated[]): MinimumUpgrade[] {
  const known = (e: ProfileEvaluation): number => evaluationScore(e) ?? -Infinity
  const base = ctx.base
  // Unknown evaluations are left out: what would change them is knowing the input, not an upgrade.
  const needing = base.profiles.filter(
    (e) =>
      e.verdict !== 'unknown' &&
      (known(e) < MINIMUM_TARGET_SCORE ||
        e.verdict === 'does-not-fit' ||
        e.verdict === 'fits-with-offload')
  )
  if (needing.length === 0) return []
  const sims = [...simulated].sort(order)
  const cost = (s: Simulated): string => (s.item.free ? 'free' : priceWords(s.item.price))
  return needing.map((e) => {
    const i = base.profiles.indexOf(e)
    const hit = sims.find((s) => {
      const a = s.result.profiles[i]
      return (
        (a.verdict === 'fits-comfortably' || a.verdict === 'fits-tight') &&
        known(a) >= MINIMUM_TARGET_SCORE
      )
    })
    if (hit) {
      const a = hit.result.profiles[i]
      return {
        profileId: e.profileId,
        achievable: true,
        summary: `${hit.cand.title} (${cost(hit)}) → ${a.verdict}, ${speedText(a)}, score ${known(e)} → ${known(a)}`
      }
    }
    // Nothing reaches the bar: say how close the best single upgrade gets and what still binds it.
    let best: Simulated | null = null
    for (const s of sims) {
      const a = s.result.profiles[i]
      if (evaluationScore(a) === null) continue
      if (best === null || known(a) > known(best.result.profiles[i])) best = s
    }
    const ba = best?.result.profiles[i]
    if (best && ba && ba.verdict !== 'does-not-fit' && known(ba) > known(e)) {
      return {
        profileId: e.profileId,
        achievable: false,
        summary: `no single upgrade reaches score ${MINIMUM_TARGET_SCORE}; closest: ${best.cand.title} (${cost(best)}) → ${ba.verdict}, ${speedText(ba)}, score ${known(e)} → ${known(ba)}, then bound by ${ba.binding} (${ba.bindingDetail})`
      }
    }
    const need = e.memory.requiredBytes / 0.9
    return {
      profileId: e.profileId,
      achievable: false,
      summary: `no single upgrade in the table reaches the target; needs about ${gbText(need)} of ${ctx.machine.gpus.length > 0 || e.kind !== 'inference' ? 'GPU memory' : 'memory'} (required ÷ 0.9) — binding: ${e.binding}`
    }
  })
}
