/**
 * Why a profile's score changes with an upgrade, in words: the factors that lost weighted points, the gate
 * that now applies, the weight format the runtime now picks. Every score that goes down gets a reason.
 */
import type { ProfileEvaluation, ScoreFactor } from '../../../shared/readiness'

/** Plain-words lead for a factor that now costs points, by factor label (see the factor table). */
const FACTOR_WORDS: Record<string, string> = {
  'Host RAM': 'host RAM now limits training',
  'Data-loading CPU': 'the CPU now limits data loading',
  Interconnect: 'the PCIe link between the GPUs now counts',
  'Memory fit': 'memory is tighter',
  'Decode speed': 'decoding is slower',
  'Time to first token': 'the first token takes longer',
  'Context headroom': 'less room for context',
  'Platform maturity': 'the software platform is less mature',
  'Sustained operation': 'sustained operation is worse',
  'Time to train': 'training takes longer',
  'Precision capability': 'the precision support is weaker',
  Storage: 'storage now limits'
}

function normalised(
  factors: ScoreFactor[]
): Map<string, { w: number; score: number; f: ScoreFactor }> {
  const known = factors.filter((f) => f.score.status === 'ok' && f.weight > 0)
  const wsum = known.reduce((s, f) => s + f.weight, 0) || 1
  return new Map(
    known.map((f) => [
      f.name,
      { w: f.weight / wsum, score: (f.score as { value: number }).value, f }
    ])
  )
}

/** One reason a score goes down: a short lead ("host RAM now limits training") and its inputs. */
export interface DropReason {
  lead: string
  detail: string
}

/** The reasons as one sentence: "lead: detail; lead: detail". */
export function dropText(reasons: readonly DropReason[]): string {
  return reasons.map((r) => (r.detail ? `${r.lead}: ${r.detail}` : r.lead)).join('; ')
}

/**
 * Why `after` scores below `before`, in words. Names the factors that lost the most weighted points (with
 * their inputs), a new gate, or a change of weight format; a drop from reweighting alone says so.
 */
export function explainDrop(before: ProfileEvaluation, after: ProfileEvaluation): DropReason[] {
  const reasons: DropReason[] = []
  if (after.gates.length > 0 && before.gates.length === 0)
    reasons.push({ lead: 'it no longer passes a hard gate', detail: after.gates[0] })
  if (after.weightFormat !== before.weightFormat)
    reasons.push({
      lead: `the runtime now picks ${after.weightFormat} weights instead of ${before.weightFormat}`,
      detail: 'more memory and bytes per token'
    })
  const b = normalised(before.factors)
  const a = normalised(after.factors)
  const losses: { name: string; loss: number; f: ScoreFactor }[] = []
  for (const [name, x] of a) {
    const y = b.get(name)
    // A factor that newly counts (interconnect with a second GPU) costs what it is short of 100; one that
    // counted before costs the points its own score lost (a weight shift alone is not a reason).
    const loss =
      y === undefined
        ? x.w * (100 - x.score)
        : x.score < y.score
          ? y.w * y.score - x.w * x.score
          : 0
    if (loss > 0.5) losses.push({ name, loss, f: x.f })
  }
  losses.sort((p, q) => q.loss - p.loss)
  for (const l of losses.slice(0, 2))
    reasons.push({
      lead: FACTOR_WORDS[l.name] ?? `${l.name.toLowerCase()} is lower`,
      detail: l.f.detail
    })
  if (reasons.length === 0)
    reasons.push({
      lead: 'the factor weights shift',
      detail: 'with more than one GPU, interconnect takes part of the time-to-train weight'
    })
  return reasons
}
