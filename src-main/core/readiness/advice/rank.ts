/**
 * Ranking: free fixes first (cooling first when the session shows thermal throttling), then purchases by
 * value — impact per unit of money at the low end of the price — with unpriced purchases after the priced
 * ones. A budget leaves out purchases whose low price is above it (and those whose price is unknown, which
 * cannot be counted); the box leaves out what it cannot take. Each left-out candidate says why, and the
 * summary names the best item under the budget and the best value.
 */
import type { AdviceItem, AdviceSummary } from '../../../shared/readiness'
import type { AdviceContext, Candidate } from './context'
import { priceTableInfo } from './context'
import { allCandidates } from './candidates'
import { moneyText, priceLow, priceWords } from './pricing'
import type { Simulated } from './simulate'
import { simulate } from './simulate'
import { runSteps, type Steps } from '../../steps'

/** Default number of items listed. */
export const DEFAULT_ADVICE_LIMIT = 10

/** Most items kept per group (GPU replacements, added GPUs, RAM sizes, machines). */
const GROUP_LIMITS: Record<NonNullable<Candidate['group']>, number> = {
  'gpu-replace': 3,
  'gpu-add': 3,
  'gpu-add-same': 1,
  'external-gpu': 2,
  ram: 1,
  machine: 2,
  storage: 1
}

/** Everything the advice computes for a machine. */
export interface AdviceResult {
  advice: AdviceItem[]
  summary: AdviceSummary
  /** Every simulated candidate the box can take (for minimum upgrades). */
  simulated: Simulated[]
}

function valueOf(s: Simulated): number | null {
  const low = priceLow(s.item.price)
  return low === null ? null : s.item.impact / Math.max(1, low)
}

/** Free first (cooling first), then priced purchases by value, then unpriced by impact. */
function compare(a: Simulated, b: Simulated): number {
  const fa = a.cand.first ? 0 : a.item.free ? 1 : 2
  const fb = b.cand.first ? 0 : b.item.free ? 1 : 2
  if (fa !== fb) return fa - fb
  if (fa < 2) return b.item.impact - a.item.impact || a.cand.costRank - b.cand.costRank
  const va = valueOf(a)
  const vb = valueOf(b)
  if (va !== null && vb !== null) return vb - va || b.item.impact - a.item.impact
  if (va !== null) return -1
  if (vb !== null) return 1
  return b.item.impact - a.item.impact || a.cand.costRank - b.cand.costRank
}

function itemText(s: Simulated, currency: AdviceSummary['currency']): string {
  const p = s.item.price
  const money = p.status === 'priced' ? ` (${p.text.replace(/^[A-Z]{3} /, `${currency} `)})` : ''
  return `${s.item.title}${money}: ${s.short}`
}

/** Simulates, filters and ranks the candidates; builds the summary. */
export function rankAdvice(ctx: AdviceContext, limit = DEFAULT_ADVICE_LIMIT): AdviceResult {
  return runSteps(rankAdviceSteps(ctx, limit))
}

/** `rankAdvice` in steps: one step per candidate simulated. */
export function* rankAdviceSteps(
  ctx: AdviceContext,
  limit = DEFAULT_ADVICE_LIMIT
): Steps<AdviceResult> {
  const leftOut: AdviceSummary['leftOut'] = []
  const cands = allCandidates(ctx)
  const simulated: Simulated[] = []
  for (const c of cands) {
    if (c.blocked) {
      leftOut.push({ title: c.title, reason: c.blocked })
      continue
    }
    simulated.push(simulate(ctx, c))
    yield
  }
  const useful = simulated.filter((s) => s.item.impact > 0 || s.cand.keepWithoutImpact === true)
  const budget = ctx.budget
  const affordable = useful.filter((s) => {
    if (s.item.free) {
      s.item.withinBudget = budget === null ? null : true
      return true
    }
    if (budget === null) return true
    const low = priceLow(s.item.price)
    if (low === null) {
      s.item.withinBudget = false
      leftOut.push({
        title: s.item.title,
        reason: `${priceWords(s.item.price)}: cannot be counted against the budget`
      })
      return false
    }
    s.item.withinBudget = low <= budget
    if (low > budget)
      leftOut.push({
        title: s.item.title,
        reason: `over the budget: ${priceWords(s.item.price)} > ${moneyText(budget, ctx.currency)}`
      })
    return low <= budget
  })
  // One fix per workload: the least disruptive that works (a q8_0 KV cache before smaller weights).
  const perWorkload = new Map<string, Simulated>()
  for (const s of affordable) {
    const w = s.cand.workload?.profileId
    if (w === undefined || s.item.impact <= 0) continue
    const cur = perWorkload.get(w)
    if (!cur || s.cand.costRank < cur.cand.costRank) perWorkload.set(w, s)
  }
  affordable.sort(compare)
  const taken = new Map<string, number>()
  const kept = affordable.filter((s) => {
    const w = s.cand.workload?.profileId
    if (w !== undefined) return perWorkload.get(w) === s
    const g = s.cand.group
    if (!g) return true
    const n = taken.get(g) ?? 0
    if (n >= GROUP_LIMITS[g]) return false
    taken.set(g, n + 1)
    return true
  })
  const advice = kept.slice(0, limit).map((s) => s.item)

  const purchases = kept.filter((s) => !s.item.free && s.item.impact > 0)
  const priced = purchases.filter((s) => priceLow(s.item.price) !== null)
  const bestValue =
    priced.length > 0
      ? priced.reduce((a, b) => ((valueOf(b) ?? 0) > (valueOf(a) ?? 0) ? b : a))
      : null
  let bestUnderBudget: AdviceSummary['bestUnderBudget'] = null
  if (budget !== null) {
    const within = priced.filter((s) => (priceLow(s.item.price) as number) <= budget)
    const best = within.reduce<Simulated | null>(
      (a, b) =>
        a === null ||
        b.item.impact > a.item.impact ||
        (b.item.impact === a.item.impact &&
          (priceLow(b.item.price) as number) < (priceLow(a.item.price) as number))
          ? b
          : a,
      null
    )
    bestUnderBudget = best
      ? {
          itemId: best.item.id,
          text: `Best under ${moneyText(budget, ctx.currency)}: ${itemText(best, ctx.currency)}`
        }
      : {
          itemId: null,
          text: `Nothing priced under ${moneyText(budget, ctx.currency)} improves the selected workloads${advice.some((a) => a.free) ? '; the free fixes above still apply' : ''}.`
        }
  }
  const summary: AdviceSummary = {
    currency: ctx.currency,
    budget,
    bestUnderBudget,
    bestValue: bestValue
      ? { itemId: bestValue.item.id, text: `Best value: ${itemText(bestValue, ctx.currency)}` }
      : null,
    leftOut: leftOut.slice(0, 50),
    prices: priceTableInfo(ctx.prices, ctx.nowMs),
    box: ctx.box
  }
  return { advice, summary, simulated }
}
